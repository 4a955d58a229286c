using System.Diagnostics;
using System.Security.Cryptography;
using Clearinghouse.Cli.Json;
using Clearinghouse.Ledger.Auditing;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Tiles;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Bench;

/// <summary>Options of <c>clearinghouse bench log</c>.</summary>
internal sealed record LogBenchOptions(int Entries, int BatchSize, int Proofs, string? Directory, bool Audit = true);

/// <summary>What <c>clearinghouse bench log</c> prints: one JSON line.</summary>
internal sealed record LogBenchResult(
    long Entries,
    int BatchSize,
    double AppendSeconds,
    double EntriesPerSecond,
    double InclusionProofMicroseconds,
    double ConsistencyProofMicroseconds,
    double AuditSeconds,
    double AuditEntriesPerSecond,
    long DatabaseBytes);

/// <summary>
/// <c>clearinghouse bench log</c>: the transparency log in a fresh SQLite store, as the node writes it — signals added
/// in batches, each signal one signal-added entry (commitment, canonical JSON, leaf hash, tiles) written in the
/// signals' transaction — then inclusion and consistency proofs at random positions from the stored tiles (a fresh
/// store object, so the tile cache starts cold), then a first audit of every entry (parse, canonical check, leaf
/// hash, tree, signature) as <c>clearinghouse verify</c> does.
/// </summary>
internal static class LogBenchmark
{
    public static async Task<int> RunAsync(LogBenchOptions options, TextWriter stdout, CancellationToken cancellationToken)
    {
        string root = options.Directory ?? Path.Combine(Path.GetTempPath(), "clearinghouse-bench-log-" + Guid.NewGuid().ToString("N"));
        bool ownRoot = options.Directory is null;
        Directory.CreateDirectory(root);
        try
        {
            double appendSeconds;
            await using (IClearinghouseStore store = await StoreFactory.OpenMigratedAsync(root, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                // A store from an earlier run (--dir) is appended to: its bench member and bank are reused.
                if (await store.GetTaxonomyAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    await store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault(), cancellationToken).ConfigureAwait(false);
                }

                Member member = await store.FindMemberAsync("bench", cancellationToken).ConfigureAwait(false)
                    ?? await store.CreateMemberAsync("bench", cancellationToken).ConfigureAwait(false);
                Bank bank = await store.FindBankAsync("bench", cancellationToken).ConfigureAwait(false)
                    ?? await store.CreateBankAsync(new NewBank("bench", "attack-footage", member.Id), cancellationToken).ConfigureAwait(false);
                var clock = Stopwatch.StartNew();
                for (int done = 0; done < options.Entries; done += options.BatchSize)
                {
                    int count = Math.Min(options.BatchSize, options.Entries - done);
                    var signals = new NewSignal[count];
                    byte[] random = RandomNumberGenerator.GetBytes(count * 32);
                    for (int i = 0; i < count; i++)
                    {
                        signals[i] = new NewSignal("pdq", Convert.ToHexStringLower(random.AsSpan(i * 32, 32)));
                    }

                    await store.AddSignalsAsync(bank.Id, member.Id, signals, cancellationToken).ConfigureAwait(false);
                }

                appendSeconds = clock.Elapsed.TotalSeconds;
            }

            await using IClearinghouseStore cold = await StoreFactory.OpenMigratedAsync(root, cancellationToken: cancellationToken).ConfigureAwait(false);
            LogHead head = await cold.GetLogHeadAsync(cancellationToken).ConfigureAwait(false);
            double inclusion = await TimeAsync(options.Proofs, random => cold.GetInclusionProofAsync(random.NextInt64(head.Size), head.Size, cancellationToken)).ConfigureAwait(false);
            double consistency = await TimeAsync(options.Proofs, random => cold.GetConsistencyProofAsync(1 + random.NextInt64(head.Size - 1), head.Size, cancellationToken)).ConfigureAwait(false);

            double auditSeconds = options.Audit ? Audit(cold, head) : 0;

            long bytes = new DirectoryInfo(root).EnumerateFiles().Sum(f => f.Length);
            JsonLines.Write(stdout, new LogBenchResult(
                head.Size, options.BatchSize, Math.Round(appendSeconds, 3), Math.Round(options.Entries / appendSeconds),
                Math.Round(inclusion, 1), Math.Round(consistency, 1), Math.Round(auditSeconds, 3), options.Audit ? Math.Round(head.Size / auditSeconds) : 0, bytes));
            return ExitCodes.Success;
        }
        finally
        {
            if (ownRoot)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>Seconds for a first audit of the whole log, as <c>clearinghouse verify</c> does it.</summary>
    private static double Audit(IClearinghouseStore store, LogHead head)
    {
        using var key = NodeSigningKey.Generate("bench.localhost/log");
        string checkpoint = new Ledger.Checkpoints.Checkpoint(key.Name, head.Size, head.Root).Sign(key);
        var audit = Stopwatch.StartNew();
        var verifier = new LogVerifier(key.Name, key.Verifier, new InMemoryTileStore());
        verifier.Verify(checkpoint, ReadAll(store, head.Size));
        return audit.Elapsed.TotalSeconds;
    }

    /// <summary>Mean microseconds per call over <paramref name="count"/> calls at random positions.</summary>
    private static async Task<double> TimeAsync(int count, Func<Random, Task<IReadOnlyList<MerkleHash>>> call)
    {
        var random = new Random(5);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            await call(random).ConfigureAwait(false);
        }

        return clock.Elapsed.TotalMicroseconds / count;
    }

    private static IEnumerable<ReadOnlyMemory<byte>> ReadAll(IClearinghouseStore store, long size)
    {
        for (long start = 0; start < size; start += SqlStore.MaxLogEntriesPerRead)
        {
            foreach (LogRecord record in store.ReadLogEntriesAsync(start, Math.Min(size, start + SqlStore.MaxLogEntriesPerRead)).GetAwaiter().GetResult())
            {
                yield return record.Body;
            }
        }
    }
}
