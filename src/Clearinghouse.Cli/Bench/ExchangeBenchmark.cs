using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Clearinghouse.Exchanges;
using Clearinghouse.Exchanges.Programs;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Bench;

/// <summary>What <c>clearinghouse bench exchange</c> measures.</summary>
internal sealed record ExchangeBenchOptions(int Records, int PageSize, string? Directory);

/// <summary>
/// Times importing a TCAP hash-list export of random entries (half MD5, half PDQ) into a fresh SQLite store, as
/// <c>clearinghouse exchange import</c> does it: a first pass reading every page (the format check), a second
/// applying them page by page (mapping, canonical values, signals with their log entries, the exchange's record
/// table and checkpoint in each page's transaction). Then re-applies the same file (every record unchanged).
/// </summary>
internal static class ExchangeBenchmark
{
    public static async Task<int> RunAsync(ExchangeBenchOptions options, TextWriter stdout, CancellationToken cancellationToken)
    {
        string root = options.Directory ?? Path.Combine(Path.GetTempPath(), "clearinghouse-bench-exchange-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            string file = Path.Combine(root, "tcap.json");
            var clock = Stopwatch.StartNew();
            WriteTcapExport(file, options.Records);
            double writeSeconds = clock.Elapsed.TotalSeconds;

            await using var store = new SqliteStore(Path.Combine(root, "data"));
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            await store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault(), cancellationToken).ConfigureAwait(false);
            Member member = await store.CreateMemberAsync("bench", cancellationToken).ConfigureAwait(false);
            Bank bank = await store.CreateBankAsync(new NewBank("TCAP", "attack-footage", member.Id), cancellationToken).ConfigureAwait(false);
            Exchange exchange = await store.CreateExchangeAsync(new NewExchange("tcap-bench", "tcap", bank.Id, member.Id, "{}", Enabled: false), cancellationToken).ConfigureAwait(false);
            Taxonomy taxonomy = (await store.GetTaxonomyAsync(cancellationToken).ConfigureAwait(false))!;
            var mapper = new ExchangeMapper(ExchangeProgram.Tcap, SignalTypeRegistry.CreateDefault(), ExchangeSettings.Parse("{}"), bank.Category, taxonomy.Categories.Select(c => c.Id));
            var sync = new ExchangeSync(store, mapper);

            clock.Restart();
            long checkedRecords = 0;
            await using (FileStream stream = File.OpenRead(file))
            {
                await foreach (ProgramPage page in new TcapFormat().ReadFileAsync(stream, file, options.PageSize, cancellationToken).ConfigureAwait(false))
                {
                    checkedRecords += page.Records.Count + page.Problems.Count;
                }
            }

            double checkSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            SyncReport first;
            await using (FileStream stream = File.OpenRead(file))
            {
                first = await sync.ApplyAsync(exchange, new TcapFormat().ReadFileAsync(stream, file, options.PageSize, cancellationToken), full: false, null, cancellationToken).ConfigureAwait(false);
            }

            double importSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            SyncReport again;
            await using (FileStream stream = File.OpenRead(file))
            {
                again = await sync.ApplyAsync(exchange, new TcapFormat().ReadFileAsync(stream, file, options.PageSize, cancellationToken), full: false, null, cancellationToken).ConfigureAwait(false);
            }

            double reapplySeconds = clock.Elapsed.TotalSeconds;
            stdout.WriteLine(new JsonObject
            {
                ["benchmark"] = "exchange-import",
                ["program"] = "tcap",
                ["records"] = options.Records,
                ["page_size"] = options.PageSize,
                ["file_mb"] = Math.Round(new FileInfo(file).Length / 1048576.0, 1),
                ["write_file_s"] = Math.Round(writeSeconds, 2),
                ["check_s"] = Math.Round(checkSeconds, 2),
                ["import_s"] = Math.Round(importSeconds, 2),
                ["records_per_s"] = Math.Round(options.Records / importSeconds),
                ["end_to_end_s"] = Math.Round(checkSeconds + importSeconds, 2),
                ["added"] = first.Added,
                ["checked"] = checkedRecords,
                ["reapply_s"] = Math.Round(reapplySeconds, 2),
                ["reapply_unchanged"] = again.Unchanged,
                ["processors"] = Environment.ProcessorCount,
            }.ToJsonString());
            return first.Added == options.Records && again.Unchanged == options.Records ? ExitCodes.Success : ExitCodes.InternalError;
        }
        finally
        {
            if (options.Directory is null)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>A JSON array of TCAP entries with random digests, in (updated_on, id) order as TCAP serves them.</summary>
    private static void WriteTcapExport(string path, int count)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write('[');
        Span<byte> random = stackalloc byte[32];
        for (int i = 0; i < count; i++)
        {
            bool pdq = (i & 1) == 1;
            RandomNumberGenerator.Fill(random);
            string digest = Convert.ToHexStringLower(pdq ? random : random[..16]);
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{(i == 0 ? string.Empty : ",")}\n{{\"id\": {i + 1}, \"hash_digest\": \"{digest}\", \"algorithm\": \"{(pdq ? "PDQ" : "MD5")}\", \"ideology\": \"{(i % 3 == 0 ? "far-right" : "islamist")}\", \"file_type\": \"{(pdq ? "jpg" : "mp4")}\", \"deleted\": false, \"updated_on\": {1700000000 + (i / 10)}.{i % 10}}}"));
        }

        writer.Write("\n]\n");
    }
}
