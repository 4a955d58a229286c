using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Vpdq;

namespace Clearinghouse.Matching.Vpdq;

/// <summary>The frames of a video that take part in matching.</summary>
public static class VpdqFrames
{
    /// <summary>
    /// The distinct hashes of the frames of quality ≥ <paramref name="qualityThreshold"/>, in first-seen order
    /// (python-threatexchange's <c>prepare_vpdq_feature</c>: quality filter, then dedupe). Its brute matcher dedupes
    /// first, which drops a hash whose first frame is of low quality even when a later frame with the same hash is
    /// good; the index's order is used here for both, so the brute matcher and the index agree.
    /// </summary>
    public static Hash256[] Usable(IReadOnlyList<VpdqFeature> features, int qualityThreshold)
    {
        ArgumentNullException.ThrowIfNull(features);
        var seen = new HashSet<Hash256>(features.Count);
        var usable = new List<Hash256>(features.Count);
        for (int i = 0; i < features.Count; i++)
        {
            var feature = features[i];
            if (feature.Quality >= qualityThreshold && seen.Add(feature.Hash))
            {
                usable.Add(feature.Hash);
            }
        }

        return [.. usable];
    }
}
