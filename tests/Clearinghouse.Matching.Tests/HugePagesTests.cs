using Clearinghouse.Hashing;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Matching.Tests;

public sealed class HugePagesTests
{
    /// <summary>Whether this machine can give huge pages on request (Linux with THP not set to "never").</summary>
    private static bool ThpAvailable =>
        OperatingSystem.IsLinux()
        && File.Exists("/sys/kernel/mm/transparent_hugepage/enabled")
        && !File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[never]", StringComparison.Ordinal);

    [Fact]
    public void Small_arrays_are_plain_zeroed_arrays()
    {
        var small = HugePages.Allocate<int>(1000);
        Assert.Equal(1000, small.Length);
        Assert.All(small, v => Assert.Equal(0, v));
    }

    [Fact]
    public void Large_arrays_are_zeroed_writable_and_advised_where_the_kernel_supports_it()
    {
        int advisedBefore = HugePages.Advised;
        var chunk = HugePages.Allocate<Hash256>(1 << 16);
        Assert.Equal(1 << 16, chunk.Length);
        Assert.True(chunk.AsSpan().IndexOfAnyExcept(Hash256.Zero) < 0);
        chunk[^1] = Hash256.AllOnes;
        Assert.Equal(Hash256.AllOnes, chunk[^1]);
        if (ThpAvailable && HugePages.Enabled)
        {
            Assert.True(HugePages.Advised > advisedBefore);
        }
    }

    [Fact]
    public void A_refused_madvise_is_counted_not_thrown()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Page 1 of the address space is never mapped: madvise answers ENOMEM, which must only be counted.
        int failedBefore = HugePages.Failed;
        Assert.False(HugePages.Advise(4096, 4096));
        Assert.True(HugePages.Failed > failedBefore);

        // An unmapped range cannot be collapsed either; that too is only a false.
        Assert.False(HugePages.Collapse(4096, 4096));

        // And allocation still works afterwards.
        Assert.Equal(3 << 20, HugePages.Allocate<byte>(3 << 20).Length);
    }

    [Fact]
    public void Index_is_exact_with_and_without_huge_pages()
    {
        // 720,000 hashes: eleven 2 MiB hash chunks, advised and collapsed, one of them partly filled.
        const int N = 720_000;
        var rng = new Random(20261129);
        var hashes = new Hash256[N];
        var model = new Model();
        for (int i = 0; i < N; i++)
        {
            hashes[i] = Hashes.Random(rng);
            model.Add(i, hashes[i]);
        }

        var queries = Enumerable.Range(0, 12).Select(i => Hashes.Flip(hashes[rng.Next(N)], i * 3, rng)).ToArray();
        bool enabled = HugePages.Enabled;
        try
        {
            foreach (bool huge in new[] { true, false })
            {
                HugePages.Enabled = huge;
                var index = PdqIndex.Build(hashes, new PdqIndexOptions { Method = PdqSearchMethod.Mih });

                // Adds past the built chunks go through EnsureChunk's allocation too.
                for (int i = 0; i < 70_000; i++)
                {
                    var h = Hashes.Random(rng);
                    index.Add(N + i, h);
                    model.Add(N + i, h);
                }

                foreach (var q in queries)
                {
                    Assert.Equal(model.Query(q, 31), Model.Sorted(index.Query(q, 31)));
                }

                for (int i = 0; i < 70_000; i++)
                {
                    Assert.True(index.Remove(N + i));
                    model.Remove(N + i);
                }
            }
        }
        finally
        {
            HugePages.Enabled = enabled;
        }
    }
}
