using Clearinghouse.Hashing;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Matching.Tests;

public sealed class HammingScanTests
{
    private static List<(int Index, int Distance)> Naive(ReadOnlySpan<Hash256> hashes, Hash256 q, int r)
    {
        var hits = new List<(int, int)>();
        for (int i = 0; i < hashes.Length; i++)
        {
            int d = Hash256.Distance(q, hashes[i]);
            if (d <= r)
            {
                hits.Add((i, d));
            }
        }

        return hits;
    }

    private static Hash256[] Data(int n, Random rng)
    {
        var q = Hashes.Random(rng);
        var data = new Hash256[n];
        for (int i = 0; i < n; i++)
        {
            data[i] = (i % 5) switch
            {
                0 => Hash256.Zero,
                1 => Hash256.AllOnes,
                2 => Hashes.Flip(q, rng.Next(257), rng),
                _ => Hashes.Random(rng),
            };
        }

        return data;
    }

    [Fact]
    public void Scalar_and_avx2_kernels_equal_the_naive_scan()
    {
        var rng = new Random(1);
        for (int n = 0; n < 40; n++)
        {
            var data = Data(n, rng);
            foreach (var q in new[] { Hash256.Zero, Hash256.AllOnes, Hashes.Random(rng), data.Length > 0 ? data[^1] : Hash256.Zero })
            {
                foreach (int r in new[] { 0, 1, 31, 64, 127, 128, 200, 255, 256 })
                {
                    var expected = Naive(data, q, r);
                    var idx = new int[n];
                    var dist = new ushort[n];
                    int k = HammingScan.WithinScalar(data, q, r, idx, dist);
                    Assert.Equal(expected, Enumerable.Range(0, k).Select(i => (idx[i], (int)dist[i])));
                    if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
                    {
                        k = HammingScan.WithinAvx2(data, q, r, idx, dist);
                        Assert.Equal(expected, Enumerable.Range(0, k).Select(i => (idx[i], (int)dist[i])));
                    }
                }
            }
        }
    }

    [Fact]
    public void Batch_kernel_equals_the_naive_scan_per_query()
    {
        var rng = new Random(2);
        var data = Data(333, rng);
        for (int nq = 1; nq <= HammingScan.BatchWidth; nq++)
        {
            var queries = Enumerable.Range(0, nq).Select(i => i == 0 ? data[7] : Hashes.Flip(data[i * 11], rng.Next(64), rng)).ToArray();
            foreach (int r in new[] { 0, 31, 64, 256 })
            {
                var hq = new byte[data.Length * nq];
                var hi = new int[data.Length * nq];
                var hd = new ushort[data.Length * nq];
                int k = HammingScan.WithinBatch(data, queries, r, hq, hi, hd);
                for (int q = 0; q < nq; q++)
                {
                    var actual = Enumerable.Range(0, k).Where(i => hq[i] == q).Select(i => (hi[i], (int)hd[i]));
                    Assert.Equal(Naive(data, queries[q], r), actual);
                }
            }
        }
    }
}
