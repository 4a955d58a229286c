namespace Clearinghouse.Matching.Vpdq;

/// <summary>
/// The rules of a vPDQ video match, with python-threatexchange's defaults (<c>vpdq_util</c>): frames of quality
/// under 50 are dropped, a frame matches a frame within Hamming distance 31 (inclusive), and a video matches when at
/// least 80 % of the query's usable frames match and at least 0 % of the indexed video's do.
/// </summary>
public sealed record VpdqMatchOptions
{
    /// <summary>VPDQ_QUALITY_THRESHOLD.</summary>
    public const int DefaultQualityThreshold = 50;

    /// <summary>VPDQ_DISTANCE_THRESHOLD.</summary>
    public const int DefaultDistanceThreshold = 31;

    /// <summary>VPDQ_QUERY_MATCH_THRESHOLD_PERCENT.</summary>
    public const double DefaultQueryMatchPercent = 80;

    /// <summary>VPDQ_INDEX_MATCH_THRESHOLD_PERCENT.</summary>
    public const double DefaultIndexMatchPercent = 0;

    public static VpdqMatchOptions Default { get; } = new();

    /// <summary>Frames of lower quality are not used, on either side.</summary>
    public int QualityThreshold { get; init; } = DefaultQualityThreshold;

    /// <summary>Two frames match when their PDQ hashes differ in at most this many bits.</summary>
    public int DistanceThreshold { get; init; } = DefaultDistanceThreshold;

    /// <summary>A video matches when at least this percentage of the query's usable distinct frames match.</summary>
    public double QueryMatchPercent { get; init; } = DefaultQueryMatchPercent;

    /// <summary>… and at least this percentage of the compared (indexed) video's usable distinct frames match.</summary>
    public double IndexMatchPercent { get; init; } = DefaultIndexMatchPercent;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(QualityThreshold);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(QualityThreshold, 101);
        ArgumentOutOfRangeException.ThrowIfNegative(DistanceThreshold);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DistanceThreshold, 256);
        if (!(QueryMatchPercent is >= 0 and <= 100) || !(IndexMatchPercent is >= 0 and <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(QueryMatchPercent), "Match percentages are between 0 and 100.");
        }
    }
}
