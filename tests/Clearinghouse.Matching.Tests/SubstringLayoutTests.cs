using System.Numerics;
using Clearinghouse.Hashing;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Matching.Tests;

/// <summary>The substring layouts, their thresholds and mask tables, and the wide layout at full key width.</summary>
public sealed class SubstringLayoutTests
{
    public static TheoryData<string> Layouts => ["sixteen", "twelve"];

    private static SubstringLayout Named(string name) => name == "sixteen" ? SubstringLayout.Sixteen : SubstringLayout.Twelve;

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Substring_values_are_the_bits_they_claim_and_cover_the_hash(string name)
    {
        var layout = Named(name);
        var rng = new Random(7);
        for (int n = 0; n < 200; n++)
        {
            var h = Hashes.Random(rng);
            int bit = 0;
            for (int sub = 0; sub < layout.Count; sub++)
            {
                uint v = layout.Value(h, sub);
                for (int j = 0; j < layout.Width(sub); j++, bit++)
                {
                    ulong expected = (h.Word(bit >> 6) >> (bit & 63)) & 1;
                    Assert.Equal(expected, (v >> j) & 1);
                }

                Assert.True(layout.Width(sub) == 32 || v >> layout.Width(sub) == 0);
            }

            Assert.Equal(256, bit);
        }
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Thresholds_satisfy_the_pigeonhole_bound_for_every_radius(string name)
    {
        var layout = Named(name);
        Span<int> t = stackalloc int[layout.Count];
        for (int r = 0; r <= 300; r++)
        {
            layout.Thresholds(r, t);
            int sum = 0;
            bool anyCovers = false;
            for (int i = 0; i < layout.Count; i++)
            {
                Assert.InRange(t[i], -1, layout.Width(i));
                anyCovers |= t[i] == layout.Width(i);
                sum += t[i] + 1;
            }

            // Exact: Σ(t + 1) ≥ r + 1, or some substring is probed whole (matches every hash).
            Assert.True(sum >= r + 1 || anyCovers, $"r={r}: Σ(t+1)={sum}");
            Assert.True(sum <= r + 1 || r >= 256, $"r={r}: thresholds are no larger than needed");
        }
    }

    [Fact]
    public void Twelve_splits_radius_31_as_designed()
    {
        Span<int> t = stackalloc int[12];
        SubstringLayout.Twelve.Thresholds(31, t);
        Assert.Equal([2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1], t.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(21)]
    public void Mask_tables_list_every_mask_within_t_fewest_bits_first(int bits)
    {
        var table = MaskTable.For(bits);
        foreach (int t in new[] { 3, -1, 0, 1, 2, 5 })
        {
            var masks = table.Within(t).ToArray();
            long expected = 0;
            for (int k = 0; k <= Math.Min(t, bits); k++)
            {
                expected += Binomial(bits, k);
            }

            Assert.Equal(expected, masks.Length);
            Assert.Equal(expected, table.CountWithin(t));
            Assert.Equal(masks.Length, masks.Distinct().Count());
            Assert.All(masks, m => Assert.True(m < (1UL << bits) && BitOperations.PopCount(m) <= t));
            for (int i = 1; i < masks.Length; i++)
            {
                Assert.True(BitOperations.PopCount(masks[i - 1]) <= BitOperations.PopCount(masks[i]));
            }
        }
    }

    [Fact]
    public void Segment_layout_switches_at_the_threshold()
    {
        Assert.Same(SubstringLayout.Sixteen, MihSegment.LayoutFor((1 << 22) - 1, 1 << 22));
        Assert.Same(SubstringLayout.Twelve, MihSegment.LayoutFor(1 << 22, 1 << 22));
        Assert.Equal(21, MihSegment.KeyBitsFor(10_000_000, SubstringLayout.Twelve));
        Assert.Equal(20, MihSegment.KeyBitsFor(1 << 22, SubstringLayout.Twelve));
        Assert.Equal(16, MihSegment.KeyBitsFor(1_000_000, SubstringLayout.Sixteen));
        Assert.Equal(1 << 22, PdqIndexOptions.Default.WideLayoutThreshold);
    }

    /// <summary>Full 21-bit keys (as at 10 M) on a small clustered index, every method, radii 0..70, after adds and removes.</summary>
    [Theory]
    [InlineData(PdqSearchMethod.Mih)]
    [InlineData(PdqSearchMethod.Auto)]
    public void Full_width_wide_keys_equal_brute_force(PdqSearchMethod method)
    {
        var rng = new Random(21);
        var centres = Enumerable.Range(0, 4).Select(_ => Hashes.Random(rng)).ToArray();
        int n = 3000;
        var hashes = new Hash256[n];
        var model = new Model();
        for (int i = 0; i < n; i++)
        {
            hashes[i] = i % 2 == 0 ? Hashes.Flip(centres[i % 4], rng.Next(40), rng) : Hashes.Random(rng);
            model.Add(i, hashes[i]);
        }

        var options = new PdqIndexOptions { Method = method, WideLayoutThreshold = 1000, WideKeyBits = 21, TailCapacity = 1500 };
        var index = PdqIndex.Build(hashes, options);
        for (int i = 0; i < 1600; i++)
        {
            var h = Hashes.Flip(centres[i % 4], rng.Next(40), rng);
            index.Add(n + i, h);
            model.Add(n + i, h);
            if (i % 3 == 0)
            {
                long id = rng.Next(n);
                Assert.Equal(model.Remove(id), index.Remove(id));
            }
        }

        for (int q = 0; q < 12; q++)
        {
            var query = q % 3 == 0 ? Hashes.Random(rng) : Hashes.Flip(centres[q % 4], rng.Next(30), rng);
            var all = model.Query(query, 256);
            foreach (int r in new[] { 0, 1, 5, 21, 22, 31, 32, 47, 55, 64, 70 })
            {
                Assert.Equal(all.Where(m => m.Distance <= r).ToList(), Model.Sorted(index.Query(query, r)));
            }
        }
    }

    private static long Binomial(int n, int k)
    {
        long c = 1;
        for (int i = 0; i < k; i++)
        {
            c = c * (n - i) / (i + 1);
        }

        return c;
    }
}
