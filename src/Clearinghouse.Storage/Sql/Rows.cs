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

    public static Signal Signal(DbDataReader r) =>
        new(
            r.GetInt64(0),
            r.GetString(1),
            r.GetString(2),
            r.GetString(3),
            r.GetInt64(4),
            r.GetString(5),
            NullableString(r, 6),
            r.GetInt64(7),
            Micros.ToTime(r.GetInt64(8)),
            (SignalStatus)r.GetInt32(9),
            new OpinionSummary(r.GetInt32(10), r.GetInt32(11), r.GetInt32(12)),
            NullableString(r, 13),
            r.GetInt64(14));

    public static Opinion Opinion(DbDataReader r) =>
        new(r.GetInt64(0), r.GetInt64(1), (OpinionKind)r.GetInt32(2), NullableString(r, 3), Micros.ToTime(r.GetInt64(4)));

    public static MatchRecord Match(DbDataReader r) =>
        new(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4), r.GetInt32(5), Micros.ToTime(r.GetInt64(6)));

    private static string? NullableString(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}

/// <summary>Times are stored as Unix microseconds: exact in both databases and ordered as numbers.</summary>
internal static class Micros
{
    public static long From(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset ToTime(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);
}
