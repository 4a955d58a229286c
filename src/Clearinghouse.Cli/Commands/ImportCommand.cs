using System.CommandLine;
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
    public const int DefaultBatchSize = 50_000;

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
        ImportPlan? plan = null;
        ImportOutcome? outcome = null;
        Exception? failure = null;
        ProgressReporter.RunStages(ProgressReporter.IsWatched(error) && new FileInfo(request.Path).Length >= 1 << 20, stage =>
        {
            try
            {
                var parsed = Parse(types, request, stage);
                plan = importer.PlanAsync(bank, parsed, cancellationToken).GetAwaiter().GetResult();
                if (plan.Signals.Count > 0 && (plan.Rejections.Count == 0 || request.Partial))
                {
                    var written = stage("Writing", plan.Signals.Count);
                    outcome = importer.WriteAsync(plan, contributorId, request.BatchSize, n => written(n), cancellationToken).GetAwaiter().GetResult();
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

        string formatName = SignalImportParser.NameOf(request.Format);
        var rejections = outcome?.Rejections ?? plan!.Rejections;
        int added = outcome?.Added ?? 0;
        var report = SignalEndpoints.Report(bank, formatName, plan!.Lines, added, rejections, applied: added > 0);
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

        if (plan.Signals.Count == 0)
        {
            string why = plan.Rejections.Count == 0 ? "holds no signals" : $"has no usable line ({plan.Rejections.Count} of {plan.Lines} lines refused)";
            throw new CommandFailedException(ExitCodes.BadInput, $"{request.Path}: {why}; nothing was imported");
        }

        if (outcome is null)
        {
            error.WriteLine($"clearinghouse: {request.Path}: {rejections.Count} of {plan.Lines} lines refused; nothing was imported (fix them, or pass --partial to import the {plan.Signals.Count} valid lines)");
            return ExitCodes.SomeInputsFailed;
        }

        if (!request.Json)
        {
            output.WriteLine($"imported {added} signals into bank '{bank.Name}' ({plan.Lines} lines, {rejections.Count} not imported)");
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

    /// <summary>Parses the whole file (so a strict import can refuse it before writing), showing the bytes read.</summary>
    private static ParsedImport Parse(SignalTypeRegistry types, ImportRequest request, Func<string, long, Action<long>> stage)
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
            var read = stage("Reading", stream.Length);
            using var counting = new ProgressStream(stream, read);
            using var reader = new StreamReader(counting, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            try
            {
                return new SignalImportParser(types).Parse(request.Format, reader, request.SignalType, request.Designation);
            }
            catch (IOException ex)
            {
                throw new CommandFailedException(ExitCodes.BadInput, $"{request.Path}: read error: {ex.Message}");
            }
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
