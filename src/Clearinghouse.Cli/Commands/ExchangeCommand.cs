using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Clearinghouse.Cli.Node;
using Clearinghouse.Cli.Terminal;
using Clearinghouse.Exchanges;
using Clearinghouse.Exchanges.Programs;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Commands;

/// <summary>
/// <c>clearinghouse exchange import|add|list|sync|remove</c>: imports from the hash-sharing programs members already
/// belong to (TCAP, ThreatExchange, NCMEC, StopNCII, HMA, python-threatexchange local_file), from their files or
/// live from their APIs, directly in the store (run on the node's machine, like <c>import</c>).
/// </summary>
internal static class ExchangeCommand
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(100) };

    public static Command Create()
    {
        var exchange = new Command("exchange", "Import from hash-sharing programs (tcap, threatexchange, ncmec, stopncii, hma, local_file): from their files, or configured to sync live from their APIs");
        exchange.Subcommands.Add(CreateImport());
        exchange.Subcommands.Add(CreateAdd());
        exchange.Subcommands.Add(CreateList());
        exchange.Subcommands.Add(CreateSync());
        exchange.Subcommands.Add(CreateRemove());
        return exchange;
    }

    private static Option<string> ProgramOption() => new("--program", "-p") { Description = $"The program: {string.Join(", ", ExchangePrograms.Names)}", Required = true };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the result as one JSON object" };

    private static ExchangeRunner Runner(IClearinghouseStore store) => new(store, SignalTypeRegistry.CreateDefault(), Http);

    // --- import ------------------------------------------------------------------------------------------------

    private static Command CreateImport()
    {
        var store = new StoreOptions();
        var file = new Argument<string>("FILE") { Description = "The program's export: a saved API page, a JSON array or JSON lines of records (NCMEC: its XML; local_file: '<signal_type> <value>' lines)" };
        var program = ProgramOption();
        var bank = new Option<string>("--bank", "-b") { Description = "The bank to import into", Required = true };
        var name = new Option<string?>("--exchange") { Description = "The exchange the signals are recorded under (default: <program>-file-<bank>; created when missing). Deletes and re-imports only touch its own signals" };
        var full = new Option<bool>("--full") { Description = "The file is the program's whole list: withdraw what this exchange imported earlier and the file no longer lists" };
        var pageSize = new Option<int>("--page-size") { Description = "Records per store transaction", DefaultValueFactory = _ => 10_000 };
        var json = JsonOption();
        var command = new Command(
            "import",
            "Import a program's export file into a bank (checked whole first: a file not in the program's format imports nothing). Exit 0: all imported; 1: some records skipped or left alone (each reported); 3: the file is not in the format")
        {
            file, program, bank, name, full, pageSize, json,
        };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            string path = parse.GetValue(file)!;
            ExchangeProgram parsed = ExchangePrograms.Parse(parse.GetValue(program)) ?? throw new UsageException($"--program: unknown program '{parse.GetValue(program)}' (known: {string.Join(", ", ExchangePrograms.Names)})");
            int size = parse.GetValue(pageSize);
            if (size < 1)
            {
                throw new UsageException("--page-size must be at least 1");
            }

            if (!File.Exists(path))
            {
                throw new CommandFailedException(ExitCodes.BadInput, Directory.Exists(path) ? $"{path}: is a directory, not a file" : $"{path}: no such file");
            }

            return NodeStore.RunAsync(store.Read(parse), s => ImportAsync(s, parsed, path, parse.GetValue(bank)!, parse.GetValue(name), parse.GetValue(full), size, parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken), cancellationToken);
        });
        return command;
    }

    private static async Task<int> ImportAsync(IClearinghouseStore store, ExchangeProgram program, string path, string bankName, string? exchangeName, bool full, int pageSize, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        Bank bank = await BankCommand.FindAsync(store, bankName, cancellationToken).ConfigureAwait(false);
        var runner = Runner(store);
        string programName = ExchangePrograms.NameOf(program);
        string name = exchangeName ?? $"{programName}-file-{bank.Name}";
        Exchange exchange = await runner.Exchanges.FindExchangeAsync(name, cancellationToken).ConfigureAwait(false)
            ?? await runner.Exchanges.CreateExchangeAsync(new NewExchange(name, programName, bank.Id, bank.OwnerMemberId, "{}", Enabled: false), cancellationToken).ConfigureAwait(false);
        if (exchange.Program != programName || exchange.BankId != bank.Id)
        {
            throw new CommandFailedException(ExitCodes.Refused, $"exchange '{name}' imports {exchange.Program} into another bank or program; choose another --exchange name");
        }

        (ExchangeSync sync, _, _) = await runner.PrepareAsync(exchange, cancellationToken).ConfigureAwait(false);
        IProgramFormat format = ProgramFormats.For(program);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long length = new FileInfo(path).Length;
        SyncReport? report = null;
        Exception? failure = null;

        // Two passes, so memory stays bounded by a page whatever the file's size: the first reads every page (a file
        // not in the program's format fails here, before anything is written), the second applies them in order.
        ProgressReporter.RunStages(ProgressReporter.IsWatched(error) && length >= 1 << 20, stage =>
        {
            try
            {
                long records = 0;
                var checking = stage("Checking", length);
                RunPages(path, format, pageSize, checking, pages =>
                {
                    foreach (ProgramPage page in pages)
                    {
                        records += page.Records.Count + page.Problems.Count;
                    }
                }, cancellationToken);
                var applying = stage("Importing", Math.Max(1, records));
                RunPages(path, format, pageSize, _ => { }, pages =>
                {
                    var progress = new Progress(p => applying(p.Records));
                    report = sync.ApplyAsync(exchange, ToAsync(pages), full, progress, cancellationToken).GetAwaiter().GetResult();
                }, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failure = ex; // reported once the bar is gone
            }
        });

        if (failure is ExchangeFormatException format1)
        {
            throw new CommandFailedException(ExitCodes.BadInput, $"{format1.Message}; nothing was imported");
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        JsonObject result = report!.ToJson();
        result["exchange"] = name;
        result["program"] = programName;
        result["bank"] = bank.Name;
        Print(report, result, json, output, error, path);
        if (!json)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"imported {programName} records from {path} into bank '{bank.Name}' (exchange '{name}'): {report.Records} records, {report.Added} added, {report.Relabelled} relabelled, {report.Withdrawn} withdrawn, {report.Unchanged} unchanged, {report.ProblemCount + report.ConflictCount} not imported, in {clock.Elapsed.TotalSeconds:0.0} s"));
        }

        return report.ProblemCount + report.ConflictCount > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
    }

    /// <summary>Reads the file's pages synchronously (the progress bar's callback is synchronous), reporting bytes read.</summary>
    private static void RunPages(string path, IProgramFormat format, int pageSize, Action<long> read, Action<IEnumerable<ProgramPage>> consume, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailedException(ExitCodes.BadInput, $"{path}: cannot read: {ex.Message}");
        }

        using (stream)
        {
            using var counting = new ProgressStream(stream, read);
            using var seekable = new SeekableProgress(stream, counting);
            consume(ToEnumerable(format.ReadFileAsync(seekable, path, pageSize, cancellationToken)));
        }
    }

    private static IEnumerable<ProgramPage> ToEnumerable(IAsyncEnumerable<ProgramPage> pages)
    {
        IAsyncEnumerator<ProgramPage> e = pages.GetAsyncEnumerator();
        try
        {
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                yield return e.Current;
            }
        }
        finally
        {
            e.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static async IAsyncEnumerable<ProgramPage> ToAsync(IEnumerable<ProgramPage> pages)
    {
        foreach (ProgramPage page in pages)
        {
            yield return page;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    private static void Print(SyncReport report, JsonObject result, bool json, TextWriter output, TextWriter error, string source)
    {
        if (json)
        {
            output.WriteLine(result.ToJsonString());
            return;
        }

        foreach (RecordProblem p in report.Problems)
        {
            error.WriteLine($"{source}: {p.Where}{(p.Key is null ? string.Empty : $" (record {p.Key})")}: {p.Code}: {p.Reason}");
        }

        foreach (ExchangeConflict c in report.Conflicts)
        {
            error.WriteLine($"{source}: record {c.Key}: {c.Code}: {c.SignalType} {c.Value}: {c.Reason}");
        }

        if (report.ProblemCount + report.ConflictCount > report.Problems.Count + report.Conflicts.Count)
        {
            error.WriteLine($"{source}: ... and {report.ProblemCount + report.ConflictCount - report.Problems.Count - report.Conflicts.Count} more not listed (see --json counts)");
        }

        if (report.StaleCheckpoint is { } stale)
        {
            error.WriteLine($"{source}: {stale}: fetched everything again");
        }
    }

    // --- add, list, sync, remove ---------------------------------------------------------------------------------

    private static Command CreateAdd()
    {
        var store = new StoreOptions();
        var name = new Argument<string>("NAME") { Description = "The exchange's name" };
        var program = ProgramOption();
        var bank = new Option<string>("--bank", "-b") { Description = "The bank it imports into", Required = true };
        var settings = new Option<string[]>("--set")
        {
            Description = "A setting as KEY=VALUE (repeatable): base_url, credentials_env, credentials_file, path, privacy_group, page_size, default_category, stale_after_days, max_attempts, retry_base_ms, api_version, poll_seconds (see docs/exchanges.md)",
        };
        var categories = new Option<string[]>("--map") { Description = "Map a program tag to a category, as TAG=CATEGORY (repeatable)" };
        var contributor = new Option<string?>("--contributor") { Description = "The member recorded as contributing the imported signals (default: the bank's owner)" };
        var disabled = new Option<bool>("--disabled") { Description = "Do not sync in the background (sync with 'exchange sync')" };
        var json = JsonOption();
        var command = new Command("add", "Configure a live exchange: the node syncs enabled ones in the background (credentials are read from the environment or a file, never stored)")
        {
            name, program, bank, settings, categories, contributor, disabled, json,
        };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            Bank target = await BankCommand.FindAsync(s, parse.GetValue(bank)!, cancellationToken).ConfigureAwait(false);
            string settingsJson = SettingsJson(parse.GetValue(settings) ?? [], parse.GetValue(categories) ?? []);
            var runner = Runner(s);
            ExchangeProgram parsed;
            try
            {
                parsed = await runner.ValidateAsync(parse.GetValue(program)!, settingsJson, target, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException ex)
            {
                throw new UsageException(ex.Message);
            }

            long contributorId = target.OwnerMemberId;
            if (parse.GetValue(contributor) is { } member)
            {
                contributorId = (await s.FindMemberAsync(member, cancellationToken).ConfigureAwait(false)
                    ?? throw new CommandFailedException(ExitCodes.Refused, $"no member named '{member}' (members: clearinghouse member list)")).Id;
            }

            Exchange created = await runner.Exchanges.CreateExchangeAsync(
                new NewExchange(parse.GetValue(name)!, ExchangePrograms.NameOf(parsed), target.Id, contributorId, settingsJson, !parse.GetValue(disabled)), cancellationToken).ConfigureAwait(false);
            WriteExchange(parse, created, target.Name, "added");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateList()
    {
        var store = new StoreOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object per exchange" };
        var command = new Command("list", "List the configured exchanges, where each sync stands and its last error") { json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var runner = Runner(s);
            foreach (Exchange exchange in await runner.Exchanges.ListExchangesAsync(cancellationToken).ConfigureAwait(false))
            {
                string bankName = (await s.GetBankAsync(exchange.BankId, cancellationToken).ConfigureAwait(false))?.Name ?? "?";
                WriteExchange(parse, exchange, bankName, verb: null);
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateSync()
    {
        var store = new StoreOptions();
        var name = new Argument<string>("NAME") { Description = "The exchange to sync now" };
        var json = JsonOption();
        var command = new Command("sync", "Sync an exchange now, from its stored checkpoint (a stale checkpoint fetches everything). Exit 0: synced; 1: some records skipped; 3: the program answered with something not in its format; 4: unreachable after retries; 5: credentials refused") { name, json };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var runner = Runner(s);
            Exchange exchange = await FindAsync(runner, parse.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            string bankName = (await s.GetBankAsync(exchange.BankId, cancellationToken).ConfigureAwait(false))?.Name ?? "?";
            SyncReport report;
            try
            {
                report = await runner.SyncAsync(exchange, null, cancellationToken).ConfigureAwait(false);
            }
            catch (ExchangeAuthException ex)
            {
                throw new CommandFailedException(ExitCodes.Refused, ex.Message);
            }
            catch (ExchangeUnavailableException ex)
            {
                throw new CommandFailedException(ExitCodes.Unavailable, ex.Message);
            }
            catch (ExchangeFormatException ex)
            {
                throw new CommandFailedException(ExitCodes.BadInput, $"{ex.Message}; that page was not applied (earlier pages were, with their checkpoint)");
            }
            catch (FormatException ex)
            {
                throw new CommandFailedException(ExitCodes.Refused, $"exchange '{exchange.Name}': {ex.Message}");
            }

            JsonObject result = report.ToJson();
            result["exchange"] = exchange.Name;
            result["program"] = exchange.Program;
            result["bank"] = bankName;
            TextWriter output = parse.InvocationConfiguration.Output;
            Print(report, result, parse.GetValue(json), output, parse.InvocationConfiguration.Error, exchange.Name);
            if (!parse.GetValue(json))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"synced exchange '{exchange.Name}' ({exchange.Program}) into bank '{bankName}': {report.Pages} pages, {report.Records} records, {report.Added} added, {report.Relabelled} relabelled, {report.Withdrawn} withdrawn{(report.FullFetch ? " (full fetch)" : string.Empty)}; checkpoint {report.Checkpoint ?? "unchanged"}"));
            }

            return report.ProblemCount + report.ConflictCount > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CreateRemove()
    {
        var store = new StoreOptions();
        var name = new Argument<string>("NAME") { Description = "The exchange to remove" };
        var command = new Command("remove", "Forget an exchange (its configuration and checkpoint); the signals it imported stay, with their provenance") { name };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeStore.RunAsync(store.Read(parse), async s =>
        {
            var runner = Runner(s);
            Exchange exchange = await FindAsync(runner, parse.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            await runner.Exchanges.DeleteExchangeAsync(exchange.Id, cancellationToken).ConfigureAwait(false);
            parse.InvocationConfiguration.Output.WriteLine($"removed exchange '{exchange.Name}' ({exchange.Imported} signals it imported stay in their bank)");
            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static async Task<Exchange> FindAsync(ExchangeRunner runner, string name, CancellationToken cancellationToken) =>
        await runner.Exchanges.FindExchangeAsync(name, cancellationToken).ConfigureAwait(false)
        ?? throw new CommandFailedException(ExitCodes.Refused, $"no exchange named '{name}' (exchanges: clearinghouse exchange list)");

    private static void WriteExchange(ParseResult parse, Exchange exchange, string bankName, string? verb)
    {
        TextWriter output = parse.InvocationConfiguration.Output;
        if (parse.GetValue<bool>("--json"))
        {
            output.WriteLine(ExchangeRunner.Describe(exchange, bankName).ToJsonString());
            return;
        }

        string state = exchange.Enabled ? "enabled" : "disabled";
        string last = exchange.LastSyncAt is { } at ? $", last sync {at:u}" : ", never synced";
        string problem = exchange.LastError is { } e ? $", last error: {e}" : string.Empty;
        output.WriteLine($"{(verb is null ? string.Empty : verb + " ")}{exchange.Name}\t{exchange.Program} -> {bankName}\t{state}, {exchange.Imported} imported, checkpoint {exchange.Checkpoint ?? "none"}{last}{problem}");
    }

    /// <summary>The settings object from <c>--set KEY=VALUE</c> (numbers stay numbers) and <c>--map TAG=CATEGORY</c>.</summary>
    private static string SettingsJson(string[] settings, string[] categories)
    {
        var root = new JsonObject();
        foreach (string setting in settings)
        {
            (string key, string value) = Split(setting, "--set");
            root[key] = key == "default_category" && value is "none" or "skip" ? null
                : long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && key is "page_size" or "max_attempts" or "retry_base_ms" or "stale_after_days" or "poll_seconds" ? JsonValue.Create(n)
                : JsonValue.Create(value);
        }

        if (categories.Length > 0)
        {
            var map = new JsonObject();
            foreach (string mapping in categories)
            {
                (string tag, string category) = Split(mapping, "--map");
                map[tag] = category;
            }

            root["categories"] = map;
        }

        return root.ToJsonString();
    }

    private static (string Key, string Value) Split(string text, string option)
    {
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? (text[..equals].Trim(), text[(equals + 1)..].Trim()) : throw new UsageException($"{option}: expected KEY=VALUE, found '{text}'");
    }

    /// <summary>A seekable view of a file stream that reports the bytes read through the counting wrapper.</summary>
    private sealed class SeekableProgress(FileStream file, Stream counting) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => file.Length;

        public override long Position { get => file.Position; set => file.Position = value; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => counting.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => counting.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class Progress(Action<SyncProgress> report) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => report(value);
    }
}
