namespace Clearinghouse.Matching.Pdq;

/// <summary>How a <see cref="PdqIndex"/> answers a query.</summary>
public enum PdqSearchMethod
{
    /// <summary>Per segment and query, whichever of MIH and scan the cost model expects to be cheaper.</summary>
    Auto,

    /// <summary>Always multi-index hashing (the tail of recent additions is still scanned).</summary>
    Mih,

    /// <summary>Always a linear scan.</summary>
    Scan,
}

/// <summary>Tuning of a <see cref="PdqIndex"/>; the defaults are what the measurements in docs/matching.md chose.</summary>
public sealed record PdqIndexOptions
{
    public static PdqIndexOptions Default { get; } = new();

    /// <summary>
    /// Recent additions kept unindexed and scanned (a few microseconds per query at 4096); when the tail reaches this
    /// length it is sealed into an MIH segment.
    /// </summary>
    public int TailCapacity { get; init; } = 4096;

    /// <summary>
    /// Build segments on the thread pool (default) rather than inside the <c>Add</c> that fills the tail: the slowest
    /// single add is then an append, not a merge. Tests turn it off for deterministic segment counts.
    /// </summary>
    internal bool BackgroundSeals { get; init; } = true;

    /// <summary>Forces a search method (for tests and benchmarks); <see cref="PdqSearchMethod.Auto"/> by default.</summary>
    public PdqSearchMethod Method { get; init; } = PdqSearchMethod.Auto;

    /// <summary>log2 of the slots per storage chunk (16: 2 MiB of hashes per chunk). Small values exercise chunk edges in tests.</summary>
    internal int ChunkBits { get; init; } = 16;

    /// <summary>Largest MIH segment (2^24, the reach of 24-bit postings). Small values exercise splitting in tests.</summary>
    internal int MaxSegmentLength { get; init; } = MihSegment.MaxLength;

    /// <summary>
    /// Segments of at least this many hashes use 12 substrings of 21–22 bits instead of 16 of 16 (see
    /// <see cref="SubstringLayout"/>); 2^22 by default. Small values exercise the wide layout in tests.
    /// </summary>
    internal int WideLayoutThreshold { get; init; } = 1 << 22;

    /// <summary>Forces the key width of wide-layout segments (0: by segment size). Lets tests use full 21-bit keys on small data.</summary>
    internal int WideKeyBits { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(TailCapacity, 1, nameof(TailCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkBits, 6, nameof(ChunkBits));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChunkBits, 24, nameof(ChunkBits));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSegmentLength, 1, nameof(MaxSegmentLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxSegmentLength, MihSegment.MaxLength, nameof(MaxSegmentLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(WideLayoutThreshold, 1, nameof(WideLayoutThreshold));
        ArgumentOutOfRangeException.ThrowIfNegative(WideKeyBits, nameof(WideKeyBits));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(WideKeyBits, 22, nameof(WideKeyBits));
    }
}
