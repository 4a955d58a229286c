namespace Clearinghouse.Matching.Vpdq;

/// <summary>
/// How much of two videos match: of the query's usable distinct frame hashes, how many are within the distance
/// threshold of some frame of the compared video, and the same the other way round.
/// </summary>
public readonly record struct VpdqMatchResult(int QueryMatched, int QueryFrames, int ComparedMatched, int ComparedFrames)
{
    /// <summary>Percentage of the query's usable frames that match (0 when it has none), as python-threatexchange computes it.</summary>
    public double QueryMatchPercent => QueryFrames == 0 ? 0 : QueryMatched * 100.0 / QueryFrames;

    /// <summary>Percentage of the compared video's usable frames that match (0 when it has none).</summary>
    public double ComparedMatchPercent => ComparedFrames == 0 ? 0 : ComparedMatched * 100.0 / ComparedFrames;

    /// <summary>
    /// The video-level distance used where one integer is expected (signal types, action rules):
    /// ⌈100 − query match %⌉, computed exactly, so 0 when every query frame matches, 100 when none does or the query
    /// has no usable frame. "Distance ≤ 20" is exactly "query match % ≥ 80".
    /// </summary>
    public int Distance => QueryFrames == 0 ? 100 : (int)((((long)(QueryFrames - QueryMatched) * 100) + QueryFrames - 1) / QueryFrames);

    /// <summary>Whether both percentages reach the options' thresholds (python-threatexchange's compare_hash).</summary>
    public bool IsMatch(VpdqMatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return QueryFrames > 0 && ComparedFrames > 0
            && QueryMatchPercent >= options.QueryMatchPercent
            && ComparedMatchPercent >= options.IndexMatchPercent;
    }
}

/// <summary>An indexed video that a query matched, and how much.</summary>
public readonly record struct VpdqIndexMatch(long Id, VpdqMatchResult Result);
