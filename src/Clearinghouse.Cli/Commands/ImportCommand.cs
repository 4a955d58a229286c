using System.CommandLine;
using System.Globalization;
using System.Text;
using Clearinghouse.Cli.Json;
using Clearinghouse.Cli.Node;
using Clearinghouse.Cli.Terminal;
using Clearinghouse.Server.Api.Own;
using Clearinghouse.Server.Import;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse import FILE --bank NAME [--format local_file|csv|jsonl]</c>: bulk-adds signals to a bank
/// directly in the store, with the node's parser (same validation, canonical forms and per-line reasons as the
/// import route). Strict by default: one bad line and nothing is written.
/// </summary>
internal static class ImportCommand
{
    /// <summary>Signals per store transaction: large enough to amortise the commit, small enough to show progress.</summary>
    public const int DefaultBatchSize = 100_000;

    public static Command Create()
    {
        var store = new StoreOptions();
        var file = new Argument<string>("FILE") { Description = "The signals: local_file lines '<signal_type> <value>', CSV (signal_type,value[,designation][,metadata]) or JSON lines" };
        var bank = new Option<string>("--bank", "-b") { Description = "The bank to add them to", Required = true };
        var format = new Option<string?>("--format", "-f") { Description = "local_file, csv or jsonl (default: from the file name: .csv, .jsonl/.ndjson, otherwise local_file)" };
        var signalType = new Option<string?>("--signal-type") { Description = "The type of every value, for files of bare values (local_file lines holding only a value, CSV without a signal_type column)" };
        var designation = new Option<string?>("--designation") { Description = "Designation reference (list:id, e.g. un:QDe.115) for lines that carry none" };
        var partial = new Option<bool>("--partial") { Description = "Import the valid lines even when others are refused (default: any refused line and nothing is imported)" };
        var contributor = new Option<string?>("--contributor") { Description = "The member recorded as contributing the signals (default: the bank's owner)" };
        var batch = new Option<int>("--batch-size") { Description = "Signals per store transaction", DefaultValueFactory = _ => DefaultBatchSize };
        batch.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--batch-size must be at least 1.");
            }
        });
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object: {bank, format, lines, added, rejected, applied, rejections: [{line, code, reason, existing_signal_id?}]}" };
        var command = new Command(
            "import",
            "Add signals from a file to a bank, directly in the store (run on the node's machine). Exit 0: every line imported; 1: some lines refused (each reported; without --partial nothing was imported); 3: nothing in the file is usable.")
        {
            file, bank, format, signalType, designation, partial, contributor, batch, json,
        };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string path = parse.GetValue(file)!;
            var importFormat = FormatFor(path, parse.GetValue(format));
            var types = SignalTypeRegistry.CreateDefault();
            string? type = parse.GetValue(signalType);
            if (type is not null && !types.TryGet(type, out _))
            {
                throw new UsageException($"--signal-type: unknown signal type '{type}' (known: {string.Join(", ", types.All.Select(t => t.Name).Order(StringComparer.Ordinal))})");
            }

            string? defaultDesignation = parse.GetValue(designation);
            if (defaultDesignation is not null && SignalImportParser.DesignationProblem(defaultDesignation) is { } problem)
            {
                throw new UsageException($"--designation: {problem}");
            }

            if (!File.Exists(path))
            {
                throw new CommandFailedException(ExitCodes.BadInput, Directory.Exists(path) ? $"{path}: is a directory, not a file of signals" : $"{path}: no such file");
            }

            var request = new ImportRequest(path, parse.GetValue(bank)!, importFormat, type, defaultDesignation, parse.GetValue(partial), parse.GetValue(contributor), parse.GetValue(batch), parse.GetValue(json));
            return NodeStore.RunAsync(store.Read(parse), s => RunAsync(s, types, request, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken), cancellationToken);
        });
        return command;
    }

    private sealed record ImportRequest(string Path, string Bank, ImportFormat Format, string? SignalType, string? Designation, bool Partial, string? Contributor, int BatchSize, bool Json);

    private static async Task<int> RunAsync(IClearinghouseStore store, SignalTypeRegistry types, ImportRequest request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var bank = await BankCommand.FindAsync(store, request.Bank, cancellationToken).ConfigureAwait(false);
        long contributorId = bank.OwnerMemberId;
        if (request.Contributor is not null)
        {
            contributorId = (await store.FindMemberAsync(request.Contributor, cancellationToken).ConfigureAwait(false)
                ?? throw new CommandFailedException(ExitCodes.Refused, $"no member named '{request.Contributor}' (members: clearinghouse member list)")).Id;
        }

        var importer = new SignalImporter(store);
        bool requiresDesignation = await importer.RequiresDesignationAsync(bank, cancellationToken).ConfigureAwait(false);
        var parser = new SignalImportParser(types);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ParsedImport? check = null;
        var rejections = new List<LineRejection>();
        int usable = 0;
        ImportWriter? writer = null;
        Exception? failure = null;

        // Two passes over the file, so memory stays bounded whatever its size: the first checks every line (a strict
        // import must refuse the file before writing anything), the second parses it again and writes in batches.
        FileSnapshot before = FileSnapshot.Of(request.Path);
        ProgressReporter.RunStages(ProgressReporter.IsWatched(error) && before.Length >= 1 << 20, stage =>
        {
            try
            {
                check = Scan(parser, request, stage("Checking", before.Length), signal =>
                {
                    if (requiresDesignation && signal.Signal.Designation is null)
                    {
                        rejections.Add(SignalImporter.DesignationRequired(bank, signal.Line));
                    }
                    else
                    {
                        usable++;
                    }
                });
                rejections.AddRange(check.Rejections);
                if (usable > 0 && (rejections.Count == 0 || request.Partial))
                {
                    var written = stage("Writing", usable);
                    var batches = importer.CreateWriter(bank, contributorId, Math.Min(request.BatchSize, usable), n => written(n));
                    writer = batches;
                    Scan(parser, request, _ => { }, signal =>
                    {
                        if (!requiresDesignation || signal.Signal.Designation is not null)
                        {
                            batches.AddAsync(signal, cancellationToken).AsTask().GetAwaiter().GetResult();
                        }
                    });
                    batches.FlushAsync(cancellationToken).GetAwaiter().GetResult();
                    if (batches.Written != usable || FileSnapshot.Of(request.Path) != before)
                    {
                        throw new ImportWriteException($"the file changed while it was imported ({batches.Written} signals written where the check found {usable}); {batches.Added} signals were added — rerun the import on a file nothing writes to (it skips them as duplicates)");
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Reported after the progress bar is gone.
                failure = ex;
            }
        });

        if (failure is ImportWriteException partialWrite)
        {
            throw new CommandFailedException(ExitCodes.Unavailable, $"{request.Path}: {partialWrite.Message}");
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        if (writer is not null)
        {
            rejections.AddRange(writer.Rejections);
        }

        rejections.Sort((a, b) => a.Line.CompareTo(b.Line));
        int lines = check!.Lines;
        int added = writer?.Added ?? 0;
        string formatName = SignalImportParser.NameOf(request.Format);
        var report = SignalEndpoints.Report(bank, formatName, lines, added, rejections, applied: added > 0);
        if (request.Json)
        {
            JsonLines.Write(output, report);
        }
        else
        {
            foreach (var r in rejections)
            {
                error.WriteLine($"{request.Path}:{r.Line}: {r.Code}: {r.Reason}");
            }
        }

        if (usable == 0)
        {
            string why = rejections.Count == 0 ? "holds no signals" : $"has no usable line ({rejections.Count} of {lines} lines refused)";
            throw new CommandFailedException(ExitCodes.BadInput, $"{request.Path}: {why}; nothing was imported");
        }

        if (writer is null)
        {
            error.WriteLine($"clearinghouse: {request.Path}: {rejections.Count} of {lines} lines refused; nothing was imported (fix them, or pass --partial to import the {usable} valid lines)");
            return ExitCodes.SomeInputsFailed;
        }

        if (!request.Json)
        {
            double seconds = clock.Elapsed.TotalSeconds;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"imported {added} signals into bank '{bank.Name}' ({lines} lines, {rejections.Count} not imported) in {seconds:0.0} s ({lines / Math.Max(seconds, 1e-3):N0} lines/s, checking, parsing and writing)"));
        }

        if (rejections.Count > 0)
        {
            if (!request.Json)
            {
                error.WriteLine($"clearinghouse: {request.Path}: {rejections.Count} lines not imported (reported above)");
            }

            return ExitCodes.SomeInputsFailed;
        }

        return ExitCodes.Success;
    }

    /// <summary>One pass over the file with <paramref name="parser"/>, reporting the bytes read to <paramref name="read"/>.</summary>
    private static ParsedImport Scan(SignalImportParser parser, ImportRequest request, Action<long> read, Action<ParsedSignal> accepted)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(request.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.BadInput, $"{request.Path}: cannot read: {ex.Message}");
        }

        using (stream)
        {
            using var counting = new ProgressStream(stream, read);
            using var reader = new StreamReader(counting, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            try
            {
                return parser.Scan(request.Format, reader, request.SignalType, request.Designation, accepted);
            }
            catch (IOException ex)
            {
                throw new CommandFailedException(ExitCodes.BadInput, $"{request.Path}: read error: {ex.Message}");
            }
        }
    }

    /// <summary>A file's length and modification time: the second pass must read what the first one checked.</summary>
    private readonly record struct FileSnapshot(long Length, DateTime LastWriteUtc)
    {
        public static FileSnapshot Of(string path)
        {
            var info = new FileInfo(path);
            return new FileSnapshot(info.Length, info.LastWriteTimeUtc);
        }
    }

    private static ImportFormat FormatFor(string path, string? given)
    {
        if (given is not null)
        {
            return SignalImportParser.FormatOf(given, null) ?? throw new UsageException($"--format: unknown format '{given}' (local_file, csv or jsonl)");
        }

        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => ImportFormat.Csv,
            ".jsonl" or ".ndjson" => ImportFormat.JsonLines,
            _ => ImportFormat.LocalFile,
        };
    }
}
