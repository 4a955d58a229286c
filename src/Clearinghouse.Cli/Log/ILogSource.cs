using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Cli.Log;

/// <summary>Where an auditor reads a log from: a node's public routes, or a directory a log export wrote.</summary>
internal interface ILogSource : IDisposable
{
    /// <summary>Says where, for messages.</summary>
    string Describe();

    /// <summary>The verifier key the source publishes (trusted only when pinned or given).</summary>
    string PublishedVerifierKey();

    /// <summary>The latest signed checkpoint.</summary>
    string SignedCheckpoint();

    /// <summary>Entries [<paramref name="start"/>, <paramref name="end"/>) as the source holds them (a tampered source
    /// may skip, repeat or reorder some: the verifier finds out), read lazily.</summary>
    IEnumerable<ReadOnlyMemory<byte>> Entries(long start, long end);

    /// <summary>The source's consistency proof between two sizes, or null when it has none (an export).</summary>
    IReadOnlyList<MerkleHash>? ConsistencyProof(long from, long to);

    /// <summary>The source's inclusion proof of one entry.</summary>
    IReadOnlyList<MerkleHash> InclusionProof(long index, long size);

    /// <summary>The transparency report the source publishes over its first <paramref name="size"/> entries (JSON), or
    /// null when it publishes none (an export).</summary>
    string? PublishedReport(long size);

    /// <summary>The index of a signal's signal-added entry.</summary>
    long SignalEntryIndex(string publicId);
}
