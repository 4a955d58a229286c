using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Clearinghouse.Storage.Sql;

/// <summary>
/// A statement prepared straight on a connection's SQLite handle, for the bulk paths: binding and stepping through
/// SQLitePCL costs a fraction of going through ADO.NET per row (no parameter-name lookups, no reader objects, text
/// bound from a reused UTF-8 buffer). It runs inside whatever transaction the connection has open. Errors surface as
/// <see cref="SqliteException"/>, as from ADO.NET.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _utf8 = ArrayPool<byte>.Shared.Rent(256);

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        int rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        if (rc != raw.SQLITE_OK)
        {
            throw Error(rc);
        }
    }

    /// <summary>The position of a named parameter (e.g. <c>@bank</c>).</summary>
    public int Parameter(string name)
    {
        int index = raw.sqlite3_bind_parameter_index(_statement, name);
        return index > 0 ? index : throw new ArgumentException($"The statement has no parameter {name}.", nameof(name));
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, index));
            return;
        }

        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max > _utf8.Length)
        {
            ArrayPool<byte>.Shared.Return(_utf8);
            _utf8 = ArrayPool<byte>.Shared.Rent(max);
        }

        int length = Encoding.UTF8.GetBytes(value, _utf8);
        Check(raw.sqlite3_bind_text(_statement, index, _utf8.AsSpan(0, length))); // SQLite copies the bytes
    }

    public void Bind(int index, ReadOnlySpan<byte> blob) => Check(raw.sqlite3_bind_blob(_statement, index, blob)); // SQLite copies the bytes

    /// <summary>Binds a value of the kinds the store's queries use.</summary>
    public void Bind(string name, object? value)
    {
        int index = Parameter(name);
        switch (value)
        {
            case null or DBNull:
                Check(raw.sqlite3_bind_null(_statement, index));
                break;
            case long l:
                Bind(index, l);
                break;
            case int i:
                Bind(index, i);
                break;
            case bool b:
                Bind(index, b ? 1 : 0);
                break;
            case string s:
                Bind(index, s);
                break;
            default:
                throw new ArgumentException($"Parameter {name}: cannot bind a {value.GetType().Name}.", nameof(value));
        }
    }

    /// <summary>Runs a statement that returns no rows and resets it; the number of rows it changed.</summary>
    public int Execute()
    {
        int rc = raw.sqlite3_step(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException error = Error(rc);
            raw.sqlite3_reset(_statement);
            throw error;
        }

        raw.sqlite3_reset(_statement);
        return raw.sqlite3_changes(_db);
    }

    /// <summary>The rowid of the last row inserted on this connection.</summary>
    public long LastInsertRowId => raw.sqlite3_last_insert_rowid(_db);

    /// <summary>Moves to the next row: true when there is one.</summary>
    public bool Read()
    {
        int rc = raw.sqlite3_step(_statement);
        return rc switch
        {
            raw.SQLITE_ROW => true,
            raw.SQLITE_DONE => false,
            _ => throw Error(rc),
        };
    }

    public void Reset() => raw.sqlite3_reset(_statement);

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    public int Int32(int column) => raw.sqlite3_column_int(_statement, column);

    public string String(int column) => Encoding.UTF8.GetString(raw.sqlite3_column_blob(_statement, column));

    public string? NullableString(int column) => IsNull(column) ? null : String(column);

    /// <summary>The column's text through a pool, for columns whose few distinct values repeat on every row.</summary>
    public string? PooledString(int column, StringPool pool) => IsNull(column) ? null : pool.Get(raw.sqlite3_column_blob(_statement, column));

    public void Dispose()
    {
        _statement.Dispose();
        ArrayPool<byte>.Shared.Return(_utf8);
        _utf8 = [];
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw Error(rc);
        }
    }

    private SqliteException Error(int rc) =>
        new(raw.sqlite3_errmsg(_db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(_db));
}

/// <summary>The columns of a <see cref="SqliteStatement"/>'s current row, repeated strings pooled.</summary>
internal readonly struct SqliteColumns(SqliteStatement statement, StringPool pool) : IColumnReader
{
    public long Int64(int column) => statement.Int64(column);

    public int Int32(int column) => statement.Int32(column);

    public string String(int column) => statement.String(column);

    public string? NullableString(int column) => statement.NullableString(column);

    public string? RepeatedString(int column) => statement.PooledString(column, pool);
}

/// <summary>
/// Hands out one string instance per distinct short value (signal types, categories, designations), so reading a
/// million rows does not allocate a million copies of "pdq". Bounded: past its capacity it stops pooling.
/// </summary>
internal sealed class StringPool
{
    private const int MaxLength = 64;
    private const int Capacity = 4096;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxLength];
        ReadOnlySpan<char> text = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (_lookup.TryGetValue(text, out string? pooled))
        {
            return pooled;
        }

        string value = new(text);
        if (_strings.Count < Capacity)
        {
            _strings.Add(value, value);
        }

        return value;
    }
}
