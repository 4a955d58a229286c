using Clearinghouse.Hashing.Tlsh;
using Clearinghouse.Hashing.Urls;
using Clearinghouse.Matching.Tlsh;
using Clearinghouse.Matching.Urls;

namespace Clearinghouse.Matching.Tests;

/// <summary>
/// The TLSH and URL indexes under one writer and several readers: the entries that are never touched are always
/// found with their exact distance, no result is a duplicate or beyond the threshold.
/// </summary>
public sealed class TextAndUrlIndexConcurrencyTests
{
    [Fact]
    public async Task Tlsh_readers_during_writes_see_stable_entries_once_and_never_torn_ones()
    {
        var rng = new Random(4);
        var centre = new byte[TlshHash.ByteLength];
        rng.NextBytes(centre);
        TlshHash Near(Random r)
        {
            var copy = (byte[])centre.Clone();
            copy[2] ^= (byte)(r.Next(2) << 4); // Q1 ratio ±1: another group, distance +1
            copy[3 + r.Next(32)] ^= (byte)(1 << r.Next(8));
            copy[3 + r.Next(32)] ^= (byte)(1 << r.Next(8));
            return TlshHash.FromBytes(copy);
        }

        var index = new TlshIndex();
        var stable = Enumerable.Range(0, 200).Select(_ => Near(rng)).ToArray();
        for (int i = 0; i < stable.Length; i++)
        {
            index.Add(i, stable[i]);
        }

        var query = TlshHash.FromBytes(centre);
        await RunConcurrently(
            writer: r =>
            {
                long id = 1000 + r.Next(3000);
                if (r.Next(3) == 0)
                {
                    index.Remove(id);
                }
                else
                {
                    index.Add(id, Near(r));
                }
            },
            reader: () =>
            {
                var results = new List<IndexMatch>();
                index.Query(query, 30, results);
                Assert.Equal(results.Count, results.Select(m => m.Id).Distinct().Count());
                Assert.All(results, m => Assert.InRange(m.Distance, 0, 30));
                var found = results.Where(m => m.Id < stable.Length).ToDictionary(m => m.Id, m => m.Distance);
                for (int i = 0; i < stable.Length; i++)
                {
                    Assert.Equal(TlshHash.Distance(query, stable[i]), found[i]);
                }
            });
    }

    [Fact]
    public async Task Url_readers_during_writes_see_stable_entries_once()
    {
        var index = new UrlIndex();
        index.Add(1, UrlPattern.Parse("domain:example.com"));
        index.Add(2, UrlPattern.Parse("prefix:https://www.example.com/a/"));
        index.Add(3, UrlPattern.Parse("https://www.example.com/a/b"));
        var query = UrlPattern.Parse("https://www.example.com/a/b");
        string[] churn = ["domain:www.example.com", "prefix:https://www.example.com/", "https://www.example.com/a/b", "domain:com", "prefix:https://www.example.com/a"];
        await RunConcurrently(
            writer: r =>
            {
                long id = 100 + r.Next(50);
                if (r.Next(3) == 0)
                {
                    index.Remove(id);
                }
                else
                {
                    index.Add(id, UrlPattern.Parse(churn[r.Next(churn.Length)]));
                }
            },
            reader: () =>
            {
                var ids = index.Query(query, 0).Select(m => m.Id).ToList();
                Assert.Equal(ids.Count, ids.Distinct().Count());
                Assert.Equal([1L, 2L, 3L], ids.Where(id => id < 100).Order());
            });
    }

    private static async Task RunConcurrently(Action<Random> writer, Action reader)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var write = Task.Factory.StartNew(
            () =>
            {
                var r = new Random(1);
                while (!stop.IsCancellationRequested)
                {
                    writer(r);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        var reads = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(
            () =>
            {
                int n = 0;
                while (!stop.IsCancellationRequested || n < 10)
                {
                    reader();
                    n++;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        await Task.WhenAll([write, .. reads]);
    }
}
