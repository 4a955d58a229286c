using System.Data.Common;
using Clearinghouse.Ledger.Tiles;
using Clearinghouse.Storage.Sql;
using Clearinghouse.Storage.Sql.Log;

namespace Clearinghouse.Storage;

/// <summary>
/// The store over any ADO.NET database: every query and rule lives here, once; a small dialect object supplies
/// what differs (connections, locks, type names, bulk paths). <see cref="SqliteStore"/> and
/// <see cref="PostgresStore"/> only choose the dialect.
/// </summary>
/// <remarks>
/// Each public method runs in its own connection. Writes run in one transaction that commits before the method
/// returns (and so is durable: SQLite <c>synchronous=FULL</c>, PostgreSQL's default <c>synchronous_commit</c>);
/// a throw disposes the transaction uncommitted, so nothing is written. Reads of more than one statement share a
/// snapshot.
/// </remarks>
public abstract partial class SqlStore : IClearinghouseStore
{
    private readonly TimeProvider _time;
    private readonly LogTree _logTree;

    private protected SqlStore(SqlDialect dialect, TimeProvider? timeProvider)
    {
        Dialect = dialect;
        _time = timeProvider ?? TimeProvider.System;
        _logTree = new LogTree(dialect);
    }

    private protected SqlDialect Dialect { get; }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Dialect.DisposeAsync();
    }

    // --- schema ------------------------------------------------------------------------------------------------

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await Dialect.PrepareDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(WriteLock.Migrations, async session =>
        {
            await session.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_us bigint NOT NULL)",
                cancellationToken).ConfigureAwait(false);
            int current = await session.ScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM schema_version", cancellationToken).ConfigureAwait(false);
            if (current > Migrations.Latest)
            {
                throw new StoreException(
                    StoreError.Conflict,
                    $"The database's schema version is {current}, newer than this build of Clearinghouse knows ({Migrations.Latest}); run a newer build.");
            }

            foreach (Migration migration in Migrations.All)
            {
                if (migration.Version <= current)
                {
                    continue;
                }

                await session.ExecuteAsync(Dialect.TranslateSchema(migration.Sql), cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync(
                    "INSERT INTO schema_version (version, description, applied_us) VALUES (@version, @description, @at)",
                    cancellationToken,
                    ("@version", migration.Version),
                    ("@description", migration.Description),
                    ("@at", session.NowMicros)).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default) =>
        ReadSnapshotAsync(async session =>
        {
            long exists = await session.ScalarAsync<long>(Dialect.SchemaVersionTableExistsSql, cancellationToken).ConfigureAwait(false);
            return exists == 0
                ? 0
                : await session.ScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM schema_version", cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    // --- sessions ----------------------------------------------------------------------------------------------

    /// <summary>Runs a single-statement read on its own connection.</summary>
    private async Task<T> ReadAsync<T>(Func<Session, Task<T>> body, CancellationToken cancellationToken)
    {
        DbConnection connection = await Dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var session = new Session(connection, null, NowMicros());
        return await body(session).ConfigureAwait(false);
    }

    /// <summary>Runs several reads that must see one snapshot.</summary>
    private async Task<T> ReadSnapshotAsync<T>(Func<Session, Task<T>> body, CancellationToken cancellationToken)
    {
        DbConnection connection = await Dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        DbTransaction transaction;
        try
        {
            transaction = await Dialect.BeginSnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await using var session = new Session(connection, transaction, NowMicros());
        return await body(session).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a write in one transaction holding <paramref name="writeLock"/>, and commits it. With
    /// <see cref="WriteLock.Changes"/> the session hands out change-feed positions, saved at commit, and appends
    /// transparency-log entries, written with the tree's tiles in the same transaction.
    /// </summary>
    private async Task<T> WriteAsync<T>(WriteLock writeLock, Func<Session, Task<T>> body, CancellationToken cancellationToken)
    {
        DbConnection connection = await Dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
        DbTransaction transaction;
        try
        {
            transaction = await Dialect.BeginWriteAsync(connection, writeLock, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await using var session = new Session(connection, transaction, NowMicros());
        if (writeLock == WriteLock.Changes)
        {
            await session.LoadClockAsync(cancellationToken).ConfigureAwait(false);
        }

        T result = await body(session).ConfigureAwait(false);
        PendingAppend? appended = await WriteLogAsync(session, cancellationToken).ConfigureAwait(false);

        // Once the work is done, commit regardless of cancellation: a commit cut short would leave the caller
        // unsure whether it happened.
        await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        if (appended is not null)
        {
            _logTree.Committed(appended);
        }

        return result;
    }

    private long NowMicros() => Micros.From(_time.GetUtcNow());

    private static StoreException NotFound(string what) => new(StoreError.NotFound, what);

    private static StoreException Invalid(string what) => new(StoreError.Invalid, what);

    private static StoreException Conflict(string what) => new(StoreError.Conflict, what);

    private static void RequireLimit(int limit)
    {
        if (limit < 1)
        {
            throw Invalid($"limit must be 1 or more, found {limit}");
        }
    }

    /// <summary>Checks a name given to a member, group or bank: present, trimmed, of reasonable length.</summary>
    private static string RequireName(string? name, string what)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Invalid($"{what} name is empty");
        }

        if (name.Length > 200)
        {
            throw Invalid($"{what} name is longer than 200 characters");
        }

        if (name.Any(char.IsControl))
        {
            throw Invalid($"{what} name contains control characters");
        }

        if (name.Trim().Length != name.Length)
        {
            throw Invalid($"{what} name \"{name}\" starts or ends with white space");
        }

        return name;
    }
}
