namespace Clearinghouse.Server.Json;

/// <summary>One transparency-log entry: its index and its canonical JSON, as a string whose UTF-8 bytes are the leaf's
/// input (SHA-256(0x00 ‖ bytes)).</summary>
public sealed record LogEntryItem(long Index, string Entry);

/// <summary>Entries [start, end) of the log (end may be less than asked: pages are bounded), and the log's size.</summary>
public sealed record LogEntriesPage(long Start, long End, long TreeSize, IReadOnlyList<LogEntryItem> Entries);

/// <summary>An RFC 9162 inclusion proof: the audit path of entry <c>index</c> in the tree of <c>tree_size</c>
/// entries, hashes in base64.</summary>
public sealed record InclusionProofInfo(long Index, long TreeSize, IReadOnlyList<string> Proof);

/// <summary>An RFC 9162 consistency proof from the tree of <c>from</c> entries to that of <c>to</c>, hashes in base64.</summary>
public sealed record ConsistencyProofInfo(long From, long To, IReadOnlyList<string> Proof);

/// <summary>Where a signal's signal-added entry is in the log.</summary>
public sealed record SignalLogInfo(string PublicId, long Index);

/// <summary>A dispute against a signal: its public id (sig_…), a statement (never published), and an optional contact
/// the node keeps for the operator but never publishes.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed class DisputeFileRequest
{
    public required string SignalId { get; init; }

    public required string Statement { get; init; }

    public string? Contact { get; init; }
}

/// <summary>The operator's decision on a dispute: <c>upheld</c> (the signal is withdrawn) or <c>rejected</c>, with a public reason.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed class DisputeResolveRequest
{
    public required string Outcome { get; init; }

    public required string Reason { get; init; }
}

/// <summary>A dispute as anyone may see it: no statement, no contact, no filer.</summary>
public sealed record DisputeInfo(string DisputeId, string SignalId, string Status, string? Reason, DateTimeOffset FiledAt, long FiledIndex, DateTimeOffset? ResolvedAt, long? ResolvedIndex);

/// <summary>A dispute as the operator sees it, with the statement and contact.</summary>
public sealed record DisputeDetail(DisputeInfo Dispute, long? FiledByMemberId, string Statement, string? Contact);

/// <summary>A page of disputes for the operator.</summary>
public sealed record DisputePage(IReadOnlyList<DisputeDetail> Items, long? NextAfter);

/// <summary>A member's notification (a dispute against its signal, a resolution).</summary>
public sealed record NotificationInfo(long Id, string Kind, string DisputeId, string SignalId, string Detail, DateTimeOffset At);

/// <summary>A page of notifications; pass next_after as after to read on.</summary>
public sealed record NotificationPage(IReadOnlyList<NotificationInfo> Items, long? NextAfter);

/// <summary>
/// Everything needed to prove, offline, that a signal value was listed: the value and its salt, the signal-added entry
/// that commits to SHA-256(salt ‖ value), its inclusion proof, and the signed checkpoint with the verifier key.
/// </summary>
public sealed record ProofBundle(string SignalType, string Value, string Salt, long Index, string Entry, long TreeSize, IReadOnlyList<string> Proof, string Checkpoint, string VerifierKey);
