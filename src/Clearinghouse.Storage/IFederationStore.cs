namespace Clearinghouse.Storage;

/// <summary>
/// The store's federation operations (peers, verified imports, the opinions owed back). Implemented by
/// <see cref="SqlStore"/> for SQLite and PostgreSQL, like <see cref="IClearinghouseStore"/>; every write commits
/// durably or writes nothing.
/// </summary>
public interface IFederationStore
{
    /// <summary>
    /// Adds a peer, with its local member <c>peer:&lt;name&gt;</c> (created and logged as joined when missing).
    /// <see cref="StoreError.Conflict"/> for a name taken, <see cref="StoreError.NotFound"/> for a missing bank,
    /// <see cref="StoreError.Invalid"/> for a malformed name or URL.
    /// </summary>
    Task<Peer> CreatePeerAsync(NewPeer peer, CancellationToken cancellationToken = default);

    Task<Peer?> FindPeerAsync(string name, CancellationToken cancellationToken = default);

    Task<Peer?> GetPeerAsync(long peerId, CancellationToken cancellationToken = default);

    /// <summary>Every peer, by name.</summary>
    Task<IReadOnlyList<Peer>> ListPeersAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes a peer and what it owes (its outbox); its imported signals stay. False when there is none.</summary>
    Task<bool> RemovePeerAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Enables or disables a peer; enabling clears a stop (the operator has looked at why it stopped).</summary>
    Task<Peer> SetPeerEnabledAsync(string name, bool enabled, CancellationToken cancellationToken = default);

    /// <summary>Records why the last sync failed; <paramref name="halt"/> halts the peer's sync until it is enabled again.</summary>
    Task RecordPeerErrorAsync(long peerId, string problem, bool halt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies a verified batch in one transaction: adds the signals to the peer's local bank (skipping peer public ids
    /// already imported), withdraws the withdrawn ones this peer brought, logs both, moves the cursor and saves the
    /// checkpoint. A batch whose range was applied already writes nothing; one that starts after the cursor is refused
    /// (<see cref="StoreError.Conflict"/>).
    /// </summary>
    Task<PeerBatchResult> ApplyPeerBatchAsync(long peerId, PeerBatch batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> signal-added entries of this node's log with index in
    /// [<paramref name="fromIndex"/>, <paramref name="toIndex"/>), in index order, with each signal's value and salt
    /// (the caller filters by what the reader may see).
    /// </summary>
    Task<IReadOnlyList<FeedSignal>> ReadFeedSignalsAsync(long fromIndex, long toIndex, int limit, CancellationToken cancellationToken = default);

    /// <summary>Where an imported signal came from; null for a signal not imported.</summary>
    Task<SignalProvenance?> GetProvenanceAsync(long signalId, CancellationToken cancellationToken = default);

    /// <summary>The peer's unsent outbox items due by <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<OutboxItem>> ListDueOutboxAsync(long peerId, DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>Every outbox item of a peer (sent or not), oldest first.</summary>
    Task<IReadOnlyList<OutboxItem>> ListOutboxAsync(long peerId, CancellationToken cancellationToken = default);

    /// <summary>Marks an item sent.</summary>
    Task MarkOutboxSentAsync(long itemId, CancellationToken cancellationToken = default);

    /// <summary>Records a failed attempt and when to try again.</summary>
    Task MarkOutboxFailedAsync(long itemId, string problem, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken = default);
}
