using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Clearinghouse.Storage.Sql;

/// <summary>
/// SQLite: one database file in WAL mode with <c>synchronous=FULL</c> (every commit is on disk before it returns),
/// foreign keys on, and writers that take the write lock up front (<c>BEGIN IMMEDIATE</c>) so two writers never
/// deadlock upgrading a read lock. SQLite has a single writer, which is also what orders change-feed positions.
/// </summary>
internal sealed partial class SqliteDialect : SqlDialect
{
    // Per-connection settings: durability, how long to wait for the writer lock, and a page cache large enough
    // that bulk inserts into the random-keyed indexes (public id, value) stay in memory.
    private const string ConnectionPragmas = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 60000; PRAGMA cache_size = -65536;";

    private const string InsertSignalSql =
        "INSERT INTO signals (" + SignalRows.InsertColumns + ") VALUES (@public_id, @type, @value, @bank, @category, @designation, @contributor, @created, 0, 0, 0, 0, @metadata, @seq) ON CONFLICT DO NOTHING";

    private const string FindLiveSignalSql =
        "SELECT id FROM signals WHERE bank_id = @bank AND signal_type = @type AND value = @value AND status <> 2";

    private const string InsertMatchSql =
        "INSERT INTO matches (member_id, signal_id, bank_id, signal_type, distance, at_us) VALUES (@member, @signal, @bank, @type, @distance, @at)";

    private readonly string _connectionString;

    public SqliteDialect(string databasePath)
    {
        DatabasePath = databasePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 60,
        }.ToString();
    }

    public string DatabasePath { get; }

    public override string SchemaVersionTableExistsSql => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";

    public override ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using SqliteCommand pragmas = connection.CreateCommand();
            pragmas.CommandText = ConnectionPragmas;
            pragmas.ExecuteNonQuery();
            return ValueTask.FromResult<DbConnection>(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public override async Task PrepareDatabaseAsync(CancellationToken cancellationToken)
    {
        // WAL is a property of the database file: set once, it stays. Readers then never block the writer.
        await using DbConnection connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        object? mode = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(mode as string, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode for {connection.DataSource} (journal mode is {mode}).");
        }
    }

    public override ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, WriteLock writeLock, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    public override string TranslateSchema(string sql) =>
        sql.Replace("{id}", "INTEGER PRIMARY KEY AUTOINCREMENT", StringComparison.Ordinal)
            .Replace("{bool}", "integer", StringComparison.Ordinal)
            .Replace("{blob}", "blob", StringComparison.Ordinal);

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 }; // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 787 }; // SQLITE_CONSTRAINT_FOREIGNKEY

    public override string IdIn(string column, string parameter) => $"{column} IN (SELECT value FROM json_each({parameter}))";

    public override object IdList(IReadOnlyCollection<long> ids)
    {
        var json = new StringBuilder(ids.Count * 8 + 2).Append('[');
        foreach (long id in ids)
        {
            json.Append(id.ToString(CultureInfo.InvariantCulture)).Append(',');
        }

        if (ids.Count > 0)
        {
            json.Length--;
        }

        return json.Append(']').ToString();
    }

    // SQLite runs in-process, so the fastest bulk path is one statement prepared on the raw handle and re-bound per
    // row: no SQL text to build or parse, no per-row ADO.NET objects, and the conflict check is the partial unique
    // index itself (ON CONFLICT DO NOTHING changes no row; the new id is the connection's last insert rowid).
    public override Task<long[]> InsertSignalsAsync(Session session, SignalRows rows, CancellationToken cancellationToken)
    {
        using var insert = new SqliteStatement((SqliteConnection)session.Connection, InsertSignalSql);
        insert.Bind("@bank", rows.BankId);
        insert.Bind("@category", rows.Category);
        insert.Bind("@contributor", rows.ContributorId);
        insert.Bind("@created", rows.CreatedMicros);
        int publicId = insert.Parameter("@public_id");
        int type = insert.Parameter("@type");
        int value = insert.Parameter("@value");
        int designation = insert.Parameter("@designation");
        int metadata = insert.Parameter("@metadata");
        int seq = insert.Parameter("@seq");

        var ids = new long[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            if ((i & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            insert.Bind(publicId, rows.PublicIds[i]);
            insert.Bind(type, rows.Types[i]);
            insert.Bind(value, rows.Values[i]);
            insert.Bind(designation, rows.Designations[i]);
            insert.Bind(metadata, rows.Metadata[i]);
            insert.Bind(seq, rows.FirstChangeSeq + i);
            ids[i] = insert.Execute() == 1 ? insert.LastInsertRowId : 0;
        }

        return Task.FromResult(ids);
    }

    public override Task<long[]> FindLiveSignalsAsync(Session session, long bankId, IReadOnlyList<(string Type, string Value)> keys, CancellationToken cancellationToken)
    {
        using var find = new SqliteStatement((SqliteConnection)session.Connection, FindLiveSignalSql);
        find.Bind("@bank", bankId);
        int type = find.Parameter("@type");
        int value = find.Parameter("@value");
        var ids = new long[keys.Count];
        for (int i = 0; i < keys.Count; i++)
        {
            find.Bind(type, keys[i].Type);
            find.Bind(value, keys[i].Value);
            ids[i] = find.Read() ? find.Int64(0) : 0;
            find.Reset();
        }

        return Task.FromResult(ids);
    }

    public override Task<List<Signal>> QuerySignalsAsync(Session session, string sql, CancellationToken cancellationToken, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var query = new SqliteStatement((SqliteConnection)session.Connection, sql);
        foreach ((string name, object? value) in parameters)
        {
            query.Bind(name, value);
        }

        var columns = new SqliteColumns(query, new StringPool());
        var signals = new List<Signal>();
        while (query.Read())
        {
            if ((signals.Count & 4095) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            signals.Add(Rows.Signal(columns));
        }

        return Task.FromResult(signals);
    }

    public override Task InsertMatchesAsync(Session session, IReadOnlyList<MatchRecord> matches, CancellationToken cancellationToken)
    {
        using var insert = new SqliteStatement((SqliteConnection)session.Connection, InsertMatchSql);
        int member = insert.Parameter("@member");
        int signal = insert.Parameter("@signal");
        int bank = insert.Parameter("@bank");
        int type = insert.Parameter("@type");
        int distance = insert.Parameter("@distance");
        int at = insert.Parameter("@at");
        foreach (MatchRecord match in matches)
        {
            insert.Bind(member, match.MemberId);
            insert.Bind(signal, match.SignalId);
            insert.Bind(bank, match.BankId);
            insert.Bind(type, match.SignalType);
            insert.Bind(distance, match.Distance);
            insert.Bind(at, Micros.From(match.At));
            insert.Execute();
        }

        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the directory can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
