using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearinghouse.Server.Json;

// The node's own API (/api/v1) bodies. Names are snake_case on the wire (NodeJsonContext); request types refuse
// unknown members so a misspelt field is an error, not a silent default.

/// <summary>A signal type the node knows.</summary>
public sealed record SignalTypeInfo(string Name, IReadOnlyList<string> ContentTypes, int DefaultThreshold, bool Exact, int IndexedSignals);

/// <summary>A signal computed from content (or a value given to canonicalise).</summary>
public sealed record HashedSignal(
    string SignalType,
    string Value,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Quality);

/// <summary>The signals of one upload.</summary>
public sealed record HashResponse(string ContentType, IReadOnlyList<HashedSignal> Signals);

/// <summary>A value of a signal type.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SignalValue
{
    public required string SignalType { get; init; }

    public required string Value { get; init; }
}

/// <summary>Values to match, optionally only against the named banks.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class MatchRequest
{
    public required IReadOnlyList<SignalValue> Signals { get; init; }

    public IReadOnlyList<string>? Banks { get; init; }
}

/// <summary>Counts of members' opinions on a signal.</summary>
public sealed record OpinionCounts(int Positive, int Negative, int InvestigationSeed);

/// <summary>One matched signal.</summary>
public sealed record MatchItem(
    long SignalId,
    string PublicId,
    string Bank,
    long BankId,
    string Category,
    string? Designation,
    int Distance,
    string Status,
    OpinionCounts Opinions);

/// <summary>
/// The matches of one value. When the value also matches a negative (known-benign) bank, <see cref="Suppressed"/>
/// is true, <see cref="Matches"/> is empty, <see cref="SuppressedCount"/> says how many were hidden and
/// <see cref="NegativeMatches"/> lists the benign signals that caused it.
/// </summary>
public sealed record MatchResult(
    string SignalType,
    string Value,
    IReadOnlyList<MatchItem> Matches,
    bool Suppressed,
    int SuppressedCount,
    IReadOnlyList<MatchItem> NegativeMatches,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NotMatched);

/// <summary>The matches of several values.</summary>
public sealed record MatchResponse(IReadOnlyList<MatchResult> Results);

/// <summary>An upload's signals and their matches, in one call.</summary>
public sealed record UploadMatchResponse(string ContentType, IReadOnlyList<HashedSignal> Signals, IReadOnlyList<MatchResult> Results);

/// <summary>A bank.</summary>
public sealed record BankInfo(
    long Id,
    string Name,
    string Category,
    long OwnerMemberId,
    string Scope,
    long? SharingGroupId,
    bool Enabled,
    bool Negative,
    IReadOnlyDictionary<string, int> Thresholds,
    string? Description,
    DateTimeOffset CreatedAt);

/// <summary>A new bank. Scope: <c>private</c>, <c>group</c> (with sharing_group_id) or <c>all_members</c> (the default).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class BankCreateRequest
{
    public required string Name { get; init; }

    public required string Category { get; init; }

    public string? Scope { get; init; }

    public long? SharingGroupId { get; init; }

    public bool? Enabled { get; init; }

    public bool? Negative { get; init; }

    public Dictionary<string, int>? Thresholds { get; init; }

    public string? Description { get; init; }
}

/// <summary>Changes to a bank; absent fields stay as they are. The category cannot change.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class BankUpdateRequest
{
    public string? Name { get; init; }

    public string? Scope { get; init; }

    public long? SharingGroupId { get; init; }

    public bool? Enabled { get; init; }

    public bool? Negative { get; init; }

    public Dictionary<string, int>? Thresholds { get; init; }

    public string? Description { get; init; }
}

/// <summary>One page of a list and the cursor of the next page (null on the last).</summary>
public sealed record BankPage(IReadOnlyList<BankInfo> Items, string? NextCursor);

/// <summary>A signal.</summary>
public sealed record SignalInfo(
    long Id,
    string PublicId,
    string SignalType,
    string Value,
    string Bank,
    long BankId,
    string Category,
    string? Designation,
    long ContributorMemberId,
    DateTimeOffset CreatedAt,
    string Status,
    OpinionCounts Opinions,
    JsonElement? Metadata);

/// <summary>One page of signals.</summary>
public sealed record SignalPage(IReadOnlyList<SignalInfo> Items, string? NextCursor);

/// <summary>A signal to add to a bank.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class SignalCreateRequest
{
    public required string SignalType { get; init; }

    public required string Value { get; init; }

    public string? Designation { get; init; }

    /// <summary>Free-form provenance, a JSON object (never about a person).</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>A refused line of a bulk import.</summary>
public sealed record ImportRejectionInfo(
    int Line,
    string Code,
    string Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ExistingSignalId);

/// <summary>
/// What a bulk import did: <see cref="Added"/> signals were written (in one transaction); every other line is in
/// <see cref="Rejections"/> with its reason. <see cref="Applied"/> is false when nothing was written.
/// </summary>
public sealed record ImportReport(
    string Bank,
    string Format,
    int Lines,
    int Added,
    int Rejected,
    bool Applied,
    IReadOnlyList<ImportRejectionInfo> Rejections);

/// <summary>A member's opinion on a signal: <c>positive</c>, <c>negative</c> (false positive) or <c>investigation_seed</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class OpinionRequest
{
    public required string Kind { get; init; }

    public string? Note { get; init; }
}

/// <summary>Moves a signal to another taxonomy category; the reason is published in the transparency log.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class RecategoriseRequest
{
    /// <summary>The new category (a taxonomy id, e.g. branded-publication).</summary>
    public string? Category { get; init; }

    /// <summary>The designation reference (e.g. un:QDe.115); required when the category requires one.</summary>
    public string? Designation { get; init; }

    /// <summary>Why, in 1 to 1000 characters: public.</summary>
    public string? Reason { get; init; }
}

/// <summary>One member's recorded opinion.</summary>
public sealed record OpinionInfo(long MemberId, string Kind, string? Note, DateTimeOffset At);

/// <summary>A match record (never the content): which signal a lookup of this member hit, when, at what distance.</summary>
public sealed record MatchRecordInfo(long Id, long SignalId, long BankId, string SignalType, int Distance, DateTimeOffset At);

/// <summary>One page of match records.</summary>
public sealed record MatchRecordPage(IReadOnlyList<MatchRecordInfo> Items, string? NextCursor);

/// <summary>A member organisation.</summary>
public sealed record MemberInfo(long Id, string Name, DateTimeOffset CreatedAt, bool Active);

/// <summary>A new member and its first key.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class MemberCreateRequest
{
    public required string Name { get; init; }

    /// <summary>Comma-separated scopes of the first key (default: hash, match, contribute, review).</summary>
    public string? Scopes { get; init; }

    public string? Label { get; init; }
}

/// <summary>A new key for a member.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class KeyCreateRequest
{
    public string? Scopes { get; init; }

    public string? Label { get; init; }
}

/// <summary>A key as issued: <see cref="Key"/> is shown this once and never again.</summary>
public sealed record IssuedKeyInfo(long MemberId, string KeyId, string Key, string Scopes, string? Label);

/// <summary>A stored key (without its secret).</summary>
public sealed record KeyInfo(string KeyId, long MemberId, string Scopes, string? Label, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A member and its first key.</summary>
public sealed record MemberCreated(MemberInfo Member, IssuedKeyInfo Key);

/// <summary>A new sharing group.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class GroupCreateRequest
{
    public required string Name { get; init; }
}

/// <summary>A sharing group.</summary>
public sealed record GroupInfo(long Id, string Name, DateTimeOffset CreatedAt);
