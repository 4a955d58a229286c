using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Vpdq;

namespace Clearinghouse.Matching.Vpdq;

/// <summary>
/// Compares two videos frame against frame (python-threatexchange's <c>match_VPDQ_hash_brute</c>): the oracle the
/// index is tested against, and the comparison of two single values.
/// </summary>
public static class VpdqBruteMatcher
{
    public static VpdqMatchResult Match(IReadOnlyList<VpdqFeature> query, IReadOnlyList<VpdqFeature> compared, VpdqMatchOptions? options = null)
    {
        options ??= VpdqMatchOptions.Default;
        options.Validate();
        var q = VpdqFrames.Usable(query, options.QualityThreshold);
        var c = VpdqFrames.Usable(compared, options.QualityThreshold);
        return new VpdqMatchResult(CountMatched(q, c, options.DistanceThreshold), q.Length, CountMatched(c, q, options.DistanceThreshold), c.Length);
    }

    /// <summary>How many of <paramref name="these"/> are within <paramref name="distance"/> of any of <paramref name="others"/>.</summary>
    private static int CountMatched(Hash256[] these, Hash256[] others, int distance)
    {
        int matched = 0;
        foreach (var hash in these)
        {
            foreach (var other in others)
            {
                if (Hash256.Distance(hash, other) <= distance)
                {
                    matched++;
                    break;
                }
            }
        }

        return matched;
    }
}
