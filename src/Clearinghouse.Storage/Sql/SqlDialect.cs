using System.Data.Common;

namespace Clearinghouse.Storage.Sql;

/// <summary>Which lock a writing transaction takes besides the database's own row locks.</summary>
internal enum WriteLock
{
    /// <summary>None: the write takes no change-feed positions (members, keys, groups, matches).</summary>
    None,

    /// <summary>The change lock: the write takes change-feed positions, or must not race one that does.</summary>
    Changes,

    /// <summary>The migration lock: one migrating process at a time.</summary>
    Migrations,
}

/// <summary>
/// What differs between the databases: opening connections, transaction and lock kinds, the schema's few type
/// names, error codes, passing a list of ids, and the bulk writes (where each database has its own fast path).
/// Everything else — every query — is shared in <see cref="SqlStore"/>.
/// </summary>
internal abstract class SqlDialect : IAsyncDisposable
{
    /// <summary>Counts 1 when the <c>schema_version</c> table exists, else 0.</summary>
    public abstract string SchemaVersionTableExistsSql { get; }

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Opens a connection synchronously (the Merkle tree's tile reads are synchronous).</summary>
    public abstract DbConnection Open();

    /// <summary>Inserts log entries <paramref name="firstIndex"/>, firstIndex + 1, … with these canonical bodies.</summary>
    public abstract Task InsertLogEntriesAsync(Session session, long firstIndex, IReadOnlyList<byte[]> bodies, CancellationToken cancellationToken);

    /// <summary>Inserts each signal's commitment salt and the index of its signal-added entry.</summary>
    public abstract Task InsertCommitmentsAsync(Session session, IReadOnlyList<long> signalIds, IReadOnlyList<byte[]> salts, IReadOnlyList<long> logIndexes, CancellationToken cancellationToken);

    /// <summary>Database-wide settings that must be made outside a transaction before migrating (SQLite's WAL mode).</summary>
    public virtual Task PrepareDatabaseAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Begins a read-write transaction holding <paramref name="writeLock"/>.</summary>
    public abstract ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, WriteLock writeLock, CancellationToken cancellationToken);

    /// <summary>Begins a transaction whose reads all see one snapshot.</summary>
    public abstract ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Replaces the schema's type tokens (<c>{id}</c>, <c>{bool}</c>, <c>{blob}</c>) with this database's types.</summary>
    public abstract string TranslateSchema(string sql);

    public abstract bool IsUniqueViolation(DbException exception);

    public abstract bool IsForeignKeyViolation(DbException exception);

    /// <summary>A predicate "<paramref name="column"/> is one of the ids in <paramref name="parameter"/>".</summary>
    public abstract string IdIn(string column, string parameter);

    /// <summary>The parameter value <see cref="IdIn"/> expects for these ids.</summary>
    public abstract object IdList(IReadOnlyCollection<long> ids);

    /// <summary>
    /// Inserts the rows (whose (type, value) pairs are distinct), skipping any already live in the bank; returns
    /// each row's new id, or 0 for a row skipped. Runs under the change lock, so no other writer adds meanwhile.
    /// </summary>
    public abstract Task<long[]> InsertSignalsAsync(Session session, SignalRows rows, CancellationToken cancellationToken);

    /// <summary>The id of the live signal with each (type, value) in the bank, or 0 where there is none.</summary>
    public abstract Task<long[]> FindLiveSignalsAsync(Session session, long bankId, IReadOnlyList<(string Type, string Value)> keys, CancellationToken cancellationToken);

    /// <summary>Runs a query selecting <see cref="Rows.SignalColumns"/> and returns every row (the feed's hot path).</summary>
    public virtual Task<List<Signal>> QuerySignalsAsync(Session session, string sql, CancellationToken cancellationToken, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        session.QueryAsync(sql, Rows.Signal, cancellationToken, parameters);

    public abstract Task InsertMatchesAsync(Session session, IReadOnlyList<MatchRecord> matches, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>
/// Signals to insert into one bank, column by column. Row <c>i</c> takes change-feed position
/// <see cref="FirstChangeSeq"/> + i.
/// </summary>
internal sealed class SignalRows
{
    public required long BankId { get; init; }

    public required string Category { get; init; }

    public required long ContributorId { get; init; }

    public required long CreatedMicros { get; init; }

    public required long FirstChangeSeq { get; init; }

    public required string[] PublicIds { get; init; }

    public required string[] Types { get; init; }

    public required string[] Values { get; init; }

    public required string?[] Designations { get; init; }

    public required string?[] Metadata { get; init; }

    public int Count => PublicIds.Length;

    public const string InsertColumns =
        "public_id, signal_type, value, bank_id, category, designation, contributor_id, created_us, status, positive, negative, investigation_seed, metadata, change_seq";
}
