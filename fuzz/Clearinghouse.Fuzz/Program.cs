using Clearinghouse.Fuzz;

// Clearinghouse.Fuzz TARGET            run under afl-fuzz (input on stdin, via SharpFuzz)
// Clearinghouse.Fuzz TARGET --replay DIR   run every file of DIR through the target once (regression check)
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Clearinghouse.Fuzz ({string.Join('|', FuzzTargets.All.Keys)}) [--replay DIR]");
    return 2;
}

if (args.Length == 3 && args[1] == "--replay")
{
    int files = 0;
    foreach (var file in Directory.EnumerateFiles(args[2], "*", SearchOption.AllDirectories))
    {
        target(File.ReadAllBytes(file));
        files++;
    }

    Console.WriteLine($"{args[0]}: {files} inputs replayed, no unexpected exception");
    return 0;
}

SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
