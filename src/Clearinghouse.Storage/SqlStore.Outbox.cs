using System.Data.Common;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// The match batch (matches, review items, deliveries and a content copy in one transaction) and the webhook outbox:
// deliveries are claimed under a lease, one per endpoint at a time and oldest first, so each endpoint receives its
// deliveries in outbox order; a node that dies mid-attempt leaves a lease that runs out, and the row is claimed again.
public abstract partial class SqlStore
{
    /// <summary>Largest content copy kept for review.</summary>
    public const int MaxReviewContentBytes = 64 * 1024 * 1024;

    /// <summary>Longest webhook payload.</summary>
    public const int MaxDeliveryPayload = 1024 * 1024;

    private const string DeliveryColumns =
        "d.id, d.endpoint_id, d.member_id, d.idempotency_key, d.event_type, d.payload, d.state, d.attempts, d.next_attempt_us, d.last_status, d.last_error, d.created_us, d.delivered_us";

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.Invalid"/> for a match of another member, a review item without matches or with an
    /// index out of range, a bad priority or content; <see cref="StoreError.NotFound"/> for an unknown member, signal or
    /// bank; <see cref="StoreError.Conflict"/> for an idempotency key already used.</remarks>
    public Task<MatchBatchResult> RecordMatchBatchAsync(MatchBatch batch, CancellationToken cancellationToken = default)
    {
        RequireBatchShape(batch);
        return WriteAsync(WriteLock.None, async session =>
        {
            DateTimeOffset now = Micros.ToTime(session.NowMicros);
            var matchIds = new long[batch.Matches.Count];
            try
            {
                for (int i = 0; i < batch.Matches.Count; i++)
                {
                    MatchRecord match = batch.Matches[i];
                    matchIds[i] = await session.ScalarAsync<long>(
                        "INSERT INTO matches (member_id, signal_id, bank_id, signal_type, distance, at_us) VALUES (@member, @signal, @bank, @type, @distance, @at) RETURNING id",
                        cancellationToken,
                        ("@member", match.MemberId),
                        ("@signal", match.SignalId),
                        ("@bank", match.BankId),
                        ("@type", match.SignalType),
                        ("@distance", match.Distance),
                        ("@at", Micros.From(match.At == default ? now : match.At))).ConfigureAwait(false);
                }
            }
            catch (DbException e) when (Dialect.IsForeignKeyViolation(e))
            {
                throw NotFound("a match refers to an unknown member, signal or bank");
            }

            long? contentId = null;
            if (batch.Content is { } content && batch.ReviewItems.Any(r => r.KeepContent))
            {
                contentId = await session.ScalarAsync<long>(
                    "INSERT INTO review_content (media_type, bytes, expires_us) VALUES (@type, @bytes, @expires) RETURNING id",
                    cancellationToken,
                    ("@type", content.MediaType),
                    ("@bytes", content.Bytes),
                    ("@expires", Micros.From(content.ExpiresAt))).ConfigureAwait(false);
            }

            var itemIds = new List<long>(batch.ReviewItems.Count);
            foreach (NewReviewItem item in batch.ReviewItems)
            {
                long itemId = await session.ScalarAsync<long>(
                    """
                    INSERT INTO review_items (member_id, rule_id, priority, state, created_us, content_signals, content_id)
                    VALUES (@member, @rule, @priority, 0, @at, @signals, @content) RETURNING id
                    """,
                    cancellationToken,
                    ("@member", batch.MemberId),
                    ("@rule", item.RuleId),
                    ("@priority", item.Priority),
                    ("@at", session.NowMicros),
                    ("@signals", ActionJson.WriteContentSignals(item.ContentSignals)),
                    ("@content", item.KeepContent ? contentId : null)).ConfigureAwait(false);
                foreach (int index in item.MatchIndexes.Distinct())
                {
                    MatchRecord match = batch.Matches[index];
                    await session.ExecuteAsync(
                        """
                        INSERT INTO review_item_matches (item_id, match_id, signal_id, bank_id, category, signal_type, distance)
                        SELECT @item, @match, s.id, @bank, s.category, @type, @distance FROM signals s WHERE s.id = @signal
                        """,
                        cancellationToken,
                        ("@item", itemId),
                        ("@match", matchIds[index]),
                        ("@bank", match.BankId),
                        ("@type", match.SignalType),
                        ("@distance", match.Distance),
                        ("@signal", match.SignalId)).ConfigureAwait(false);
                }

                itemIds.Add(itemId);
            }

            var deliveryIds = new List<long>(batch.Deliveries.Count);
            try
            {
                foreach (NewDelivery delivery in batch.Deliveries)
                {
                    // Only to a live, enabled endpoint of this member: a rule may name one that was disabled since.
                    long id = await session.ScalarAsync<long>(
                        $"""
                        INSERT INTO webhook_deliveries (endpoint_id, member_id, idempotency_key, event_type, payload, state, attempts, next_attempt_us, lease_until_us, created_us)
                        SELECT e.id, e.member_id, @key, @event, @payload, {(int)DeliveryState.Pending}, 0, @at, 0, @at
                        FROM webhook_endpoints e WHERE e.id = @endpoint AND e.member_id = @member AND e.enabled = TRUE AND e.deleted = FALSE
                        RETURNING id
                        """,
                        cancellationToken,
                        ("@key", delivery.IdempotencyKey),
                        ("@event", delivery.EventType),
                        ("@payload", delivery.Payload),
                        ("@at", session.NowMicros),
                        ("@endpoint", delivery.EndpointId),
                        ("@member", batch.MemberId)).ConfigureAwait(false);
                    if (id != 0)
                    {
                        deliveryIds.Add(id);
                    }
                }
            }
            catch (DbException e) when (Dialect.IsUniqueViolation(e))
            {
                throw Conflict("a delivery's idempotency key is already used");
            }

            return new MatchBatchResult(matchIds, itemIds, deliveryIds);
        }, cancellationToken);
    }

    private static void RequireBatchShape(MatchBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(batch.Matches);
        ArgumentNullException.ThrowIfNull(batch.ReviewItems);
        ArgumentNullException.ThrowIfNull(batch.Deliveries);
        for (int i = 0; i < batch.Matches.Count; i++)
        {
            MatchRecord match = batch.Matches[i];
            if (match is null || string.IsNullOrEmpty(match.SignalType) || match.Distance < 0 || match.MemberId != batch.MemberId)
            {
                throw Invalid($"matches[{i}] needs the batch's member, a signal type and a distance of 0 or more");
            }
        }

        for (int i = 0; i < batch.ReviewItems.Count; i++)
        {
            NewReviewItem item = batch.ReviewItems[i];
            if (item?.MatchIndexes is not { Count: > 0 } || item.MatchIndexes.Any(m => m < 0 || m >= batch.Matches.Count))
            {
                throw Invalid($"review item {i} must name one or more of the batch's matches");
            }

            if (item.Priority is < 0 or > RuleActions.MaxPriority)
            {
                throw Invalid($"review item {i}'s priority must be 0 to {RuleActions.MaxPriority}");
            }

            if (item.ContentSignals is null || item.ContentSignals.Any(s => s is null || string.IsNullOrEmpty(s.SignalType) || string.IsNullOrEmpty(s.Value)))
            {
                throw Invalid($"review item {i}'s content signals need a type and a value each");
            }

            if (item.KeepContent && batch.Content is null)
            {
                throw Invalid($"review item {i} keeps the content, but the batch has none");
            }
        }

        if (batch.Content is { } content
            && (content.Bytes is null || content.Bytes.Length == 0 || content.Bytes.Length > MaxReviewContentBytes
                || string.IsNullOrWhiteSpace(content.MediaType) || content.MediaType.Length > 200 || content.MediaType.Any(char.IsControl)))
        {
            throw Invalid($"a content copy needs a media type and 1 to {MaxReviewContentBytes} bytes");
        }

        foreach (NewDelivery delivery in batch.Deliveries)
        {
            if (delivery is null || string.IsNullOrEmpty(delivery.IdempotencyKey) || delivery.IdempotencyKey.Length > 200
                || string.IsNullOrEmpty(delivery.EventType) || delivery.EventType.Length > 100
                || string.IsNullOrEmpty(delivery.Payload) || delivery.Payload.Length > MaxDeliveryPayload)
            {
                throw Invalid($"a delivery needs an idempotency key (at most 200 characters), an event type and a payload of at most {MaxDeliveryPayload} characters");
            }
        }
    }

    // --- the outbox --------------------------------------------------------------------------------------------

    public Task<IReadOnlyList<DueDelivery>> ClaimDueDeliveriesAsync(int limit, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        RequireLimit(limit);
        if (lease <= TimeSpan.Zero)
        {
            throw Invalid("a lease must be positive");
        }

        return WriteAsync<IReadOnlyList<DueDelivery>>(WriteLock.None, async session =>
        {
            // Each endpoint's oldest pending delivery, when it is due and not leased by another attempt.
            List<DueDelivery> candidates = await session.QueryAsync(
                $"""
                SELECT {DeliveryColumns}, e.url, e.secret FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.state = {(int)DeliveryState.Pending} AND e.enabled = TRUE AND e.deleted = FALSE
                    AND d.id = (SELECT min(p.id) FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.state = {(int)DeliveryState.Pending})
                    AND d.next_attempt_us <= @now AND d.lease_until_us <= @now
                ORDER BY d.next_attempt_us, d.id LIMIT @limit
                """,
                r => new DueDelivery(DeliveryRow(r), r.GetString(13), r.GetString(14)),
                cancellationToken,
                ("@now", session.NowMicros),
                ("@limit", (long)limit)).ConfigureAwait(false);
            var claimed = new List<DueDelivery>(candidates.Count);
            long until = session.NowMicros + (long)(lease.Ticks / TimeSpan.TicksPerMicrosecond);
            foreach (DueDelivery candidate in candidates)
            {
                // Conditional, so of two nodes claiming at once only one wins (the other sees the new lease).
                int updated = await session.ExecuteAsync(
                    $"UPDATE webhook_deliveries SET lease_until_us = @until WHERE id = @id AND state = {(int)DeliveryState.Pending} AND lease_until_us <= @now",
                    cancellationToken,
                    ("@until", until),
                    ("@id", candidate.Delivery.Id),
                    ("@now", session.NowMicros)).ConfigureAwait(false);
                if (updated == 1)
                {
                    claimed.Add(candidate);
                }
            }

            return claimed;
        }, cancellationToken);
    }

    public Task<WebhookDelivery> CompleteDeliveryAttemptAsync(long deliveryId, DeliveryAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        string? error = attempt.Error is { Length: > 2000 } tooLong ? tooLong[..2000] : attempt.Error;
        return WriteAsync(WriteLock.None, async session =>
        {
            WebhookDelivery delivery = await FindDeliveryAsync(session, null, deliveryId, cancellationToken).ConfigureAwait(false)
                ?? throw NotFound($"there is no delivery {deliveryId}");
            WebhookDelivery after = delivery with
            {
                Attempts = delivery.Attempts + 1,
                LastStatus = attempt.Status,
                LastError = attempt.Delivered ? null : error,
            };
            if (attempt.Delivered)
            {
                after = after with { State = DeliveryState.Delivered, DeliveredAt = Micros.ToTime(session.NowMicros) };
            }
            else if (delivery.State == DeliveryState.Pending)
            {
                after = attempt.RetryAt is DateTimeOffset retry
                    ? after with { NextAttemptAt = retry }
                    : after with { State = DeliveryState.Dead };
            }

            await session.ExecuteAsync(
                """
                UPDATE webhook_deliveries SET state = @state, attempts = @attempts, next_attempt_us = @next, lease_until_us = 0,
                    last_status = @status, last_error = @error, delivered_us = @delivered
                WHERE id = @id
                """,
                cancellationToken,
                ("@state", (int)after.State),
                ("@attempts", after.Attempts),
                ("@next", Micros.From(after.NextAttemptAt)),
                ("@status", after.LastStatus),
                ("@error", after.LastError),
                ("@delivered", after.DeliveredAt is DateTimeOffset at ? Micros.From(at) : null),
                ("@id", deliveryId)).ConfigureAwait(false);
            return after;
        }, cancellationToken);
    }

    public Task<DateTimeOffset?> GetNextDeliveryDueAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async session =>
        {
            long? next = await session.ScalarAsync<long?>(
                $"""
                SELECT min(CASE WHEN d.lease_until_us > d.next_attempt_us THEN d.lease_until_us ELSE d.next_attempt_us END)
                FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.state = {(int)DeliveryState.Pending} AND e.enabled = TRUE AND e.deleted = FALSE
                    AND d.id = (SELECT min(p.id) FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.state = {(int)DeliveryState.Pending})
                """,
                cancellationToken).ConfigureAwait(false);
            return next is long micros ? Micros.ToTime(micros) : (DateTimeOffset?)null;
        }, cancellationToken);

    public Task<WebhookDelivery?> GetDeliveryAsync(long memberId, long deliveryId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => FindDeliveryAsync(session, memberId, deliveryId, cancellationToken), cancellationToken);

    public Task<Page<WebhookDelivery>> ListDeliveriesAsync(DeliveryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireLimit(query.Limit);
        return ReadAsync(async session => ToPage(
            await session.QueryAsync(
                $"""
                SELECT {DeliveryColumns} FROM webhook_deliveries d
                WHERE d.member_id = @member AND d.id > @after AND (@state < 0 OR d.state = @state) AND (@endpoint = 0 OR d.endpoint_id = @endpoint)
                ORDER BY d.id LIMIT @limit
                """,
                DeliveryRow,
                cancellationToken,
                ("@member", query.MemberId),
                ("@after", query.AfterId),
                ("@state", query.State is DeliveryState state ? (int)state : -1),
                ("@endpoint", query.EndpointId ?? 0),
                ("@limit", (long)query.Limit + 1)).ConfigureAwait(false),
            query.Limit,
            d => d.Id), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.Conflict"/> when the delivery is not dead or its endpoint was deleted.</remarks>
    public Task<WebhookDelivery> RedriveDeliveryAsync(long memberId, long deliveryId, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.None, async session =>
        {
            WebhookDelivery delivery = await FindDeliveryAsync(session, memberId, deliveryId, cancellationToken).ConfigureAwait(false)
                ?? throw NotFound($"member {memberId} has no delivery {deliveryId}");
            if (delivery.State != DeliveryState.Dead)
            {
                throw Conflict($"delivery {deliveryId} is {delivery.State.ToString().ToLowerInvariant()}; only dead deliveries can be re-driven");
            }

            if (await FindEndpointAsync(session, memberId, delivery.EndpointId, cancellationToken).ConfigureAwait(false) is null)
            {
                throw Conflict($"delivery {deliveryId}'s webhook endpoint was deleted");
            }

            await session.ExecuteAsync(
                $"UPDATE webhook_deliveries SET state = {(int)DeliveryState.Pending}, attempts = 0, next_attempt_us = @now, lease_until_us = 0 WHERE id = @id",
                cancellationToken,
                ("@now", session.NowMicros),
                ("@id", deliveryId)).ConfigureAwait(false);
            return delivery with { State = DeliveryState.Pending, Attempts = 0, NextAttemptAt = Micros.ToTime(session.NowMicros) };
        }, cancellationToken);

    private static Task<WebhookDelivery?> FindDeliveryAsync(Session session, long? memberId, long deliveryId, CancellationToken cancellationToken) =>
        session.QuerySingleAsync(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries d WHERE d.id = @id AND (@member = 0 OR d.member_id = @member)",
            DeliveryRow,
            cancellationToken,
            ("@id", deliveryId),
            ("@member", memberId ?? 0));

    private static WebhookDelivery DeliveryRow(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetInt64(1),
        r.GetInt64(2),
        r.GetString(3),
        r.GetString(4),
        r.GetString(5),
        (DeliveryState)r.GetInt32(6),
        r.GetInt32(7),
        Micros.ToTime(r.GetInt64(8)),
        r.IsDBNull(9) ? null : r.GetInt32(9),
        r.IsDBNull(10) ? null : r.GetString(10),
        Micros.ToTime(r.GetInt64(11)),
        r.IsDBNull(12) ? null : Micros.ToTime(r.GetInt64(12)));
}
