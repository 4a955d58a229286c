using System.CommandLine;
using Clearinghouse.Cli.FileHashing;
using Clearinghouse.Cli.Terminal;

namespace Clearinghouse.Cli.Commands;

/// <summary><c>clearinghouse hash [--type pdq,md5,sha256,vpdq] [--dihedral] [--json] [--threads N] [video options] PATH...</c></summary>
internal static class HashCommand
{
    public static Command Create()
    {
        var types = new Option<string>("--type", "-t")
        {
            Description = "Comma-separated signal types to compute: pdq, md5, sha256, vpdq (videos, with FFmpeg; given pdq too, each file is hashed as a photo if it is an image, else as a video)",
            DefaultValueFactory = _ => HashSelection.DefaultList,
        };
        var dihedral = new Option<bool>("--dihedral")
        {
            Description = "Also print the PDQ hashes of the 7 rotations and flips (reference order: original, rot90, rot180, rot270, flipx, flipy, flipplus1, flipminus1)",
        };
        var json = new Option<bool>("--json") { Description = "One JSON object per line: {\"path\", \"pdq\": {\"hash\", \"quality\", \"dihedral\"}, \"vpdq\": {\"value\", \"frames\", \"usable_frames\", \"frame_rate\", \"width\", \"height\"}, \"md5\", \"sha256\"} or {\"path\", \"error\"}" };
        var threads = ThreadsOption(Environment.ProcessorCount, "Files hashed in parallel (default: all cores)");
        var limits = new DecodeLimitOptions();
        var video = new VideoHashCommandOptions();
        var paths = PathsArgument("Files or directories (walked recursively)");

        var command = new Command("hash", "Hash files into signals: PDQ for photos and vPDQ for videos (bit-exact with the references), MD5 and SHA-256 for any file")
        {
            types, dihedral, json, threads, paths,
        };
        limits.AddTo(command);
        video.AddTo(command, withReferenceOutput: true);

        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var selection = HashSelection.Parse(parse.GetValue(types)!);
            var hasher = new FileHasher(selection, limits.Read(parse), parse.GetValue(dihedral), selection.Vpdq ? video.Read(parse) : null);
            var writer = new HashOutput(output, error, parse.GetValue(json));

            var items = InputWalker.Walk(parse.GetValue(paths)!).ToList();
            int failed = 0;
            ProgressReporter.Run(ProgressReporter.ShouldShow(error, items.Count), "Hashing", items.Count, step =>
            {
                // Ordered so the output follows the input order whatever the thread count.
                var results = items
                    .AsParallel()
                    .AsOrdered()
                    .WithDegreeOfParallelism(parse.GetValue(threads))
                    .WithMergeOptions(ParallelMergeOptions.NotBuffered)
                    .Select(item => item.IsFile ? hasher.Hash(item.Path) : FileHashResult.Failed(item.Path, item.Error!));
                foreach (var result in results)
                {
                    writer.Write(result);
                    failed += result.Error is null ? 0 : 1;
                    step();
                }
            });

            output.Flush();
            if (failed > 0)
            {
                error.WriteLine($"clearinghouse: {failed} of {items.Count} inputs failed");
                return ExitCodes.SomeInputsFailed;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// One or more paths. A token that looks like an option is refused rather than taken for a file name, so a
    /// mistyped option is a usage error, not a "no such file" later (a file named "-x" can be given as ./-x).
    /// </summary>
    internal static Argument<string[]> PathsArgument(string description)
    {
        var paths = new Argument<string[]>("PATH") { Description = description, Arity = ArgumentArity.OneOrMore };
        paths.Validators.Add(r =>
        {
            foreach (var token in r.Tokens)
            {
                if (token.Value.StartsWith('-') && token.Value.Length > 1)
                {
                    r.AddError($"unknown option '{token.Value}' (to name a file that starts with '-', write ./{token.Value})");
                }
            }
        });
        return paths;
    }

    internal static Option<int> ThreadsOption(int defaultValue, string description)
    {
        var option = new Option<int>("--threads", "-j") { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            int value = r.GetValueOrDefault<int>();
            if (value < 1 || value > 1024)
            {
                r.AddError($"--threads must be between 1 and 1024 (got {value}).");
            }
        });
        return option;
    }
}
