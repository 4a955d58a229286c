using System.Data;
using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Clearinghouse.Storage.Sql;

/// <summary>
/// PostgreSQL through one <see cref="NpgsqlDataSource"/> (its own connection pool). Writers run at READ COMMITTED;
/// those that take change-feed positions first take a transaction-level advisory lock, held to commit, so
/// positions become visible strictly in order even with many writers (several nodes on one database). Bulk writes
/// send whole columns as arrays and insert them with one <c>unnest</c> statement per chunk; duplicates of live
/// signals are left out by a per-row probe of the live-value index (cheaper than <c>ON CONFLICT</c>'s speculative
/// insertion, and race-free because every signal writer holds the change lock). The probe is a <c>LATERAL … LIMIT
/// 1</c> so the planner cannot turn it into a join that scans the whole bank for every row when its statistics lag
/// behind a bulk load (the second chunk of a new bank would otherwise be quadratic). JIT is off by default: these
/// short statements spend longer compiling than running.
/// </summary>
internal sealed partial class PostgresDialect : SqlDialect
{
    // Advisory lock keys (advisory locks are per database, so these only need to be distinct from each other).
    private const long ChangeLockKey = 0x43_48_5F_43_48_41_4E_47; // "CH_CHANG"

    private const long MigrationLockKey = 0x43_48_5F_4D_49_47_52_41; // "CH_MIGRA"

    /// <summary>Rows per bulk statement: large enough to amortise the round trip, small enough to bound memory.</summary>
    private const int Chunk = 20_000;

    private const string InsertSignalsSql =
        "INSERT INTO signals (" + SignalRows.InsertColumns + """
        )
        SELECT u.public_id, u.signal_type, u.value, @bank, @category, u.designation, @contributor, @created, 0, 0, 0, 0, u.metadata, @first_seq + u.ord - 1
        FROM unnest(@public_ids, @types, @values, @designations, @metadata) WITH ORDINALITY AS u (public_id, signal_type, value, designation, metadata, ord)
        LEFT JOIN LATERAL (
            SELECT s.id FROM signals s WHERE s.bank_id = @bank AND s.signal_type = u.signal_type AND s.value = u.value AND s.status <> 2 LIMIT 1) live ON TRUE
        WHERE live.id IS NULL
        ORDER BY u.ord
        RETURNING id, change_seq
        """;

    private const string FindLiveSignalsSql = """
        SELECT u.ord, live.id
        FROM unnest(@types, @values) WITH ORDINALITY AS u (signal_type, value, ord)
        CROSS JOIN LATERAL (
            SELECT s.id FROM signals s WHERE s.bank_id = @bank AND s.signal_type = u.signal_type AND s.value = u.value AND s.status <> 2 LIMIT 1) live
        """;

    private const string InsertMatchesSql = """
        INSERT INTO matches (member_id, signal_id, bank_id, signal_type, distance, at_us)
        SELECT * FROM unnest(@members, @signals, @banks, @types, @distances, @ats)
        """;

    private readonly NpgsqlDataSource _source;

    public PostgresDialect(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.Options))
        {
            builder.Options = "-c jit=off";
        }

        _source = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public override string SchemaVersionTableExistsSql =>
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version'";

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, WriteLock writeLock, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        NpgsqlTransaction transaction = await npgsql.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        if (writeLock != WriteLock.None)
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", npgsql, transaction);
                command.Parameters.AddWithValue("key", writeLock == WriteLock.Changes ? ChangeLockKey : MigrationLockKey);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return transaction;
    }

    public override async ValueTask<DbTransaction> BeginSnapshotAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

    public override string TranslateSchema(string sql) =>
        sql.Replace("{id}", "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", StringComparison.Ordinal)
            .Replace("{bool}", "boolean", StringComparison.Ordinal)
            .Replace("{blob}", "bytea", StringComparison.Ordinal);

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    public override string IdIn(string column, string parameter) => $"{column} = ANY({parameter})";

    public override object IdList(IReadOnlyCollection<long> ids) => ids.ToArray();

    public override async Task<long[]> InsertSignalsAsync(Session session, SignalRows rows, CancellationToken cancellationToken)
    {
        var ids = new long[rows.Count];
        for (int start = 0; start < rows.Count; start += Chunk)
        {
            int length = Math.Min(Chunk, rows.Count - start);
            long firstSeq = rows.FirstChangeSeq + start;
            await using var command = (NpgsqlCommand)session.Command(InsertSignalsSql);
            command.Parameters.Add(new NpgsqlParameter<long>("bank", rows.BankId));
            command.Parameters.Add(new NpgsqlParameter<string>("category", rows.Category));
            command.Parameters.Add(new NpgsqlParameter<long>("contributor", rows.ContributorId));
            command.Parameters.Add(new NpgsqlParameter<long>("created", rows.CreatedMicros));
            command.Parameters.Add(new NpgsqlParameter<long>("first_seq", firstSeq));
            AddTextArray(command, "public_ids", rows.PublicIds, start, length);
            AddTextArray(command, "types", rows.Types, start, length);
            AddTextArray(command, "values", rows.Values, start, length);
            AddTextArray(command, "designations", rows.Designations, start, length);
            AddTextArray(command, "metadata", rows.Metadata, start, length);

            // Positions are first_seq + ordinal, so the returned position says which row an id belongs to.
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids[start + (int)(reader.GetInt64(1) - firstSeq)] = reader.GetInt64(0);
            }
        }

        return ids;
    }

    public override async Task<long[]> FindLiveSignalsAsync(Session session, long bankId, IReadOnlyList<(string Type, string Value)> keys, CancellationToken cancellationToken)
    {
        var ids = new long[keys.Count];
        await using var command = (NpgsqlCommand)session.Command(FindLiveSignalsSql);
        command.Parameters.Add(new NpgsqlParameter<long>("bank", bankId));
        command.Parameters.Add(new NpgsqlParameter<string[]>("types", [.. keys.Select(k => k.Type)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string[]>("values", [.. keys.Select(k => k.Value)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids[reader.GetInt64(0) - 1] = reader.GetInt64(1);
        }

        return ids;
    }

    public override async Task InsertMatchesAsync(Session session, IReadOnlyList<MatchRecord> matches, CancellationToken cancellationToken)
    {
        for (int start = 0; start < matches.Count; start += Chunk)
        {
            int length = Math.Min(Chunk, matches.Count - start);
            var members = new long[length];
            var signals = new long[length];
            var banks = new long[length];
            var types = new string[length];
            var distances = new int[length];
            var ats = new long[length];
            for (int i = 0; i < length; i++)
            {
                MatchRecord match = matches[start + i];
                (members[i], signals[i], banks[i], types[i], distances[i], ats[i]) =
                    (match.MemberId, match.SignalId, match.BankId, match.SignalType, match.Distance, Micros.From(match.At));
            }

            await using var command = (NpgsqlCommand)session.Command(InsertMatchesSql);
            command.Parameters.Add(new NpgsqlParameter<long[]>("members", members));
            command.Parameters.Add(new NpgsqlParameter<long[]>("signals", signals));
            command.Parameters.Add(new NpgsqlParameter<long[]>("banks", banks));
            command.Parameters.Add(new NpgsqlParameter<string[]>("types", types) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<int[]>("distances", distances));
            command.Parameters.Add(new NpgsqlParameter<long[]>("ats", ats));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override ValueTask DisposeAsync() => _source.DisposeAsync();

    private static void AddTextArray(NpgsqlCommand command, string name, string?[] column, int start, int length) =>
        command.Parameters.Add(new NpgsqlParameter<string?[]>(name, column.AsSpan(start, length).ToArray()) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
}
