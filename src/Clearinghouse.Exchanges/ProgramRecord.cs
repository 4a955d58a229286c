using System.Text.Json.Nodes;
using Clearinghouse.Storage;

namespace Clearinghouse.Exchanges;

/// <summary>A hash as a program gives it: the program's name for the algorithm and the value, not yet checked.</summary>
public readonly record struct ProgramHash(string Algorithm, string Value);

/// <summary>
/// One record of a program's feed as read, before mapping: its stable key, its hashes, the labels worth keeping
/// (never a field that could identify a person), the tags that decide its category, the program's opinion of it,
/// and whether the program deletes it.
/// </summary>
/// <param name="Where">Where it was read, for reports (e.g. <c>record 3</c>, <c>line 12</c>).</param>
public sealed record ProgramRecord(string Key, IReadOnlyList<ProgramHash> Hashes, JsonObject Labels, IReadOnlyList<string> Tags, OpinionKind? Opinion, bool Deleted, string Where);

/// <summary>A record that was skipped, where and why; the rest of its page is applied.</summary>
public sealed record RecordProblem(string Where, string? Key, string Code, string Reason);

/// <summary>A page of a program's feed: its records in order, the records skipped, and where the feed stands after it.</summary>
/// <param name="Checkpoint">The program's checkpoint after this page (null: unchanged).</param>
/// <param name="More">Whether more pages follow in this fetch.</param>
public sealed record ProgramPage(IReadOnlyList<ProgramRecord> Records, IReadOnlyList<RecordProblem> Problems, string? Checkpoint, bool More);

/// <summary>Codes of skipped records in sync reports.</summary>
public static class ProblemCodes
{
    public const string MalformedRecord = "malformed_record";
    public const string InvalidValue = "invalid_value";
    public const string UnsupportedSignalType = "unsupported_signal_type";
    public const string OtherCategory = "other_category";
    public const string Unmapped = "unmapped";
}
