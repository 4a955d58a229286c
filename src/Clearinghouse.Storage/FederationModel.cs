namespace Clearinghouse.Storage;

// Federation between nodes: peers this node pulls from, what it imported from them, and what it owes them back.

/// <summary>A peer node this node pulls signals from, as its operator configured it.</summary>
/// <param name="Url">The peer's base URL (http or https).</param>
/// <param name="VerifierKey">The peer's checkpoint verifier key (<c>name+hex(keyid)+base64(0x01 ‖ key)</c>).</param>
/// <param name="ApiKey">The key the peer issued to this node (sent to the peer only; never shown back by the API).</param>
/// <param name="Banks">Peer bank names to take; empty takes every bank the key sees.</param>
/// <param name="Categories">Categories to take; empty takes the local bank's category.</param>
/// <param name="LocalBankId">The local bank imported signals go into.</param>
/// <param name="MemberId">The local member imported signals are contributed by (<c>peer:&lt;name&gt;</c>).</param>
/// <param name="SendOpinions">Whether local negative opinions and upheld disputes on its signals go back to the peer.</param>
public sealed record Peer(
    long Id,
    string Name,
    string Url,
    string VerifierKey,
    string ApiKey,
    IReadOnlyList<string> Banks,
    IReadOnlyList<string> Categories,
    long LocalBankId,
    long MemberId,
    bool SendOpinions,
    bool Enabled,
    DateTimeOffset CreatedAt,
    PeerSyncState State);

/// <summary>
/// Where the sync with a peer stands. <see cref="Cursor"/> is the number of the peer's log entries verified and
/// applied (the next index to read); <see cref="Frontier"/> is the right edge of the peer's tree at that size.
/// The checkpoint is the newest signed checkpoint verified (its size may exceed the cursor while a sync is under way).
/// </summary>
public sealed record PeerSyncState(
    long Cursor,
    byte[] Frontier,
    long CheckpointSize,
    byte[]? CheckpointRoot,
    string? CheckpointNote,
    long Imported,
    long Withdrawn,
    long Skipped,
    DateTimeOffset? LastSyncAt,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    bool Stopped);

/// <summary>What the operator gives to add a peer.</summary>
public sealed record NewPeer(
    string Name,
    string Url,
    string VerifierKey,
    string ApiKey,
    IReadOnlyList<string> Banks,
    IReadOnlyList<string> Categories,
    long LocalBankId,
    bool SendOpinions,
    bool Enabled = true);

/// <summary>One verified signal-added event of a peer's log, to import.</summary>
/// <param name="PeerIndex">The entry's index in the peer's log.</param>
/// <param name="PeerPublicId">The signal's public id on the peer.</param>
/// <param name="PeerSignalId">The signal's numeric id on the peer (its API's id, for opinions sent back).</param>
/// <param name="OriginLog">The log the signal was first added to (the peer's, or the one the peer imported it from).</param>
public sealed record ImportedSignal(
    long PeerIndex,
    string PeerPublicId,
    long PeerSignalId,
    string SignalType,
    string Value,
    string Category,
    string? Designation,
    string OriginLog,
    string OriginPublicId,
    string OriginMember);

/// <summary>A verified signal-withdrawn entry of a peer's log.</summary>
public sealed record PeerWithdrawal(long PeerIndex, string PeerPublicId, string Reason);

/// <summary>
/// The events of the peer's log entries [<see cref="FromCursor"/>, <see cref="ToCursor"/>), verified, applied in one
/// transaction together with the new sync state.
/// </summary>
public sealed record PeerBatch(
    long FromCursor,
    long ToCursor,
    byte[] Frontier,
    long CheckpointSize,
    byte[] CheckpointRoot,
    string CheckpointNote,
    IReadOnlyList<ImportedSignal> Adds,
    IReadOnlyList<PeerWithdrawal> Withdrawals,
    int Skipped);

/// <summary>What applying a batch did.</summary>
/// <param name="AlreadyApplied">True when the batch's range had been applied before: nothing was written.</param>
public sealed record PeerBatchResult(int Added, int Duplicates, int Withdrawn, bool AlreadyApplied);

/// <summary>Where an imported signal came from.</summary>
public sealed record SignalProvenance(
    long SignalId,
    string PeerName,
    string PeerUrl,
    string PeerPublicId,
    long PeerIndex,
    string OriginLog,
    string OriginPublicId,
    string OriginMember);

/// <summary>What a local member said about an imported signal that the peer should hear.</summary>
public enum OutboxKind
{
    /// <summary>A negative (false-positive) opinion: sent as a negative opinion on the peer.</summary>
    NegativeOpinion = 1,

    /// <summary>A dispute upheld here: filed as a dispute on the peer.</summary>
    UpheldDispute = 2,
}

/// <summary>One message owed to a peer, kept until the peer accepted it.</summary>
public sealed record OutboxItem(
    long Id,
    long PeerId,
    OutboxKind Kind,
    string PeerPublicId,
    long PeerSignalId,
    string Note,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? SentAt,
    string? LastError);

/// <summary>A signal-added entry of this node's log with what the entry only commits to, for the member feed.</summary>
public sealed record FeedSignal(
    long LogIndex,
    long SignalId,
    string PublicId,
    string SignalType,
    string Value,
    byte[] Salt,
    long BankId,
    string Category,
    string? Designation);
