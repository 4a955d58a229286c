using Clearinghouse.Hashing;
using Clearinghouse.Matching.Pdq;
using Clearinghouse.Tests;

namespace Clearinghouse.Matching.Tests;

/// <summary>The reference needles and haystack (real PDQ hashes) from ../shared/testdata.</summary>
public sealed class PdqSeedTests
{
    private static Hash256[] ReadHashes(string name) =>
        [.. File.ReadAllLines(TestData.PathOf("pdq", "hashlists", name)).Where(l => l.Length > 0).Select(Hash256.Parse)];

    [Theory]
    [InlineData(31, 250, PdqSearchMethod.Auto)]
    [InlineData(32, 250, PdqSearchMethod.Auto)]
    [InlineData(31, 250, PdqSearchMethod.Mih)]
    [InlineData(31, 250, PdqSearchMethod.Scan)]
    public void Needles_against_haystack_give_the_known_pair_count_and_equal_brute_force(int radius, int pairs, PdqSearchMethod method)
    {
        var needles = ReadHashes("needles.txt");
        var haystack = ReadHashes("haystack.txt");
        Assert.Equal(100, needles.Length);
        Assert.Equal(1350, haystack.Length);

        var model = new Model();
        for (int i = 0; i < haystack.Length; i++)
        {
            model.Add(i, haystack[i]);
        }

        var options = new PdqIndexOptions { Method = method };
        var built = PdqIndex.Build(haystack, options);
        var incremental = new PdqIndex(options with { TailCapacity = 64 });
        for (int i = 0; i < haystack.Length; i++)
        {
            incremental.Add(i, haystack[i]);
        }

        foreach (var index in new[] { built, incremental })
        {
            int total = 0;
            foreach (var needle in needles)
            {
                var expected = model.Query(needle, radius);
                Assert.Equal(expected, Model.Sorted(index.Query(needle, radius)));
                total += expected.Count;
            }

            Assert.Equal(pairs, total);
        }
    }
}
