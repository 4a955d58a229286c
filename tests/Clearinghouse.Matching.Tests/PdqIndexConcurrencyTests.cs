using System.Diagnostics;
using Clearinghouse.Hashing;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Matching.Tests;

public sealed class PdqIndexConcurrencyTests
{
    private static readonly Hash256[] Centres = [.. Enumerable.Range(0, 8).Select(i => Hashes.Random(new Random(100 + i)))];

    /// <summary>A fixed hash per id (clustered, so queries near a centre match many ids).</summary>
    private static Hash256 HashOf(long id) => Hashes.Flip(Centres[id % Centres.Length], (int)(id * 7 % 41), new Random((int)id));

    [Fact]
    public async Task Readers_during_writes_never_see_torn_missing_or_duplicate_results()
    {
        const int stable = 1000;
        var index = new PdqIndex(new PdqIndexOptions { TailCapacity = 16, ChunkBits = 6 });
        for (long id = 0; id < stable; id++)
        {
            index.Add(id, HashOf(id));
        }

        var hashCache = Enumerable.Range(0, 6000).Select(i => HashOf(i)).ToArray();
        using var stop = new CancellationTokenSource();
        long writes = 0;
        var writer = Task.Factory.StartNew(() =>
        {
            var rng = new Random(1);
            while (!stop.IsCancellationRequested)
            {
                long id = stable + rng.Next(5000);
                int op = rng.Next(100);
                if (op < 60)
                {
                    index.Add(id, hashCache[id]);
                }
                else if (op < 99)
                {
                    index.Remove(id);
                }
                else
                {
                    index.Compact();
                }

                Interlocked.Increment(ref writes);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var failures = new List<string>();
        long queries = 0;
        var readers = Enumerable.Range(0, 3).Select(t => Task.Factory.StartNew(() =>
        {
            var rng = new Random(10 + t);
            var results = new List<IndexMatch>();
            var seen = new HashSet<long>();
            while (!stop.IsCancellationRequested)
            {
                var q = Hashes.Flip(Centres[rng.Next(Centres.Length)], rng.Next(30), rng);
                // Mostly PDQ-like radii; every fourth query takes everything, so any torn or unpublished slot shows up.
                int r = rng.Next(4) == 0 ? 256 : rng.Next(65);
                results.Clear();
                index.Query(q, r, results);
                seen.Clear();
                foreach (var m in results)
                {
                    if (!seen.Add(m.Id))
                    {
                        Fail($"id {m.Id} reported twice");
                    }

                    int d = Hash256.Distance(q, hashCache[m.Id]);
                    if (m.Distance != d || d > r)
                    {
                        Fail($"id {m.Id} reported at {m.Distance}, true distance {d}, radius {r}");
                    }
                }

                for (int id = 0; id < stable; id++)
                {
                    if (Hash256.Distance(q, hashCache[id]) <= r && !seen.Contains(id))
                    {
                        Fail($"stable id {id} missing at radius {r}");
                    }
                }

                Interlocked.Increment(ref queries);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        void Fail(string message)
        {
            lock (failures)
            {
                if (failures.Count < 10)
                {
                    failures.Add(message);
                }
            }
        }

        var clock = Stopwatch.StartNew();
        // At least 1.5 s, and until both sides did real work (bounded, in case the machine is very busy).
        while (clock.Elapsed < TimeSpan.FromSeconds(1.5)
            || (clock.Elapsed < TimeSpan.FromSeconds(10) && (Interlocked.Read(ref writes) < 2000 || Interlocked.Read(ref queries) < 200)))
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await Task.WhenAll([writer, .. readers]);

        Assert.Empty(failures);
        Assert.True(queries > 100, $"only {queries} queries in {clock.Elapsed}");
        Assert.True(writes > 1000, $"only {writes} writes in {clock.Elapsed}");
    }
}
