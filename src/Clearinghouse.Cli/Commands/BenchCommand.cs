using System.CommandLine;
using Clearinghouse.Cli.Bench;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Cli.Commands;

/// <summary><c>clearinghouse bench …</c>: performance measurements that print one JSON line with --json.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure performance; each subcommand prints one JSON line with --json");
        bench.Subcommands.Add(CreateHash());
        bench.Subcommands.Add(CreateMatch());
        bench.Subcommands.Add(CreateVpdq());
        bench.Subcommands.Add(CreateImport());
        bench.Subcommands.Add(CreateTlsh());
        bench.Subcommands.Add(CreateLog());
        bench.Subcommands.Add(CreateExchange());
        bench.Subcommands.Add(CreateFederation());
        return bench;
    }

    private static Command CreateMatch()
    {
        var index = new Option<string>("--index")
        {
            Description = "Hashes to index: one 64-hex-digit PDQ hash per line (id = 0-based line number), or an index file saved with --save",
            Required = true,
        };
        var queries = new Option<string>("--queries") { Description = "Query hashes, one per line", Required = true };
        var radius = new Option<int>("--radius", "-r") { Description = "Match within this Hamming distance", DefaultValueFactory = _ => 31 };
        radius.Validators.Add(r =>
        {
            int value = r.GetValueOrDefault<int>();
            if (value is < 0 or > 256)
            {
                r.AddError($"--radius must be between 0 and 256 (got {value}).");
            }
        });
        var threads = HashCommand.ThreadsOption(1, "Query threads (default 1)");
        var output = new Option<string?>("--out") { Description = "Write every result as query_line<TAB>index_line<TAB>distance, sorted (the format of faiss_pdq_bench.py --out)" };
        var save = new Option<string?>("--save") { Description = "Also save the built index to this file (a later run loads it with --index and reports load_s)" };
        var method = new Option<PdqSearchMethod>("--method") { Description = "Force the search method (default: the index chooses per segment)", DefaultValueFactory = _ => PdqSearchMethod.Auto };
        var json = new Option<bool>("--json") { Description = "Print one JSON line (the default output; kept for symmetry with the other bench commands)" };
        var command = new Command("match", "Time exact PDQ radius search: build or load an index, run every query, print one JSON line")
        {
            index, queries, radius, threads, output, save, method, json,
        };
        command.SetAction(parse => MatchBenchmark.Run(
            new MatchBenchOptions(parse.GetValue(index)!, parse.GetValue(queries)!, parse.GetValue(radius), parse.GetValue(threads), parse.GetValue(output))
            {
                SaveIndexPath = parse.GetValue(save),
                Method = parse.GetValue(method),
            },
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static Command CreateVpdq()
    {
        var paths = HashCommand.PathsArgument("Video files or directories");
        var json = new Option<bool>("--json") { Description = "Print one JSON line" };
        var repeat = RepeatOption();
        var video = new VideoHashCommandOptions();
        var command = new Command("vpdq", "Time vPDQ on every frame, at the videos' own size and at 64x64: FFmpeg decoding alone, hashing alone (one thread), end to end")
        {
            paths, json, repeat, video.Ffmpeg, video.Timeout, video.MaxDuration, video.MaxFramePixels,
        };
        command.SetAction(parse => VpdqBenchmark.Run(
            new VpdqBenchOptions(parse.GetValue(paths)!, parse.GetValue(repeat), parse.GetValue(json), video.ReadDecode(parse)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static Command CreateTlsh()
    {
        var corpus = new Argument<string[]>("CORPUS") { Description = "Text files or directories whose words make the documents (e.g. ../shared/testdata/tlsh/example_data)", Arity = ArgumentArity.OneOrMore };
        var count = PositiveOption("--count", "Documents hashed and indexed", 1_000_000);
        var queries = PositiveOption("--queries", "Queries timed on the index and the vectorised scan (near duplicates of stored documents)", 200);
        var reference = PositiveOption("--reference-queries", "Queries timed on the reference-distance scan (a subset; it is slow)", 10);
        var threshold = PositiveOption("--threshold", "Match within this TLSH distance", 30);
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic documents", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON line (the default output)" };
        var command = new Command("tlsh", "Time TLSH threshold search (the text_tlsh distance) on synthetic text: the index against a vectorised and a reference linear scan, results checked equal")
        {
            corpus, count, queries, reference, threshold, seed, json,
        };
        command.SetAction(parse => TlshBenchmark.Run(
            new TlshBenchOptions(parse.GetValue(corpus)!, parse.GetValue(count), parse.GetValue(queries), parse.GetValue(reference), parse.GetValue(threshold), parse.GetValue(seed)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static Option<int> PositiveOption(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError($"{name} must be at least 1.");
            }
        });
        return option;
    }

    private static Command CreateLog()
    {
        var entries = new Option<int>("--entries", "-n") { Description = "Log entries to append (one signal-added entry per random PDQ signal)", DefaultValueFactory = _ => 1_000_000 };
        var batch = new Option<int>("--batch-size") { Description = "Entries per store transaction", DefaultValueFactory = _ => 50_000 };
        var proofs = new Option<int>("--proofs") { Description = "Inclusion and consistency proofs to time (each, at random positions)", DefaultValueFactory = _ => 1000 };
        var directory = new Option<string?>("--dir") { Description = "Where to put the store (default: a temporary directory, deleted afterwards; an existing one is appended to)" };
        foreach (var option in new[] { entries, batch, proofs })
        {
            option.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < 2)
                {
                    r.AddError($"{option.Name} must be at least 2.");
                }
            });
        }

        var noAudit = new Option<bool>("--no-audit") { Description = "Skip the audit (for building a large log in steps with --dir; audit_seconds is then 0)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON line (the default output; kept for symmetry with the other bench commands)" };
        var command = new Command("log", "Time the transparency log in SQLite: batched appends, proofs from the stored tiles, a first audit of every entry (one JSON line)")
        {
            entries, batch, proofs, directory, noAudit, json,
        };
        command.SetAction((parse, cancellationToken) => LogBenchmark.RunAsync(
            new LogBenchOptions(parse.GetValue(entries), parse.GetValue(batch), parse.GetValue(proofs), parse.GetValue(directory), !parse.GetValue(noAudit)),
            parse.InvocationConfiguration.Output,
            cancellationToken));
        return command;
    }

    private static Command CreateFederation()
    {
        var signals = PositiveOption("--signals", "Random PDQ signals on node A for node B to sync", 1_000_000);
        var samples = PositiveOption("--lag-samples", "Signals added on A, one at a time, timed until they match on B (worker polling every second)", 20);
        var directory = new Option<string?>("--dir") { Description = "Where to put the two nodes' stores (default: a temporary directory, deleted afterwards)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON line (the default output)" };
        var command = new Command("federation", "Two nodes on loopback: time a verified sync of N signals from A to B end to end, then the lag from an add on A to a match on B")
        {
            signals, samples, directory, json,
        };
        command.SetAction((parse, cancellationToken) => FederationBenchmark.RunAsync(
            new FederationBenchOptions(parse.GetValue(signals), parse.GetValue(samples), parse.GetValue(directory)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static Command CreateImport()
    {
        var signals = new Option<int>("--signals", "-n") { Description = "Random PDQ signals to import", DefaultValueFactory = _ => 1_000_000 };
        signals.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--signals must be at least 1.");
            }
        });
        var batch = new Option<int>("--batch-size") { Description = "Signals per store transaction (as clearinghouse import)", DefaultValueFactory = _ => ImportCommand.DefaultBatchSize };
        batch.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--batch-size must be at least 1.");
            }
        });
        var directory = new Option<string?>("--dir") { Description = "Where to put the throwaway databases (default: a temporary directory, deleted afterwards)" };
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Skip the same-run baseline (a bare SQLite insert of the same values into a table with no index)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON line (the default output; kept for symmetry with the other bench commands)" };
        var command = new Command("import", "Time a bulk import into a fresh SQLite store (parse, then write in batches), against a bare SQLite insert of the same values")
        {
            signals, batch, directory, noBaseline, json,
        };
        command.SetAction((parse, cancellationToken) => ImportBenchmark.RunAsync(
            new ImportBenchOptions(parse.GetValue(signals), parse.GetValue(batch), parse.GetValue(directory), !parse.GetValue(noBaseline)),
            parse.InvocationConfiguration.Output,
            cancellationToken));
        return command;
    }

    private static Command CreateExchange()
    {
        var records = new Option<int>("--records", "-n") { Description = "Random TCAP entries to import", DefaultValueFactory = _ => 1_000_000 };
        var pageSize = new Option<int>("--page-size") { Description = "Records per store transaction (as clearinghouse exchange import)", DefaultValueFactory = _ => 10_000 };
        foreach (var option in new[] { records, pageSize })
        {
            option.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < 1)
                {
                    r.AddError($"{r.Option.Name} must be at least 1.");
                }
            });
        }

        var directory = new Option<string?>("--dir") { Description = "Where to put the export file and the throwaway store (default: a temporary directory, deleted afterwards)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON line (the default output)" };
        var command = new Command("exchange", "Time importing a TCAP hash-list export into a fresh SQLite store (check pass, import, then re-applying the same file)")
        {
            records, pageSize, directory, json,
        };
        command.SetAction((parse, cancellationToken) => ExchangeBenchmark.RunAsync(
            new ExchangeBenchOptions(parse.GetValue(records), parse.GetValue(pageSize), parse.GetValue(directory)),
            parse.InvocationConfiguration.Output,
            cancellationToken));
        return command;
    }

    private static Option<int> RepeatOption()
    {
        var repeat = new Option<int>("--repeat") { Description = "Timed passes over the files (after one warm-up pass)", DefaultValueFactory = _ => 3 };
        repeat.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--repeat must be at least 1.");
            }
        });
        return repeat;
    }

    private static Command CreateHash()
    {
        var paths = HashCommand.PathsArgument("Image files or directories");
        var json = new Option<bool>("--json") { Description = "Print one JSON line" };
        var repeat = RepeatOption();
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
