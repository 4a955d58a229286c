using System.CommandLine;
using Clearinghouse.Cli.Bench;

namespace Clearinghouse.Cli.Commands;

/// <summary><c>clearinghouse bench …</c>: performance measurements that print one JSON line with --json.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure performance; each subcommand prints one JSON line with --json");
        bench.Subcommands.Add(CreateHash());
        return bench;
    }

    private static Command CreateHash()
    {
        var paths = HashCommand.PathsArgument("Image files or directories");
        var json = new Option<bool>("--json") { Description = "Print one JSON line" };
        var repeat = new Option<int>("--repeat") { Description = "Timed passes over the files (after one warm-up pass)", DefaultValueFactory = _ => 3 };
        repeat.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--repeat must be at least 1.");
            }
        });
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Skip the same-run baseline (the scalar transcription of the reference)" };
        var limits = new DecodeLimitOptions();
        var command = new Command("hash", "Time PDQ hashing on one thread: read, decode and hash, against the scalar reference transcription")
        {
            paths, json, repeat, noBaseline,
        };
        limits.AddTo(command);
        command.SetAction(parse => HashBenchmark.Run(
            new HashBenchOptions(parse.GetValue(paths)!, parse.GetValue(repeat), parse.GetValue(json), !parse.GetValue(noBaseline), limits.Read(parse)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }
}
