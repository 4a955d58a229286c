using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clearinghouse.Server.Json;

// /api/v1 bodies of rules, webhooks and the review queue (issue 6). snake_case on the wire; requests refuse unknown members.

/// <summary>
/// A rule as created or replaced (PUT replaces every field). Empty or absent lists select any bank, category or
/// signal type. Actions: <c>review_priority</c> enqueues for review, <c>webhook_endpoint_id</c> calls a webhook;
/// neither: record only (an exception that exempts the matches it selects from the member's other rules).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class RuleRequest
{
    public required string Name { get; init; }

    public bool? Enabled { get; init; }

    /// <summary>Bank names.</summary>
    public IReadOnlyList<string>? Banks { get; init; }

    public IReadOnlyList<string>? Categories { get; init; }

    public IReadOnlyList<string>? SignalTypes { get; init; }

    public int? MaxDistance { get; init; }

    public bool? IncludeDisputed { get; init; }

    public int? ReviewPriority { get; init; }

    public long? WebhookEndpointId { get; init; }
}

/// <summary>A rule.</summary>
public sealed record RuleInfo(
    long Id,
    string Name,
    bool Enabled,
    IReadOnlyList<string> Banks,
    IReadOnlyList<long> BankIds,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> SignalTypes,
    int? MaxDistance,
    bool IncludeDisputed,
    int? ReviewPriority,
    long? WebhookEndpointId,
    bool RecordOnly,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One audited rule change: who (API key id or reviewer user name), when, and the rule after it (before, for a deletion).</summary>
public sealed record RuleAuditInfo(long Id, long RuleId, string Change, string Actor, DateTimeOffset At, JsonElement Rule);

public sealed record RuleAuditPage(IReadOnlyList<RuleAuditInfo> Items, string? NextCursor);

/// <summary>A new webhook endpoint: an absolute http(s) URL. The node makes the signing secret and shows it once.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class WebhookCreateRequest
{
    public required string Url { get; init; }

    public string? Description { get; init; }
}

/// <summary>Changes to an endpoint; absent fields stay. <c>rotate_secret</c>: a new secret, shown once in the response.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class WebhookUpdateRequest
{
    public string? Url { get; init; }

    public string? Description { get; init; }

    public bool? Enabled { get; init; }

    public bool? RotateSecret { get; init; }
}

/// <summary>A webhook endpoint; <see cref="Secret"/> only in the response that created or rotated it.</summary>
public sealed record WebhookInfo(
    long Id,
    string Url,
    string? Description,
    bool Enabled,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret);

/// <summary>One webhook delivery. State: pending, delivered or dead.</summary>
public sealed record DeliveryInfo(
    long Id,
    long EndpointId,
    string IdempotencyKey,
    string EventType,
    string State,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    int? LastStatus,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt,
    JsonElement Payload);

public sealed record DeliveryPage(IReadOnlyList<DeliveryInfo> Items, string? NextCursor);

/// <summary>One of the content's own signals.</summary>
public sealed record ContentSignalInfo(string SignalType, string Value);

/// <summary>The kept copy of the content: where to fetch it (owner only) and when it is deleted at the latest.</summary>
public sealed record ReviewContentInfo(string MediaType, DateTimeOffset ExpiresAt, string Url);

/// <summary>A review item in the queue. State: open, escalated or decided.</summary>
public sealed record ReviewItemInfo(
    long Id,
    int Priority,
    string State,
    DateTimeOffset CreatedAt,
    long? RuleId,
    IReadOnlyList<string> Banks,
    IReadOnlyList<string> Categories,
    int MatchCount,
    IReadOnlyList<ContentSignalInfo> ContentSignals,
    ReviewContentInfo? Content);

public sealed record ReviewPageInfo(IReadOnlyList<ReviewItemInfo> Items, string? NextCursor);

/// <summary>A matched signal of a review item, with its current state.</summary>
public sealed record ReviewSignalInfo(
    long MatchId,
    long SignalId,
    string? PublicId,
    string SignalType,
    string? Bank,
    long BankId,
    string Category,
    string? Designation,
    int Distance,
    string? Status,
    OpinionCounts? Opinions);

/// <summary>A recorded decision: confirm, overturn or escalate.</summary>
public sealed record ReviewDecisionInfo(
    long Id,
    string Decision,
    string Reviewer,
    DateTimeOffset At,
    long? TargetBankId,
    int AddedSignals,
    string? Note);

/// <summary>A review item with its matched signals and decisions.</summary>
public sealed record ReviewItemDetailInfo(ReviewItemInfo Item, IReadOnlyList<ReviewSignalInfo> Matches, IReadOnlyList<ReviewDecisionInfo> Decisions);

/// <summary>
/// A decision: <c>confirm</c> (with <c>bank</c>: add the content's signals to that bank of the member, with
/// <c>designation</c> when its category needs one), <c>overturn</c> (a negative opinion on each matched signal) or
/// <c>escalate</c>. <c>reviewer</c>: the reviewer's user name; the API key's id when absent.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ReviewDecisionRequestBody
{
    public required string Decision { get; init; }

    public string? Reviewer { get; init; }

    public string? Bank { get; init; }

    public string? Designation { get; init; }

    public string? Note { get; init; }
}

/// <summary>What a decision did.</summary>
public sealed record ReviewDecisionResult(ReviewDecisionInfo Decision, IReadOnlyList<long> AddedSignalIds, int DuplicateSignals, IReadOnlyList<string> OverturnedSignals);

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(RuleRequest))]
[JsonSerializable(typeof(RuleInfo))]
[JsonSerializable(typeof(RuleInfo[]))]
[JsonSerializable(typeof(RuleAuditPage))]
[JsonSerializable(typeof(WebhookCreateRequest))]
[JsonSerializable(typeof(WebhookUpdateRequest))]
[JsonSerializable(typeof(WebhookInfo))]
[JsonSerializable(typeof(WebhookInfo[]))]
[JsonSerializable(typeof(DeliveryInfo))]
[JsonSerializable(typeof(DeliveryPage))]
[JsonSerializable(typeof(ReviewPageInfo))]
[JsonSerializable(typeof(ReviewItemDetailInfo))]
[JsonSerializable(typeof(ReviewDecisionRequestBody))]
[JsonSerializable(typeof(ReviewDecisionResult))]
public sealed partial class ActionJsonContext : JsonSerializerContext;
