using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Matching.Tests;

public sealed class PdqIndexBulkLoadTests
{
    private static Model Load(PdqIndex index, Random rng, int count, long firstId)
    {
        var model = new Model();
        var seed = Hashes.Random(rng);
        for (long id = firstId; id < firstId + count; id++)
        {
            // Half near-duplicates of one hash, half uniform: both probe paths get work.
            var hash = id % 2 == 0 ? Hashes.Flip(seed, rng.Next(40), rng) : Hashes.Random(rng);
            index.Add(id, hash);
            model.Add(id, hash);
        }

        return model;
    }

    private static void AssertSameAsBruteForce(PdqIndex index, Model model, Random rng)
    {
        var ids = model.Ids.ToArray();
        for (int q = 0; q < 40; q++)
        {
            var query = Hashes.Flip(model.HashOf(ids[rng.Next(ids.Length)]), rng.Next(20), rng);
            foreach (int radius in new[] { 0, 16, 31, 48, 64 })
            {
                Assert.Equal(model.Query(query, radius), Model.Sorted(index.Query(query, radius)));
            }
        }
    }

    [Fact]
    public void A_bulk_load_defers_indexing_to_one_segment_and_answers_exactly_during_and_after_it()
    {
        var rng = new Random(7);
        var index = new PdqIndex(new PdqIndexOptions { TailCapacity = 64, ChunkBits = 6 });
        Model model;
        using (index.BeginBulkLoad())
        {
            model = Load(index, rng, 5000, firstId: 1);
            Assert.Equal(0, index.SegmentCount); // all 5,000 in the scanned tail
            AssertSameAsBruteForce(index, model, rng);
        }

        Assert.Equal(1, index.SegmentCount);
        AssertSameAsBruteForce(index, model, rng);

        // Afterwards the index is incremental again: adds and removes seal small segments as usual.
        foreach (var (id, hash) in Enumerable.Range(0, 200).Select(i => (10_000L + i, Hashes.Random(rng))))
        {
            index.Add(id, hash);
            model.Add(id, hash);
        }

        Assert.True(index.Remove(2));
        model.Remove(2);
        index.WaitForSeals();
        Assert.True(index.SegmentCount > 1);
        AssertSameAsBruteForce(index, model, rng);
    }

    [Fact]
    public void Nested_bulk_loads_index_when_the_last_scope_closes_and_disposing_twice_is_harmless()
    {
        var rng = new Random(8);
        var index = new PdqIndex(new PdqIndexOptions { TailCapacity = 32, ChunkBits = 6 });
        var outer = index.BeginBulkLoad();
        var inner = index.BeginBulkLoad();
        var model = Load(index, rng, 500, firstId: 1);
        inner.Dispose();
        inner.Dispose();
        Assert.Equal(0, index.SegmentCount);
        outer.Dispose();
        Assert.Equal(1, index.SegmentCount);
        AssertSameAsBruteForce(index, model, rng);
    }

    [Fact]
    public void A_bulk_load_larger_than_the_largest_segment_is_split_and_stays_exact()
    {
        var rng = new Random(9);
        var index = new PdqIndex(new PdqIndexOptions { TailCapacity = 16, ChunkBits = 6, MaxSegmentLength = 300 });
        Model model;
        using (index.BeginBulkLoad())
        {
            model = Load(index, rng, 1000, firstId: 1);
        }

        Assert.InRange(index.SegmentCount, 4, 6);
        AssertSameAsBruteForce(index, model, rng);
    }

    [Fact]
    public void Indexes_without_deferred_upkeep_accept_a_bulk_load_as_a_no_op()
    {
        ISignalIndex exact = new ExactIndex<string>(StringComparer.Ordinal);
        using (exact.BeginBulkLoad())
        {
            ((ISignalIndex<string>)exact).Add(1, "a");
        }

        Assert.True(exact.Contains(1));
    }
}
