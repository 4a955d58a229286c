using System.Data.Common;

namespace Clearinghouse.Storage.Sql;

/// <summary>The column lists every query selects and the functions that turn a row into a model record.</summary>
/// <remarks>Columns are read by ordinal: each map function matches its column list exactly, in order.</remarks>
internal static class Rows
{
    public const string MemberColumns = "id, name, created_us, active";

    public const string ApiKeyColumns = "id, member_id, key_id, salt, secret_hash, scopes, label, created_us, revoked_us";

    public const string GroupColumns = "id, name, created_us";

    public const string BankColumns =
        "id, name, category, owner_id, scope, group_id, enabled, negative, thresholds, description, created_us, deleted, change_seq";

    public const string SignalColumns =
        "id, public_id, signal_type, value, bank_id, category, designation, contributor_id, created_us, status, positive, negative, investigation_seed, metadata, change_seq";

    public const string OpinionColumns = "signal_id, member_id, kind, note, at_us";

    public const string MatchColumns = "id, member_id, signal_id, bank_id, signal_type, distance, at_us";

    public static Member Member(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), Micros.ToTime(r.GetInt64(2)), r.GetBoolean(3));

    public static ApiKey ApiKey(DbDataReader r) =>
        new(
            r.GetInt64(0),
            r.GetInt64(1),
            r.GetString(2),
            r.GetFieldValue<byte[]>(3),
            r.GetFieldValue<byte[]>(4),
            (ApiScopes)r.GetInt32(5),
            NullableString(r, 6),
            Micros.ToTime(r.GetInt64(7)),
            r.IsDBNull(8) ? null : Micros.ToTime(r.GetInt64(8)));

    public static SharingGroup Group(DbDataReader r) => new(r.GetInt64(0), r.GetString(1), Micros.ToTime(r.GetInt64(2)));

    public static Bank Bank(DbDataReader r) =>
        new(
            r.GetInt64(0),
            r.GetString(1),
            r.GetString(2),
            r.GetInt64(3),
            (SharingScope)r.GetInt32(4),
            r.IsDBNull(5) ? null : r.GetInt64(5),
            r.GetBoolean(6),
            r.GetBoolean(7),
            StoreJson.ReadThresholds(r.GetString(8)),
            NullableString(r, 9),
            Micros.ToTime(r.GetInt64(10)),
            r.GetBoolean(11),
            r.GetInt64(12));

    public static Signal Signal(DbDataReader r) => Signal(new DbColumns(r));

    /// <summary>A signal from any row source: ADO.NET readers and the SQLite bulk reader share this mapping.</summary>
    public static Signal Signal<TColumns>(TColumns r)
        where TColumns : IColumnReader =>
        new(
            r.Int64(0),
            r.String(1),
            r.RepeatedString(2)!,
            r.String(3),
            r.Int64(4),
            r.RepeatedString(5)!,
            r.RepeatedString(6),
            r.Int64(7),
            Micros.ToTime(r.Int64(8)),
            (SignalStatus)r.Int32(9),
            new OpinionSummary(r.Int32(10), r.Int32(11), r.Int32(12)),
            r.NullableString(13),
            r.Int64(14));

    public static Opinion Opinion(DbDataReader r) =>
        new(r.GetInt64(0), r.GetInt64(1), (OpinionKind)r.GetInt32(2), NullableString(r, 3), Micros.ToTime(r.GetInt64(4)));

    public static MatchRecord Match(DbDataReader r) =>
        new(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4), r.GetInt32(5), Micros.ToTime(r.GetInt64(6)));

    private static string? NullableString(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}

/// <summary>Reads a row's columns by ordinal, whatever the row comes from.</summary>
internal interface IColumnReader
{
    long Int64(int column);

    int Int32(int column);

    string String(int column);

    string? NullableString(int column);

    /// <summary>A short text that repeats across rows (a signal type, a category): a reader may share instances.</summary>
    string? RepeatedString(int column);
}

/// <summary>The columns of an ADO.NET reader's current row.</summary>
internal readonly struct DbColumns(DbDataReader reader) : IColumnReader
{
    public long Int64(int column) => reader.GetInt64(column);

    public int Int32(int column) => reader.GetInt32(column);

    public string String(int column) => reader.GetString(column);

    public string? NullableString(int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    public string? RepeatedString(int column) => NullableString(column);
}

/// <summary>Times are stored as Unix microseconds: exact in both databases and ordered as numbers.</summary>
internal static class Micros
{
    public static long From(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset ToTime(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);
}
