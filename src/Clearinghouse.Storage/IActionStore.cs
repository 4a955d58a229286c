namespace Clearinghouse.Storage;

/// <summary>
/// Acting on matches: a member's action rules (audited), webhook endpoints and the outbox of deliveries, and the
/// review queue with decisions. Implemented by <see cref="SqlStore"/> beside <see cref="IClearinghouseStore"/>, with
/// the same guarantees: each write is one transaction, durable when its task completes, and leaves nothing when it
/// throws; fixable errors throw <see cref="StoreException"/>.
/// </summary>
/// <remarks>
/// Everything here is private to a member. Methods taking a member id refuse (as <see cref="StoreError.NotFound"/>)
/// a rule, endpoint, delivery or item of another member, so a caller cannot probe other members' ids.
/// </remarks>
public interface IActionStore
{
    // --- matches and what the rules made of them ----------------------------------------------------------------

    /// <summary>
    /// Records one lookup's matches with the review items and webhook deliveries the member's rules made of them
    /// (and the content copy, when kept), all in one transaction. Deliveries to a disabled or deleted endpoint are
    /// skipped (their ids are absent from the result).
    /// </summary>
    Task<MatchBatchResult> RecordMatchBatchAsync(MatchBatch batch, CancellationToken cancellationToken = default);

    // --- rules -------------------------------------------------------------------------------------------------

    /// <summary>Creates a rule; audited with <paramref name="actor"/>.</summary>
    Task<ActionRule> CreateActionRuleAsync(NewActionRule rule, string actor, CancellationToken cancellationToken = default);

    /// <summary>Replaces a rule's name, selector, actions and enabled flag; audited.</summary>
    Task<ActionRule> ReplaceActionRuleAsync(long ruleId, NewActionRule rule, string actor, CancellationToken cancellationToken = default);

    /// <summary>Deletes a rule (it stops acting; its audit stays); audited.</summary>
    Task DeleteActionRuleAsync(long memberId, long ruleId, string actor, CancellationToken cancellationToken = default);

    Task<ActionRule?> GetActionRuleAsync(long memberId, long ruleId, CancellationToken cancellationToken = default);

    /// <summary>The member's live rules in id order (enabled or not).</summary>
    Task<IReadOnlyList<ActionRule>> ListActionRulesAsync(long memberId, CancellationToken cancellationToken = default);

    /// <summary>The audit of the member's rule changes (of one rule when <paramref name="ruleId"/> is given), oldest first.</summary>
    Task<Page<ActionRuleAudit>> ListActionRuleAuditAsync(long memberId, long? ruleId, long afterId, int limit, CancellationToken cancellationToken = default);

    // --- webhook endpoints -------------------------------------------------------------------------------------

    Task<WebhookEndpoint> CreateWebhookEndpointAsync(long memberId, string url, string secret, string? description, CancellationToken cancellationToken = default);

    Task<WebhookEndpoint> UpdateWebhookEndpointAsync(long memberId, long endpointId, WebhookEndpointUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Deletes an endpoint: its pending deliveries become dead (error "endpoint deleted"); rules naming it are refused from then on.</summary>
    Task DeleteWebhookEndpointAsync(long memberId, long endpointId, CancellationToken cancellationToken = default);

    Task<WebhookEndpoint?> GetWebhookEndpointAsync(long memberId, long endpointId, CancellationToken cancellationToken = default);

    /// <summary>The member's live endpoints in id order.</summary>
    Task<IReadOnlyList<WebhookEndpoint>> ListWebhookEndpointsAsync(long memberId, CancellationToken cancellationToken = default);

    // --- the outbox --------------------------------------------------------------------------------------------

    /// <summary>
    /// Claims up to <paramref name="limit"/> deliveries due now for an attempt, at most one per endpoint and only
    /// each endpoint's oldest pending delivery (so deliveries to one endpoint go in outbox order), and leases them
    /// for <paramref name="lease"/> so no other node attempts them meanwhile. A lease that runs out (its node died)
    /// makes the delivery claimable again.
    /// </summary>
    Task<IReadOnlyList<DueDelivery>> ClaimDueDeliveriesAsync(int limit, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Records an attempt's outcome (counting the attempt) and releases the lease.</summary>
    Task<WebhookDelivery> CompleteDeliveryAttemptAsync(long deliveryId, DeliveryAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>When the next pending delivery is due (null when none is pending), so a dispatcher can sleep until then.</summary>
    Task<DateTimeOffset?> GetNextDeliveryDueAsync(CancellationToken cancellationToken = default);

    Task<WebhookDelivery?> GetDeliveryAsync(long memberId, long deliveryId, CancellationToken cancellationToken = default);

    /// <summary>A member's deliveries in id order.</summary>
    Task<Page<WebhookDelivery>> ListDeliveriesAsync(DeliveryQuery query, CancellationToken cancellationToken = default);

    /// <summary>Makes a dead delivery pending again, due now, with its attempts reset (<see cref="StoreError.Conflict"/> unless dead).</summary>
    Task<WebhookDelivery> RedriveDeliveryAsync(long memberId, long deliveryId, CancellationToken cancellationToken = default);

    // --- review ------------------------------------------------------------------------------------------------

    Task<ReviewItem?> GetReviewItemAsync(long memberId, long itemId, CancellationToken cancellationToken = default);

    Task<ReviewPage> ListReviewItemsAsync(ReviewQuery query, CancellationToken cancellationToken = default);

    /// <summary>The item's kept content copy; null when none is held (never kept, expired or deleted after the decision).</summary>
    Task<ReviewContent?> GetReviewContentAsync(long memberId, long itemId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a decision. Confirm and overturn decide the item and delete its content copy; escalate keeps it in the
    /// queue (and its copy, until it expires). <see cref="StoreError.Conflict"/> when the item is already decided.
    /// </summary>
    Task<ReviewDecision> RecordReviewDecisionAsync(NewReviewDecision decision, CancellationToken cancellationToken = default);

    /// <summary>An item's decisions, oldest first.</summary>
    Task<IReadOnlyList<ReviewDecision>> ListReviewDecisionsAsync(long memberId, long itemId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every content copy whose time has run out; returns how many.</summary>
    Task<int> DeleteExpiredReviewContentAsync(CancellationToken cancellationToken = default);
}
