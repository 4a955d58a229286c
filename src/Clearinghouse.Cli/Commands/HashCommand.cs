using System.CommandLine;
using Clearinghouse.Cli.FileHashing;
using Clearinghouse.Cli.Terminal;
using Clearinghouse.Signals;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse hash [--type pdq,md5,sha256,vpdq,text_tlsh] [--dihedral] [--json] [--threads N] [video options] PATH...</c>,
/// and <c>clearinghouse hash --type url|payment [--json] VALUE... | -</c> for the types whose content is a value.
/// </summary>
internal static class HashCommand
{
    public static Command Create(TextReader input)
    {
        var types = new Option<string>("--type", "-t")
        {
            Description = "Comma-separated signal types to compute from files: pdq, md5, sha256, vpdq (videos, with FFmpeg; given pdq too, each file is hashed as a photo if it is an image, else as a video), text_tlsh; or one of url, payment, whose arguments are values (or - to read them from standard input, one per line)",
            DefaultValueFactory = _ => HashSelection.DefaultList,
        };
        var dihedral = new Option<bool>("--dihedral")
        {
            Description = "Also print the PDQ hashes of the 7 rotations and flips (reference order: original, rot90, rot180, rot270, flipx, flipy, flipplus1, flipminus1)",
        };
        var json = new Option<bool>("--json") { Description = "One JSON object per line: {\"path\", \"pdq\": {\"hash\", \"quality\", \"dihedral\"}, \"vpdq\": {\"value\", \"frames\", \"usable_frames\", \"frame_rate\", \"width\", \"height\"}, \"md5\", \"sha256\", \"text_tlsh\"} or {\"path\", \"error\"}; for values {\"value\", \"url\" or \"payment\"} or {\"value\", \"error\"}" };
        var threads = ThreadsOption(Environment.ProcessorCount, "Files hashed in parallel (default: all cores)");
        var limits = new DecodeLimitOptions();
        var video = new VideoHashCommandOptions();
        var paths = PathsArgument("Files or directories (walked recursively); for url and payment, values, or - for standard input");

        var command = new Command("hash", "Hash files into signals: PDQ for photos and vPDQ for videos (bit-exact with the references), MD5 and SHA-256 for any file, TLSH for text (bit-exact with the reference); canonicalise URLs and payment identifiers")
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
            var writer = new HashOutput(output, error, parse.GetValue(json));
            if (selection.TakesValues)
            {
                return HashValues(SignalTypeRegistry.CreateDefault().Get(selection.ValueType!), parse.GetValue(paths)!, input, writer, output, error);
            }

            var hasher = new FileHasher(selection, limits.Read(parse), parse.GetValue(dihedral), selection.Vpdq ? video.Read(parse) : null);

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

    /// <summary>Canonicalises each value (or each line of standard input for "-"); exit status 1 if any is invalid.</summary>
    private static int HashValues(ISignalType type, string[] values, TextReader input, HashOutput writer, TextWriter output, TextWriter error)
    {
        var items = values is ["-"]
            ? ValueHasher.ReadLines(input)
            : values.Select(v => ((string?)v, (string?)null));
        var hasher = new ValueHasher(type);
        int total = 0, failed = 0;
        foreach (var (value, problem) in items)
        {
            var result = problem is null ? hasher.Hash(value!) : new ValueHashResult("-", type.Name, null, problem);
            writer.Write(result);
            total++;
            failed += result.Error is null ? 0 : 1;
        }

        output.Flush();
        if (failed > 0)
        {
            error.WriteLine($"clearinghouse: {failed} of {total} values are invalid");
            return ExitCodes.SomeInputsFailed;
        }

        return ExitCodes.Success;
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
