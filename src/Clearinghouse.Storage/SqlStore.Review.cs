using System.Data.Common;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// The review queue: items the member's rules enqueued with the matches they review, kept content copies (deleted
// after the decision or when their time runs out) and reviewers' decisions. A decision's effects on shared state
// (signals added to a bank, a negative opinion) go through the signal calls, which log them; the decision itself is
// the member's own record.
public abstract partial class SqlStore
{
    /// <summary>Longest reviewer note.</summary>
    public const int MaxReviewNote = 2000;

    private const string ReviewItemColumns =
        "i.id, i.member_id, i.rule_id, i.priority, i.state, i.created_us, i.content_signals, c.media_type, c.expires_us";

    private const string ReviewDecisionColumns = "id, item_id, decision, reviewer, at_us, target_bank_id, added_signals, note";

    public Task<ReviewItem?> GetReviewItemAsync(long memberId, long itemId, CancellationToken cancellationToken = default) =>
        ReadSnapshotAsync(async session =>
        {
            List<ReviewItem> items = await session.QueryAsync(
                $"SELECT {ReviewItemColumns} FROM review_items i LEFT JOIN review_content c ON c.id = i.content_id AND c.expires_us > @now WHERE i.id = @id AND i.member_id = @member",
                ReviewItemRow,
                cancellationToken,
                ("@now", session.NowMicros),
                ("@id", itemId),
                ("@member", memberId)).ConfigureAwait(false);
            return items.Count == 0 ? null : (await WithMatchesAsync(session, items, cancellationToken).ConfigureAwait(false))[0];
        }, cancellationToken);

    public Task<ReviewPage> ListReviewItemsAsync(ReviewQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireLimit(query.Limit);
        if (!Enum.IsDefined(query.Sort))
        {
            throw Invalid($"unknown review sort {(int)query.Sort}");
        }

        return ReadSnapshotAsync(async session =>
        {
            var where = new List<string> { "i.member_id = @member" };
            var parameters = new List<(string, object?)> { ("@member", query.MemberId), ("@now", session.NowMicros), ("@limit", (long)query.Limit + 1) };
            if (query.State is ReviewState state)
            {
                where.Add("i.state = @state");
                parameters.Add(("@state", (int)state));
            }
            else
            {
                where.Add($"i.state IN ({(int)ReviewState.Open}, {(int)ReviewState.Escalated})");
            }

            if (query.BankId is long bank)
            {
                where.Add("EXISTS (SELECT 1 FROM review_item_matches m WHERE m.item_id = i.id AND m.bank_id = @bank)");
                parameters.Add(("@bank", bank));
            }

            if (query.Category is string category)
            {
                where.Add("EXISTS (SELECT 1 FROM review_item_matches m WHERE m.item_id = i.id AND m.category = @category)");
                parameters.Add(("@category", category));
            }

            if (query.MinPriority is int minPriority)
            {
                where.Add("i.priority >= @min_priority");
                parameters.Add(("@min_priority", minPriority));
            }

            if (query.CreatedBefore is DateTimeOffset before)
            {
                where.Add("i.created_us < @before");
                parameters.Add(("@before", Micros.From(before)));
            }

            if (query.CreatedAfter is DateTimeOffset after)
            {
                where.Add("i.created_us > @created_after");
                parameters.Add(("@created_after", Micros.From(after)));
            }

            string order;
            switch (query.Sort)
            {
                case ReviewSort.Newest:
                    order = "i.id DESC";
                    if (query.After is ReviewCursor newest)
                    {
                        where.Add("i.id < @after_id");
                        parameters.Add(("@after_id", newest.Id));
                    }

                    break;
                case ReviewSort.Priority:
                    order = "i.priority DESC, i.id";
                    if (query.After is ReviewCursor byPriority)
                    {
                        where.Add("(i.priority < @after_key OR (i.priority = @after_key AND i.id > @after_id))");
                        parameters.Add(("@after_key", (int)byPriority.Key));
                        parameters.Add(("@after_id", byPriority.Id));
                    }

                    break;
                default:
                    order = "i.id";
                    if (query.After is ReviewCursor oldest)
                    {
                        where.Add("i.id > @after_id");
                        parameters.Add(("@after_id", oldest.Id));
                    }

                    break;
            }

            List<ReviewItem> items = await session.QueryAsync(
                $"""
                SELECT {ReviewItemColumns} FROM review_items i LEFT JOIN review_content c ON c.id = i.content_id AND c.expires_us > @now
                WHERE {string.Join(" AND ", where)} ORDER BY {order} LIMIT @limit
                """,
                ReviewItemRow,
                cancellationToken,
                [.. parameters]).ConfigureAwait(false);
            ReviewCursor? next = null;
            if (items.Count > query.Limit)
            {
                items.RemoveAt(items.Count - 1);
                ReviewItem last = items[^1];
                next = new ReviewCursor(query.Sort == ReviewSort.Priority ? last.Priority : last.Id, last.Id);
            }

            return new ReviewPage(await WithMatchesAsync(session, items, cancellationToken).ConfigureAwait(false), next);
        }, cancellationToken);
    }

    public Task<ReviewContent?> GetReviewContentAsync(long memberId, long itemId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            "SELECT i.id, c.media_type, c.bytes, c.expires_us FROM review_items i JOIN review_content c ON c.id = i.content_id WHERE i.id = @id AND i.member_id = @member AND c.expires_us > @now",
            r => new ReviewContent(r.GetInt64(0), r.GetString(1), r.GetFieldValue<byte[]>(2), Micros.ToTime(r.GetInt64(3))),
            cancellationToken,
            ("@id", itemId),
            ("@member", memberId),
            ("@now", session.NowMicros)), cancellationToken);

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.NotFound"/> for an item not the member's or a target bank it does not own;
    /// <see cref="StoreError.Invalid"/> for a bad reviewer or note, or a target bank or added signals on a decision
    /// other than confirm.</remarks>
    public Task<ReviewDecision> RecordReviewDecisionAsync(NewReviewDecision decision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (!Enum.IsDefined(decision.Decision))
        {
            throw Invalid($"unknown review decision {(int)decision.Decision}");
        }

        if (string.IsNullOrWhiteSpace(decision.Reviewer) || decision.Reviewer.Length > 200 || decision.Reviewer.Any(char.IsControl))
        {
            throw Invalid("a reviewer's user name must be 1 to 200 characters without control characters");
        }

        if (decision.Note is { Length: > MaxReviewNote })
        {
            throw Invalid($"a reviewer's note must be at most {MaxReviewNote} characters");
        }

        if (decision.Decision != ReviewDecisionKind.Confirm && (decision.TargetBankId is not null || decision.AddedSignals != 0))
        {
            throw Invalid("only a confirm adds signals to a bank");
        }

        if (decision.AddedSignals < 0)
        {
            throw Invalid("added signals must be 0 or more");
        }

        return WriteAsync(WriteLock.None, async session =>
        {
            (int State, long? ContentId)? item = (await session.QueryAsync(
                "SELECT state, content_id FROM review_items WHERE id = @id AND member_id = @member",
                r => ((int, long?)?)(r.GetInt32(0), r.IsDBNull(1) ? null : r.GetInt64(1)),
                cancellationToken,
                ("@id", decision.ItemId),
                ("@member", decision.MemberId)).ConfigureAwait(false)).FirstOrDefault();
            if (item is not { } found)
            {
                throw NotFound($"member {decision.MemberId} has no review item {decision.ItemId}");
            }

            (int state, long? contentId) = found;

            if (state == (int)ReviewState.Decided)
            {
                throw Conflict($"review item {decision.ItemId} is already decided");
            }

            if (decision.TargetBankId is long bankId
                && await session.ScalarAsync<long>(
                    "SELECT count(*) FROM banks WHERE id = @bank AND owner_id = @member AND deleted = FALSE", cancellationToken, ("@bank", bankId), ("@member", decision.MemberId)).ConfigureAwait(false) == 0)
            {
                throw NotFound($"member {decision.MemberId} owns no bank {bankId}");
            }

            long id = await session.ScalarAsync<long>(
                """
                INSERT INTO review_decisions (item_id, decision, reviewer, at_us, target_bank_id, added_signals, note)
                VALUES (@item, @decision, @reviewer, @at, @bank, @added, @note) RETURNING id
                """,
                cancellationToken,
                ("@item", decision.ItemId),
                ("@decision", (int)decision.Decision),
                ("@reviewer", decision.Reviewer),
                ("@at", session.NowMicros),
                ("@bank", decision.TargetBankId),
                ("@added", decision.AddedSignals),
                ("@note", decision.Note)).ConfigureAwait(false);
            bool decides = decision.Decision != ReviewDecisionKind.Escalate;
            await session.ExecuteAsync(
                $"UPDATE review_items SET state = @state{(decides ? ", content_id = NULL" : string.Empty)} WHERE id = @id",
                cancellationToken,
                ("@state", (int)(decides ? ReviewState.Decided : ReviewState.Escalated)),
                ("@id", decision.ItemId)).ConfigureAwait(false);
            if (decides && contentId is long content)
            {
                // The copy may be shared by another undecided item of the same upload; it goes with the last of them.
                await session.ExecuteAsync(
                    "DELETE FROM review_content WHERE id = @content AND NOT EXISTS (SELECT 1 FROM review_items WHERE content_id = @content)",
                    cancellationToken,
                    ("@content", content)).ConfigureAwait(false);
            }

            return new ReviewDecision(id, decision.ItemId, decision.Decision, decision.Reviewer, Micros.ToTime(session.NowMicros), decision.TargetBankId, decision.AddedSignals, decision.Note);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<ReviewDecision>> ListReviewDecisionsAsync(long memberId, long itemId, CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            $"SELECT {ReviewDecisionColumns} FROM review_decisions WHERE item_id = (SELECT id FROM review_items WHERE id = @item AND member_id = @member) ORDER BY id",
            r => new ReviewDecision(
                r.GetInt64(0),
                r.GetInt64(1),
                (ReviewDecisionKind)r.GetInt32(2),
                r.GetString(3),
                Micros.ToTime(r.GetInt64(4)),
                r.IsDBNull(5) ? null : r.GetInt64(5),
                r.GetInt32(6),
                r.IsDBNull(7) ? null : r.GetString(7)),
            cancellationToken,
            ("@item", itemId),
            ("@member", memberId)), cancellationToken).ConfigureAwait(false);

    public Task<int> DeleteExpiredReviewContentAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.None, async session =>
        {
            // Items drop their reference first: ON DELETE SET NULL would do it too, but explicitly is clearer to read.
            await session.ExecuteAsync(
                "UPDATE review_items SET content_id = NULL WHERE content_id IN (SELECT id FROM review_content WHERE expires_us <= @now)",
                cancellationToken,
                ("@now", session.NowMicros)).ConfigureAwait(false);
            return await session.ExecuteAsync("DELETE FROM review_content WHERE expires_us <= @now", cancellationToken, ("@now", session.NowMicros)).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Fills in each item's matches (one query for all of them).</summary>
    private async Task<List<ReviewItem>> WithMatchesAsync(Session session, List<ReviewItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return items;
        }

        long[] ids = [.. items.Select(i => i.Id)];
        List<(long ItemId, ReviewMatch Match)> rows = await session.QueryAsync(
            $"SELECT item_id, match_id, signal_id, bank_id, category, signal_type, distance FROM review_item_matches WHERE {Dialect.IdIn("item_id", "@ids")} ORDER BY item_id, match_id",
            r => (r.GetInt64(0), new ReviewMatch(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetInt32(6))),
            cancellationToken,
            ("@ids", Dialect.IdList(ids))).ConfigureAwait(false);
        ILookup<long, ReviewMatch> byItem = rows.ToLookup(r => r.ItemId, r => r.Match);
        return [.. items.Select(i => i with { Matches = [.. byItem[i.Id]] })];
    }

    private static ReviewItem ReviewItemRow(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetInt64(1),
        r.IsDBNull(2) ? null : r.GetInt64(2),
        r.GetInt32(3),
        (ReviewState)r.GetInt32(4),
        Micros.ToTime(r.GetInt64(5)),
        [],
        ActionJson.ReadContentSignals(r.GetString(6)),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : Micros.ToTime(r.GetInt64(8)));
}
