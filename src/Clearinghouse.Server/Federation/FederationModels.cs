using System.Text.Json.Serialization;

namespace Clearinghouse.Server.Federation;

/// <summary>
/// One signal-added event of the member feed: the entry's log index and what the public entry only commits to (the
/// value and the salt, hex), with the fields the entry carries, so the reader can check
/// SHA-256(salt ‖ value) against the entry's commitment.
/// </summary>
public sealed record FeedEvent(
    long Index,
    string Kind,
    string PublicId,
    long SignalId,
    string SignalType,
    string Value,
    string Salt,
    string Bank,
    string Category,
    string? Designation);

/// <summary>
/// Feed events with log index in [from, next), in log order. Read on from <c>next</c>; <c>next</c> equal to
/// <c>tree_size</c> means caught up. Withdrawals are not repeated here: they are public signal-withdrawn entries of the
/// log, which a follower reads (and verifies) with the entries anyway.
/// </summary>
public sealed record FeedPage(long From, long Next, long TreeSize, IReadOnlyList<FeedEvent> Events);

/// <summary>What the operator gives to add a peer.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class PeerCreateRequest
{
    public required string Name { get; init; }

    public required string Url { get; init; }

    public required string VerifierKey { get; init; }

    public required string ApiKey { get; init; }

    public required string LocalBank { get; init; }

    public IReadOnlyList<string>? Banks { get; init; }

    public IReadOnlyList<string>? Categories { get; init; }

    public bool? SendOpinions { get; init; }

    public bool? Enabled { get; init; }
}

/// <summary>A peer as the operator sees it (without the API key it issued) and where its sync stands.</summary>
public sealed record PeerInfo(
    string Name,
    string Url,
    string VerifierKey,
    string LocalBank,
    IReadOnlyList<string> Banks,
    IReadOnlyList<string> Categories,
    bool SendOpinions,
    bool Enabled,
    DateTimeOffset CreatedAt,
    PeerStatusInfo Status);

/// <summary>
/// The sync's state: <c>cursor</c> = entries of the peer's log verified and applied; <c>checkpoint_size</c> and
/// <c>checkpoint</c> = the newest signed checkpoint verified; <c>peer_size</c> = the size last seen; <c>lag_entries</c>
/// = peer_size − cursor. <c>stopped</c> with <c>last_error</c> says why verification refused the peer.
/// </summary>
public sealed record PeerStatusInfo(
    string State,
    long Cursor,
    long CheckpointSize,
    string? Checkpoint,
    long PeerSize,
    long LagEntries,
    long Imported,
    long Withdrawn,
    long Skipped,
    DateTimeOffset? LastSyncAt,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    bool Stopped,
    int ConsecutiveFailures,
    long Attempts,
    DateTimeOffset? NextAttemptAt,
    int OutboxPending);

/// <summary>Where an imported signal came from.</summary>
public sealed record ProvenanceInfo(long SignalId, string Peer, string PeerUrl, string PeerPublicId, long PeerIndex, string OriginLog, string OriginPublicId, string OriginMember);

/// <summary>The opinion body this node sends to a peer (the peer's own opinion route).</summary>
public sealed record PeerOpinionBody(string Kind, string? Note);

/// <summary>The dispute body this node sends to a peer (the peer's member dispute route).</summary>
public sealed record PeerDisputeBody(string SignalId, string Statement);

/// <summary>The parts of the peer's responses this node reads.</summary>
public sealed record PeerEntryItem(long Index, string Entry);

public sealed record PeerEntriesPage(long Start, long End, long TreeSize, IReadOnlyList<PeerEntryItem> Entries);

public sealed record PeerConsistencyProof(long From, long To, IReadOnlyList<string> Proof);
