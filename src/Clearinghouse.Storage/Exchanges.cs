namespace Clearinghouse.Storage;

// Exchanges: imports from the hash-sharing programs members already belong to (python-threatexchange's "signal
// exchanges"). The store keeps each configured exchange (program, target bank, settings, checkpoint) and which
// signals it imported under which of the program's record keys, with the program's original labels.

/// <summary>An exchange to configure. <see cref="Settings"/> is a JSON object of the program's non-secret settings
/// (base URL, page size, label mapping, where credentials are read from); secrets are never stored.</summary>
public sealed record NewExchange(string Name, string Program, long BankId, long ContributorMemberId, string Settings, bool Enabled = true);

/// <summary>A configured exchange and where its sync stands.</summary>
/// <param name="Checkpoint">The program's opaque checkpoint after the last applied page; null before the first sync
/// (the next sync fetches everything).</param>
/// <param name="Generation">Bumped at the start of every full fetch; records not seen again by the end of it are withdrawn.</param>
/// <param name="Imported">Signals this exchange imported that are live now.</param>
public sealed record Exchange(
    long Id,
    string Name,
    string Program,
    long BankId,
    long ContributorMemberId,
    string Settings,
    bool Enabled,
    string? Checkpoint,
    long Generation,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastSyncAt,
    string? LastError,
    long Imported);

/// <summary>One canonical signal value of a program record.</summary>
public readonly record struct ExchangeValue(string SignalType, string Value);

/// <summary>
/// One update of one record of the program, mapped onto this node: the canonical values it now carries (an update
/// replaces the record's earlier values) and its labels (a JSON object: the program's original labels plus the
/// category and opinion they map to), or a delete.
/// </summary>
/// <param name="Key">The program's stable identifier of the record (an NCMEC entry id, a TCAP id, a ThreatExchange
/// indicator id); for programs without one, the signal type and value.</param>
/// <param name="DeleteReason">When deleted: why, in words (published as the withdrawal's public reason).</param>
public sealed record ExchangeRecord(string Key, IReadOnlyList<ExchangeValue> Values, string Labels, bool Deleted = false, string? DeleteReason = null);

/// <summary>
/// A page of ordered updates to apply in one transaction, with the checkpoint to store with them.
/// </summary>
/// <param name="Checkpoint">The checkpoint after this page; null keeps the stored one.</param>
/// <param name="StartsFullFetch">This page begins a fetch of everything (first sync, stale checkpoint, a full file):
/// the exchange's generation is bumped before it is applied.</param>
/// <param name="EndsFullFetch">This page ends a full fetch: the exchange's signals that no record of the fetch named
/// are withdrawn.</param>
public sealed record ExchangeBatch(IReadOnlyList<ExchangeRecord> Records, string? Checkpoint, bool StartsFullFetch = false, bool EndsFullFetch = false);

/// <summary>A value of a record that was not imported, and why (for the sync report).</summary>
public sealed record ExchangeConflict(string Key, string SignalType, string Value, string Code, string Reason, long? ExistingSignalId = null);

/// <summary>What applying a batch did.</summary>
public sealed record ExchangeApplyResult(int Added, int Relabelled, int Withdrawn, int Unchanged, IReadOnlyList<ExchangeConflict> Conflicts);

/// <summary>A live signal an exchange imported: its record key and the labels of the record's last update.</summary>
public sealed record ExchangeSignal(long SignalId, string Key, string Labels, long Generation);

/// <summary>
/// The store side of exchanges. Implemented by <see cref="SqlStore"/> (SQLite and PostgreSQL); obtain it by casting
/// the node's <see cref="IClearinghouseStore"/>. Writes are durable when the task completes and leave nothing
/// written when they throw.
/// </summary>
public interface IExchangeStore
{
    /// <summary>Configures an exchange. <see cref="StoreError.Conflict"/> when the name is taken;
    /// <see cref="StoreError.NotFound"/> for an unknown bank or member; <see cref="StoreError.Invalid"/> for a bad
    /// name, an empty program or settings that are not a JSON object.</summary>
    Task<Exchange> CreateExchangeAsync(NewExchange exchange, CancellationToken cancellationToken = default);

    Task<Exchange?> GetExchangeAsync(long exchangeId, CancellationToken cancellationToken = default);

    Task<Exchange?> FindExchangeAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every exchange, in id order.</summary>
    Task<IReadOnlyList<Exchange>> ListExchangesAsync(CancellationToken cancellationToken = default);

    /// <summary>Turns the background sync of an exchange on or off.</summary>
    Task<Exchange> SetExchangeEnabledAsync(long exchangeId, bool enabled, CancellationToken cancellationToken = default);

    /// <summary>Forgets an exchange's configuration, checkpoint and record keys. The signals it imported stay (with
    /// their provenance in their metadata); withdraw them, or delete the bank, to remove them.</summary>
    Task DeleteExchangeAsync(long exchangeId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies a batch of ordered updates to the exchange's bank, and stores its checkpoint, in one transaction:
    /// new values are added as signals (logged as signal-added like any other, contributed by the exchange's member,
    /// with the provenance in their metadata); values a record no longer carries, deleted records and, at the end of
    /// a full fetch, records not seen again are withdrawn (logged, with the reason) — only signals this exchange
    /// imported; changed labels are updated. Applying the same batch twice changes nothing the second time.
    /// </summary>
    Task<ExchangeApplyResult> ApplyExchangeBatchAsync(long exchangeId, ExchangeBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Records why a sync failed (shown by <c>exchange list</c>), or clears it with null.</summary>
    Task RecordExchangeErrorAsync(long exchangeId, string? problem, CancellationToken cancellationToken = default);

    /// <summary>The live signals the exchange imported, in signal id order after <paramref name="afterSignalId"/>.</summary>
    Task<Page<ExchangeSignal>> ListExchangeSignalsAsync(long exchangeId, long afterSignalId, int limit, CancellationToken cancellationToken = default);
}
