namespace Clearinghouse.Storage;

// Acting on matches (issue 6): a member's action rules, its webhook endpoints and their durable outbox, and its
// review queue with decisions. All of it is private to the member; nothing here identifies a person: a reviewer is
// the user name of a member's reviewer account, and content copies exist only when the member uploaded for review.

/// <summary>Which matches a rule selects. An empty list selects any value of that dimension.</summary>
/// <param name="BankIds">The banks whose matches it selects (empty: any bank).</param>
/// <param name="Categories">The taxonomy categories it selects (empty: any).</param>
/// <param name="SignalTypes">The signal types it selects (empty: any).</param>
/// <param name="MaxDistance">The largest distance it selects (null: anything the bank's threshold let through).</param>
/// <param name="IncludeDisputed">Whether matches of disputed signals are selected too, not only active ones.</param>
public sealed record RuleSelector(
    IReadOnlyList<long> BankIds,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> SignalTypes,
    int? MaxDistance,
    bool IncludeDisputed)
{
    /// <summary>Selects every match of an active signal.</summary>
    public static RuleSelector Any { get; } = new([], [], [], null, false);

    /// <summary>Equal when every list holds the same entries in the same order (records compare lists by reference).</summary>
    public bool Equals(RuleSelector? other) =>
        other is not null
        && BankIds.SequenceEqual(other.BankIds)
        && Categories.SequenceEqual(other.Categories, StringComparer.Ordinal)
        && SignalTypes.SequenceEqual(other.SignalTypes, StringComparer.Ordinal)
        && MaxDistance == other.MaxDistance
        && IncludeDisputed == other.IncludeDisputed;

    public override int GetHashCode() => HashCode.Combine(BankIds.Count, Categories.Count, SignalTypes.Count, MaxDistance, IncludeDisputed);
}

/// <summary>What a rule does with the matches it selects. Neither action: the match is only recorded.</summary>
/// <param name="ReviewPriority">Enqueue for review with this priority (0 to <see cref="MaxPriority"/>, higher first); null: no review.</param>
/// <param name="WebhookEndpointId">Call this webhook endpoint of the member; null: no webhook.</param>
public sealed record RuleActions(int? ReviewPriority, long? WebhookEndpointId)
{
    public const int MaxPriority = 100;

    public static RuleActions RecordOnly { get; } = new(null, null);

    public bool IsRecordOnly => ReviewPriority is null && WebhookEndpointId is null;
}

/// <summary>A rule as created or replaced (a full replacement: every field is given).</summary>
public sealed record NewActionRule(long MemberId, string Name, RuleSelector Selector, RuleActions Actions, bool Enabled = true);

/// <summary>A member's action rule.</summary>
public sealed record ActionRule(
    long Id,
    long MemberId,
    string Name,
    RuleSelector Selector,
    RuleActions Actions,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>How a rule changed.</summary>
public enum RuleChange
{
    Created,
    Updated,
    Deleted,
}

/// <summary>One audited change of a rule: who (an API key id or a reviewer's user name), when, and the rule after it
/// (before it, for a deletion) as JSON.</summary>
public sealed record ActionRuleAudit(long Id, long RuleId, long MemberId, RuleChange Change, string Actor, DateTimeOffset At, string RuleJson);

/// <summary>A member's webhook endpoint. <see cref="Secret"/> is the HMAC key shared with the receiver: the store keeps
/// it as given (it must sign with it), the API shows it only when the endpoint is created or its secret replaced.</summary>
public sealed record WebhookEndpoint(
    long Id,
    long MemberId,
    string Url,
    string Secret,
    string? Description,
    bool Enabled,
    DateTimeOffset CreatedAt);

/// <summary>Changes to a webhook endpoint; null leaves a field as it is.</summary>
public sealed record WebhookEndpointUpdate(string? Url = null, string? Secret = null, string? Description = null, bool? Enabled = null);

/// <summary>Where a delivery is in its life.</summary>
public enum DeliveryState
{
    /// <summary>Waiting for its next attempt.</summary>
    Pending,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>Given up after the last attempt (or its endpoint was deleted); can be re-driven.</summary>
    Dead,
}

/// <summary>One webhook call in the outbox.</summary>
/// <param name="IdempotencyKey">Unique per delivery; sent with every attempt so receivers can drop repeats.</param>
/// <param name="Payload">The JSON body, fixed when the delivery is written.</param>
/// <param name="LastStatus">The HTTP status of the last attempt, when there was a response.</param>
/// <param name="LastError">Why the last attempt failed (status, timeout, connection error).</param>
public sealed record WebhookDelivery(
    long Id,
    long EndpointId,
    long MemberId,
    string IdempotencyKey,
    string EventType,
    string Payload,
    DeliveryState State,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    int? LastStatus,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt);

/// <summary>A delivery claimed for an attempt, with what is needed to send it.</summary>
public sealed record DueDelivery(WebhookDelivery Delivery, string Url, string Secret);

/// <summary>How an attempt went: delivered, failed with a retry at <see cref="RetryAt"/>, or failed for good (RetryAt null).</summary>
public sealed record DeliveryAttempt(bool Delivered, int? Status, string? Error, DateTimeOffset? RetryAt);

/// <summary>A filter for listing deliveries.</summary>
public sealed record DeliveryQuery(long MemberId, DeliveryState? State = null, long? EndpointId = null, long AfterId = 0, int Limit = 100);

/// <summary>A new delivery, written with the matches that caused it.</summary>
public sealed record NewDelivery(long EndpointId, string IdempotencyKey, string EventType, string Payload);

/// <summary>One of the content's own signals (a hash of the uploaded or looked-up content), which a confirming
/// reviewer may add to a bank.</summary>
public sealed record ContentSignal(string SignalType, string Value);

/// <summary>A copy of uploaded content kept for review until <see cref="ExpiresAt"/> or the decision.</summary>
public sealed record NewReviewContent(string MediaType, byte[] Bytes, DateTimeOffset ExpiresAt);

/// <summary>A new review item, written with the matches it reviews.</summary>
/// <param name="MatchIndexes">Which of the batch's matches it reviews (indexes into <see cref="MatchBatch.Matches"/>).</param>
/// <param name="KeepContent">Whether it holds the batch's content copy.</param>
public sealed record NewReviewItem(long? RuleId, int Priority, IReadOnlyList<int> MatchIndexes, IReadOnlyList<ContentSignal> ContentSignals, bool KeepContent);

/// <summary>
/// The matches of one lookup (one member's content) and what the member's rules made of them: review items and
/// webhook deliveries, and the content copy when one is kept. Written in one transaction.
/// </summary>
public sealed record MatchBatch(
    long MemberId,
    IReadOnlyList<MatchRecord> Matches,
    IReadOnlyList<NewReviewItem> ReviewItems,
    IReadOnlyList<NewDelivery> Deliveries,
    NewReviewContent? Content = null);

/// <summary>What a batch wrote: the match ids (in batch order), review item ids and delivery ids.</summary>
public sealed record MatchBatchResult(IReadOnlyList<long> MatchIds, IReadOnlyList<long> ReviewItemIds, IReadOnlyList<long> DeliveryIds);

/// <summary>Where a review item is.</summary>
public enum ReviewState
{
    Open,

    /// <summary>A reviewer escalated it; still in the queue, for a senior reviewer's decision.</summary>
    Escalated,

    /// <summary>Confirmed or overturned: out of the queue, its content copy deleted.</summary>
    Decided,
}

/// <summary>One matched signal of a review item.</summary>
public sealed record ReviewMatch(long MatchId, long SignalId, long BankId, string Category, string SignalType, int Distance);

/// <summary>A review item in a member's queue.</summary>
/// <param name="ContentMediaType">The media type of the kept content copy; null when none is held (never kept, expired or deleted).</param>
/// <param name="ContentExpiresAt">When the copy is deleted at the latest.</param>
public sealed record ReviewItem(
    long Id,
    long MemberId,
    long? RuleId,
    int Priority,
    ReviewState State,
    DateTimeOffset CreatedAt,
    IReadOnlyList<ReviewMatch> Matches,
    IReadOnlyList<ContentSignal> ContentSignals,
    string? ContentMediaType,
    DateTimeOffset? ContentExpiresAt);

/// <summary>A kept content copy.</summary>
public sealed record ReviewContent(long ItemId, string MediaType, byte[] Bytes, DateTimeOffset ExpiresAt);

/// <summary>How the queue is ordered.</summary>
public enum ReviewSort
{
    /// <summary>Oldest first (the default: first in, first reviewed).</summary>
    Oldest,

    Newest,

    /// <summary>Highest priority first, then oldest.</summary>
    Priority,
}

/// <summary>A position in a sorted queue: the last item's sort key (its priority for <see cref="ReviewSort.Priority"/>) and id.</summary>
public readonly record struct ReviewCursor(long Key, long Id);

/// <summary>A filter over a member's review items. States: null means open and escalated (the queue).</summary>
public sealed record ReviewQuery(
    long MemberId,
    ReviewState? State = null,
    long? BankId = null,
    string? Category = null,
    int? MinPriority = null,
    DateTimeOffset? CreatedBefore = null,
    DateTimeOffset? CreatedAfter = null,
    ReviewSort Sort = ReviewSort.Oldest,
    ReviewCursor? After = null,
    int Limit = 50);

/// <summary>A page of review items and the cursor to continue after (null at the end).</summary>
public sealed record ReviewPage(IReadOnlyList<ReviewItem> Items, ReviewCursor? Next);

/// <summary>What a reviewer decided.</summary>
public enum ReviewDecisionKind
{
    /// <summary>The match is right (optionally the content's signals were added to a bank of the member).</summary>
    Confirm,

    /// <summary>The match is a false positive (a negative opinion was recorded on the matched signals).</summary>
    Overturn,

    /// <summary>Needs a senior reviewer; the item stays in the queue.</summary>
    Escalate,
}

/// <summary>A decision to record.</summary>
/// <param name="Reviewer">The user name of the member's reviewer account (or an API key id); nothing more about the person.</param>
/// <param name="TargetBankId">For a confirm: the bank the content's signals were added to.</param>
/// <param name="AddedSignals">For a confirm: how many signals were added to the target bank.</param>
public sealed record NewReviewDecision(
    long ItemId,
    long MemberId,
    ReviewDecisionKind Decision,
    string Reviewer,
    long? TargetBankId = null,
    int AddedSignals = 0,
    string? Note = null);

/// <summary>A recorded decision.</summary>
public sealed record ReviewDecision(
    long Id,
    long ItemId,
    ReviewDecisionKind Decision,
    string Reviewer,
    DateTimeOffset At,
    long? TargetBankId,
    int AddedSignals,
    string? Note);
