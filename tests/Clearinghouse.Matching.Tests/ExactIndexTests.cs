namespace Clearinghouse.Matching.Tests;

public sealed class ExactIndexTests
{
    [Fact]
    public void Finds_equal_values_only_with_distance_zero()
    {
        var index = new ExactIndex<string>();
        index.Add(1, "a");
        index.Add(2, "b");
        index.Add(3, "a");
        Assert.Equal(3, index.Count);
        Assert.Equal([new IndexMatch(1, 0), new IndexMatch(3, 0)], Model.Sorted(index.Query("a", 0)));
        Assert.Equal([new IndexMatch(2, 0)], index.Query("b", 31));
        Assert.Empty(index.Query("c", 1000));
    }

    [Fact]
    public void Remove_readd_and_replace()
    {
        var index = new ExactIndex<UInt128>();
        UInt128 ten = 10, twenty = 20;
        Assert.False(index.Remove(1));
        index.Add(1, 10);
        index.Add(2, 10);
        Assert.True(index.Remove(1));
        Assert.False(index.Remove(1));
        Assert.False(index.Contains(1));
        Assert.Equal([new IndexMatch(2, 0)], index.Query(ten, 0));
        index.Add(1, 10);
        Assert.Equal(2, index.Query(ten, 0).Count);

        // Replacing moves the id to its new value.
        index.Add(2, 20);
        Assert.Equal(2, index.Count);
        Assert.Equal([new IndexMatch(1, 0)], index.Query(ten, 0));
        Assert.Equal([new IndexMatch(2, 0)], index.Query(twenty, 0));
        Assert.True(index.Remove(1));
        Assert.Empty(index.Query(ten, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Query(twenty, -1));
    }

    [Fact]
    public async Task Readers_during_writes_see_whole_id_arrays()
    {
        var index = new ExactIndex<int>();
        for (int id = 0; id < 100; id++)
        {
            index.Add(id, id % 10);
        }

        using var stop = new CancellationTokenSource();
        var writer = Task.Factory.StartNew(() =>
        {
            var rng = new Random(1);
            while (!stop.IsCancellationRequested)
            {
                int id = 100 + rng.Next(1000);
                if (rng.Next(2) == 0)
                {
                    index.Add(id, id % 10);
                }
                else
                {
                    index.Remove(id);
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var failures = 0;
        var reader = Task.Factory.StartNew(() =>
        {
            var results = new List<IndexMatch>();
            while (!stop.IsCancellationRequested)
            {
                for (int v = 0; v < 10; v++)
                {
                    results.Clear();
                    index.Query(v, 0, results);
                    var ids = results.Select(m => m.Id).ToList();
                    if (ids.Count != ids.Distinct().Count() || ids.Any(id => id % 10 != v)
                        || Enumerable.Range(0, 100).Where(id => id % 10 == v).Any(id => !ids.Contains(id)))
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(writer, reader);
        Assert.Equal(0, failures);
    }
}
