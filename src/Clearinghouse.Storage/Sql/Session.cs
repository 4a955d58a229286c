using System.Data.Common;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Storage.Sql.Log;

namespace Clearinghouse.Storage.Sql;

/// <summary>
/// One connection, and the transaction on it when there is one, with the few command helpers every query uses.
/// Disposing it without <see cref="CommitAsync"/> rolls back, so a throw anywhere leaves nothing written.
/// </summary>
internal sealed class Session : IAsyncDisposable
{
    private ChangeClock? _clock;
    private LogBatch? _log;

    public Session(DbConnection connection, DbTransaction? transaction, long nowMicros)
    {
        Connection = connection;
        Transaction = transaction;
        NowMicros = nowMicros;
    }

    public DbConnection Connection { get; }

    public DbTransaction? Transaction { get; }

    /// <summary>The time every row written in this session is stamped with.</summary>
    public long NowMicros { get; }

    /// <summary>Change-feed positions; only sessions that hold the change lock have one.</summary>
    public ChangeClock Clock => _clock ?? throw new InvalidOperationException("This write does not hold the change lock, so it cannot take change-feed positions.");

    /// <summary>The transparency-log entries this write appends; only sessions that hold the change lock have one.</summary>
    public LogBatch Log => _log ?? throw new InvalidOperationException("This write does not hold the change lock, so it cannot append to the transparency log.");

    /// <summary>The log batch when this session has one and appended to it.</summary>
    public LogBatch? PendingLog => _log is { Count: > 0 } ? _log : null;

    public async Task LoadClockAsync(CancellationToken cancellationToken)
    {
        _clock = new ChangeClock(await ScalarAsync<long>("SELECT position FROM change_position WHERE id = 1", cancellationToken).ConfigureAwait(false));
        (long size, byte[]? root) = (await QueryAsync(
            "SELECT size, root FROM log_head WHERE id = 1",
            r => (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetFieldValue<byte[]>(1)),
            cancellationToken).ConfigureAwait(false))[0];
        _log = new LogBatch(size, root is null ? Rfc6962.EmptyTreeHash : MerkleHash.FromBytes(root));
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_clock is { Dirty: true })
        {
            await ExecuteAsync("UPDATE change_position SET position = @position WHERE id = 1", cancellationToken, ("@position", _clock.Current)).ConfigureAwait(false);
        }

        await Transaction!.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public DbCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        DbCommand command = Connection.CreateCommand();
        command.Transaction = Transaction;
#pragma warning disable CA2100 // SQL text is always a constant of this assembly; values travel as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach ((string name, object? value) in parameters)
        {
            AddParameter(command, name, value);
        }

        return command;
    }

    public static DbParameter AddParameter(DbCommand command, string name, object? value)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    // The public helpers build the command synchronously (a span cannot live across an await), then run it.

    public Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        ExecuteAsync(Command(sql, parameters), cancellationToken);

    /// <summary>The first column of the first row, or <c>default</c> when there is no row or it is null.</summary>
    public Task<T?> ScalarAsync<T>(string sql, CancellationToken cancellationToken, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        ScalarAsync<T>(Command(sql, parameters), cancellationToken);

    public Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        QueryAsync(Command(sql, parameters), map, cancellationToken);

    public Task<T?> QuerySingleAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params ReadOnlySpan<(string Name, object? Value)> parameters)
        where T : class =>
        QuerySingleAsync(Command(sql, parameters), map, cancellationToken);

    private static async Task<int> ExecuteAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<T?> ScalarAsync<T>(DbCommand command, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            object? value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull
                ? default
                : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static async Task<List<T>> QueryAsync<T>(DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var rows = new List<T>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(map(reader));
                }

                return rows;
            }
        }
    }

    private static async Task<T?> QuerySingleAsync<T>(DbCommand command, Func<DbDataReader, T> map, CancellationToken cancellationToken)
        where T : class
    {
        await using (command.ConfigureAwait(false))
        {
            DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? map(reader) : null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Transaction is not null)
        {
            await Transaction.DisposeAsync().ConfigureAwait(false);
        }

        await Connection.DisposeAsync().ConfigureAwait(false);
    }
}
