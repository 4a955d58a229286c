using System.Diagnostics;
using System.Text;
using Clearinghouse.Cli.Json;
using Clearinghouse.Server.Import;
using Clearinghouse.Signals;
using Clearinghouse.Storage;
using Microsoft.Data.Sqlite;

namespace Clearinghouse.Cli.Bench;

/// <summary>Options of <c>clearinghouse bench import</c>.</summary>
/// <param name="Signals">Random PDQ signals to import.</param>
/// <param name="BatchSize">Signals per store transaction, as <c>clearinghouse import --batch-size</c>.</param>
/// <param name="Directory">Where the throwaway SQLite databases go (a fresh temporary directory when null; deleted afterwards).</param>
/// <param name="Baseline">Also time the same rows through a bare SQLite insert (no indexes), in the same run.</param>
internal sealed record ImportBenchOptions(int Signals, int BatchSize, string? Directory, bool Baseline);

/// <summary>What <c>clearinghouse bench import</c> prints: one JSON line.</summary>
internal sealed record ImportBenchResult(
    int Signals,
    int BatchSize,
    double ParseSeconds,
    double WriteSeconds,
    double SignalsPerSecond,
    double WriteSignalsPerSecond,
    double? BaselineSeconds,
    double? WriteVsBaseline,
    long DatabaseBytes);

/// <summary>
/// <c>clearinghouse bench import</c>: the bulk-import path of <c>clearinghouse import</c> (the node's parser and
/// <see cref="SignalImporter"/> into a fresh SQLite store, WAL and synchronous=FULL as served), timed in its two
/// halves, against a baseline measured in the same run: the same values inserted by a prepared statement, in
/// transactions of the same size, into a table with no index — the floor any store with lookups must sit above.
/// </summary>
internal static class ImportBenchmark
{
    public static async Task<int> RunAsync(ImportBenchOptions options, TextWriter stdout, CancellationToken cancellationToken)
    {
        string root = options.Directory ?? Path.Combine(Path.GetTempPath(), "clearinghouse-bench-import-" + Guid.NewGuid().ToString("N"));
        bool ownRoot = options.Directory is null;
        System.IO.Directory.CreateDirectory(root);
        try
        {
            string text = RandomPdqLines(options.Signals);
            var clock = Stopwatch.StartNew();
            ParsedImport parsed = new SignalImportParser(SignalTypeRegistry.CreateDefault()).Parse(ImportFormat.LocalFile, new StringReader(text), null, null);
            double parseSeconds = clock.Elapsed.TotalSeconds;
            text = string.Empty;

            string storeDirectory = Path.Combine(root, "store");
            double writeSeconds;
            await using (IClearinghouseStore store = await StoreFactory.OpenMigratedAsync(storeDirectory, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                await store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault(), cancellationToken).ConfigureAwait(false);
                Member owner = await store.CreateMemberAsync("bench", cancellationToken).ConfigureAwait(false);
                Bank bank = await store.CreateBankAsync(new NewBank("bench", "attack-footage", owner.Id), cancellationToken).ConfigureAwait(false);
                var importer = new SignalImporter(store);
                ImportPlan plan = await importer.PlanAsync(bank, parsed, cancellationToken).ConfigureAwait(false);
                clock.Restart();
                ImportOutcome outcome = await importer.WriteAsync(plan, owner.Id, options.BatchSize, cancellationToken: cancellationToken).ConfigureAwait(false);
                writeSeconds = clock.Elapsed.TotalSeconds;
                if (outcome.Added != options.Signals)
                {
                    throw new InvalidOperationException($"the store added {outcome.Added} of {options.Signals} signals");
                }
            }

            long databaseBytes = new DirectoryInfo(storeDirectory).EnumerateFiles().Sum(f => f.Length);
            double? baselineSeconds = options.Baseline ? BareInsertSeconds(Path.Combine(root, "baseline.db"), parsed, options.BatchSize) : null;
            double total = parseSeconds + writeSeconds;
            JsonLines.Write(stdout, new ImportBenchResult(
                options.Signals,
                options.BatchSize,
                Math.Round(parseSeconds, 3),
                Math.Round(writeSeconds, 3),
                Math.Round(options.Signals / total),
                Math.Round(options.Signals / writeSeconds),
                baselineSeconds is { } b ? Math.Round(b, 3) : null,
                baselineSeconds is { } b2 ? Math.Round(writeSeconds / b2, 2) : null,
                databaseBytes));
            return ExitCodes.Success;
        }
        finally
        {
            if (ownRoot)
            {
                SqliteConnection.ClearAllPools();
                System.IO.Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>A local_file import of <paramref name="count"/> distinct random PDQ hashes (fixed seed, so runs compare).</summary>
    private static string RandomPdqLines(int count)
    {
        var random = new Random(20261129);
        var text = new StringBuilder(count * 69);
        Span<byte> hash = stackalloc byte[32];
        for (int i = 0; i < count; i++)
        {
            random.NextBytes(hash);
            text.Append("pdq ").Append(Convert.ToHexStringLower(hash)).Append('\n');
        }

        return text.ToString();
    }

    private static double BareInsertSeconds(string path, ParsedImport parsed, int batchSize)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using (SqliteCommand setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE rows (signal_type text NOT NULL, value text NOT NULL);";
            setup.ExecuteNonQuery();
        }

        var clock = Stopwatch.StartNew();
        var signals = parsed.Signals;
        for (int start = 0; start < signals.Count; start += batchSize)
        {
            using SqliteTransaction transaction = connection.BeginTransaction();
            using SqliteCommand insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO rows (signal_type, value) VALUES ($type, $value)";
            SqliteParameter type = insert.Parameters.Add("$type", SqliteType.Text);
            SqliteParameter value = insert.Parameters.Add("$value", SqliteType.Text);
            insert.Prepare();
            for (int i = start; i < Math.Min(signals.Count, start + batchSize); i++)
            {
                type.Value = signals[i].Signal.SignalType;
                value.Value = signals[i].Signal.Value;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return clock.Elapsed.TotalSeconds;
    }
}
