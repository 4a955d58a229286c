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
