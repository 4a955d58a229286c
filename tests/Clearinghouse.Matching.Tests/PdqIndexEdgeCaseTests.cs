using Clearinghouse.Hashing;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Matching.Tests;

public sealed class PdqIndexEdgeCaseTests
{
    public static TheoryData<PdqSearchMethod> Methods => [PdqSearchMethod.Auto, PdqSearchMethod.Mih, PdqSearchMethod.Scan];

    private static PdqIndex NewIndex(PdqSearchMethod method, int tail = 4096) =>
        new(new PdqIndexOptions { Method = method, TailCapacity = tail, ChunkBits = 6 });

    [Theory]
    [MemberData(nameof(Methods))]
    public void Empty_index_finds_nothing_at_any_radius(PdqSearchMethod method)
    {
        var index = NewIndex(method);
        Assert.Equal(0, index.Count);
        foreach (int r in new[] { 0, 31, 64, 255, 256, 1000 })
        {
            Assert.Empty(index.Query(Hash256.Zero, r));
        }

        var built = PdqIndex.Build([], new PdqIndexOptions { Method = method });
        Assert.Empty(built.Query(Hash256.AllOnes, 256));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void One_entry_is_found_exactly_within_its_distance(PdqSearchMethod method)
    {
        var h = Hash256.Parse("f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95");
        foreach (var index in new[] { NewIndex(method), NewIndex(method, tail: 1), PdqIndex.Build([h], [42], new PdqIndexOptions { Method = method }) })
        {
            if (index.Count == 0)
            {
                index.Add(42, h);
            }

            var q = h;
            for (int flips = 0; flips <= 40; flips++)
            {
                Assert.Equal([new IndexMatch(42, flips)], index.Query(q, flips));
                if (flips > 0)
                {
                    Assert.Empty(index.Query(q, flips - 1));
                }

                q = q.FlipBit((flips * 37) % 256);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Duplicate_hashes_under_different_ids_are_all_reported(PdqSearchMethod method)
    {
        var h = Hashes.Random(new Random(1));
        var index = NewIndex(method, tail: 3);
        for (long id = 0; id < 20; id++)
        {
            index.Add(id * 1000, h);
        }

        var results = Model.Sorted(index.Query(h, 0));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => new IndexMatch(i * 1000L, 0)), results);
        Assert.Equal(20, Model.Sorted(index.Query(h.FlipBit(3).FlipBit(200), 2)).Count);
        Assert.Empty(index.Query(h.FlipBit(3).FlipBit(200), 1));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void All_zero_and_all_one_hashes_are_256_apart(PdqSearchMethod method)
    {
        var index = NewIndex(method, tail: 1);
        index.Add(1, Hash256.Zero);
        index.Add(2, Hash256.AllOnes);
        Assert.Equal([new IndexMatch(1, 0)], index.Query(Hash256.Zero, 255));
        Assert.Equal([new IndexMatch(1, 0), new IndexMatch(2, 256)], Model.Sorted(index.Query(Hash256.Zero, 256)));
        Assert.Equal([new IndexMatch(2, 0)], index.Query(Hash256.AllOnes, 31));
        Assert.Equal([new IndexMatch(1, 256), new IndexMatch(2, 0)], Model.Sorted(index.Query(Hash256.AllOnes, int.MaxValue)));
    }

    [Fact]
    public void Removing_an_absent_id_returns_false_and_changes_nothing()
    {
        var index = NewIndex(PdqSearchMethod.Auto);
        Assert.False(index.Remove(7));
        index.Add(1, Hash256.Zero);
        Assert.False(index.Remove(7));
        Assert.True(index.Remove(1));
        Assert.False(index.Remove(1));
        Assert.Equal(0, index.Count);
        Assert.Empty(index.Query(Hash256.Zero, 64));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_removed_id_can_be_added_again_with_another_hash(PdqSearchMethod method)
    {
        var a = Hashes.Random(new Random(2));
        var b = Hashes.Random(new Random(3));
        var index = NewIndex(method, tail: 2);
        index.Add(5, a);
        index.Add(6, b);
        Assert.True(index.Remove(5));
        Assert.Empty(index.Query(a, 0));
        index.Add(5, b);
        Assert.True(index.Contains(5));
        Assert.Empty(index.Query(a, 0));
        Assert.Equal([new IndexMatch(5, 0), new IndexMatch(6, 0)], Model.Sorted(index.Query(b, 0)));

        // Adding an existing id replaces its hash (upsert).
        index.Add(5, a);
        Assert.Equal(2, index.Count);
        Assert.Equal([new IndexMatch(5, 0)], index.Query(a, 0));
        Assert.Equal([new IndexMatch(6, 0)], index.Query(b, 0));
    }

    [Fact]
    public void Negative_radius_is_rejected()
    {
        var index = new PdqIndex();
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Query(Hash256.Zero, -1, []));
    }

    [Fact]
    public void Bulk_build_rejects_duplicate_ids_and_mismatched_lengths()
    {
        Assert.Throws<ArgumentException>(() => PdqIndex.Build([Hash256.Zero, Hash256.AllOnes], [1, 1]));
        Assert.Throws<ArgumentException>(() => PdqIndex.Build([Hash256.Zero], [1, 2]));
    }

    [Fact]
    public void Adds_are_sealed_into_few_segments_and_removals_compact()
    {
        var rng = new Random(4);
        var index = new PdqIndex(new PdqIndexOptions { TailCapacity = 8, ChunkBits = 6 });
        var model = new Model();
        for (int i = 0; i < 5000; i++)
        {
            var h = Hashes.Random(rng);
            index.Add(i, h);
            model.Add(i, h);
        }

        // Geometric merging: O(log n) segments, not n / 8; and once the background seals are done, a tail under 8.
        index.WaitForSeals();
        Assert.InRange(index.SegmentCount, 1, 2 * (int)Math.Log2(5000 / 8));
        Assert.True(index.TailLength < 8, $"tail of {index.TailLength} left unsealed");
        long before = index.MemoryBytes;
        for (int i = 0; i < 4000; i++)
        {
            index.Remove(i);
            model.Remove(i);
        }

        Assert.True(index.MemoryBytes < before, "more than half removed: the index compacts itself");
        var q = model.HashOf(4500);
        Assert.Equal(model.Query(q, 64), Model.Sorted(index.Query(q, 64)));
    }

    [Fact]
    public void An_add_never_waits_for_a_segment_build_and_queries_stay_exact_while_one_runs()
    {
        // A tail of 4 fills on every fourth add; with seals on the writer each of those adds would build (and merge)
        // a segment. In the background, a burst of adds outruns the builds: the tail grows past its capacity,
        // which can only happen if the adds did not wait, and every query meanwhile still equals brute force.
        var rng = new Random(11);
        var index = new PdqIndex(new PdqIndexOptions { TailCapacity = 4, ChunkBits = 6 });
        var model = new Model();
        int largestTail = 0;
        for (int i = 0; i < 20_000; i++)
        {
            var h = Hashes.Random(rng);
            index.Add(i, h);
            model.Add(i, h);
            largestTail = Math.Max(largestTail, index.TailLength);
            if (i % 2000 == 0)
            {
                var q = Hashes.Flip(h, 10, rng);
                Assert.Equal(model.Query(q, 31), Model.Sorted(index.Query(q, 31)));
            }
        }

        Assert.True(largestTail > 4, "the tail never outgrew its capacity: adds waited for the builds");
        index.WaitForSeals();
        Assert.True(index.TailLength < 4);
        var last = model.HashOf(19_999);
        Assert.Equal(model.Query(last, 40), Model.Sorted(index.Query(last, 40)));
    }

    [Fact]
    public void Planned_method_is_mih_at_radius_31_and_scan_when_every_bucket_is_probed()
    {
        var rng = new Random(5);
        var hashes = new Hash256[200_000];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i] = Hashes.Random(rng);
        }

        var index = PdqIndex.Build(hashes);
        Assert.Equal(PdqSearchMethod.Mih, index.PlannedMethod(31));
        Assert.Equal(PdqSearchMethod.Scan, index.PlannedMethod(128));
    }

    [Fact]
    public void Hash_layout_matches_what_the_kernels_assume()
    {
        Assert.True(Substrings.LayoutIsAsExpected());
    }

    [Fact]
    public void Thresholds_satisfy_the_pigeonhole_bound_for_every_radius()
    {
        Span<int> t = stackalloc int[Substrings.Count];
        for (int r = 0; r <= 300; r++)
        {
            Substrings.Thresholds(r, t);
            int sum = 0;
            foreach (int ti in t)
            {
                Assert.InRange(ti, -1, Substrings.Bits);
                sum += ti + 1;
            }

            Assert.True(sum >= Math.Min(r + 1, 16 * 17), $"r={r}: Σ(t+1)={sum}");
            Assert.True(sum <= r + 1 || r >= 256, $"r={r}: thresholds are no larger than needed");
        }
    }
}

public sealed class PdqIndexBatchTests
{
    [Theory]
    [InlineData(PdqSearchMethod.Auto, 31)]
    [InlineData(PdqSearchMethod.Auto, 100)]
    [InlineData(PdqSearchMethod.Scan, 31)]
    [InlineData(PdqSearchMethod.Scan, 0)]
    [InlineData(PdqSearchMethod.Mih, 64)]
    public void Batch_queries_equal_single_queries_and_brute_force(PdqSearchMethod method, int radius)
    {
        var rng = new Random(radius);
        var index = new PdqIndex(new PdqIndexOptions { Method = method, TailCapacity = 300, ChunkBits = 8 });
        var model = new Model();
        var centre = Hashes.Random(rng);
        for (int i = 0; i < 3000; i++)
        {
            var h = i % 3 == 0 ? Hashes.Random(rng) : Hashes.Flip(centre, rng.Next(60), rng);
            index.Add(i, h);
            model.Add(i, h);
        }

        for (int i = 0; i < 3000; i += 7)
        {
            index.Remove(i);
            model.Remove(i);
        }

        var queries = Enumerable.Range(0, 19).Select(i => i % 2 == 0 ? Hashes.Flip(centre, rng.Next(40), rng) : Hashes.Random(rng)).ToArray();
        var batch = new List<BatchMatch>();
        index.QueryBatch(queries, radius, batch);
        for (int q = 0; q < queries.Length; q++)
        {
            var fromBatch = Model.Sorted([.. batch.Where(m => m.Query == q).Select(m => new IndexMatch(m.Id, m.Distance))]);
            Assert.Equal(model.Query(queries[q], radius), fromBatch);
        }
    }
}

public sealed class IdMapTests
{
    [Fact]
    public void Ids_stay_findable_through_incremental_growth_and_removals()
    {
        var rng = new Random(8);
        var index = new PdqIndex(new PdqIndexOptions { TailCapacity = 1 << 20, ChunkBits = 6 });
        var live = new HashSet<long>();
        for (int op = 0; op < 60_000; op++)
        {
            // Growing key space with removals mixed in, so migrations overlap with removals from both tables.
            long id = rng.NextInt64(-op - 10, op + 10) * 7919;
            if (rng.Next(3) == 0)
            {
                Assert.Equal(live.Remove(id), index.Remove(id));
            }
            else
            {
                index.Add(id, Hash256.Zero);
                live.Add(id);
            }

            if (op % 5000 == 0 || op > 59_900)
            {
                Assert.Equal(live.Count, index.Count);
                Assert.All(live, l => Assert.True(index.Contains(l)));
                Assert.False(index.Contains(long.MinValue));
            }
        }

        Assert.Equal(live.Count, index.Query(Hash256.Zero, 0).Count);
    }
}
