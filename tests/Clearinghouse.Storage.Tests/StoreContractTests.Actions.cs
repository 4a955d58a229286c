using System.Text.Json;

namespace Clearinghouse.Storage.Tests;

// Acting on matches: rules with their audit, webhook endpoints, the match batch (matches, review items and outbox rows
// in one transaction), the outbox's claims, retries, dead letters and re-drives, and the review queue with decisions.
public abstract partial class StoreContractTests
{
    private IActionStore Actions => (IActionStore)Store;

    private static readonly string Secret = new('s', 32);

    /// <summary>A member with a bank holding two signals, and a webhook endpoint.</summary>
    private async Task<(Member Member, Bank Bank, long[] Signals, WebhookEndpoint Endpoint)> ActionSetupAsync()
    {
        Member member = await MemberAsync();
        Bank bank = await BankAsync(member);
        long[] signals = await AddAllAsync(bank, member, Sig(1), Sig(2));
        WebhookEndpoint endpoint = await Actions.CreateWebhookEndpointAsync(member.Id, "http://127.0.0.1:9/hook", Secret, "ops");
        return (member, bank, signals, endpoint);
    }

    private static MatchRecord MatchOf(Member member, Bank bank, long signalId, int distance = 0) =>
        new(0, member.Id, signalId, bank.Id, "pdq", distance, default);

    [Fact]
    public async Task Rules_are_created_replaced_and_deleted_with_an_audit_of_who_did_what()
    {
        (Member member, Bank bank, _, WebhookEndpoint endpoint) = await ActionSetupAsync();
        var selector = new RuleSelector([bank.Id, bank.Id], [NoDesignationCategory], ["pdq"], 10, false);
        ActionRule rule = await Actions.CreateActionRuleAsync(
            new NewActionRule(member.Id, "review attack footage", selector, new RuleActions(70, endpoint.Id)), "key:chk_admin");
        Assert.Equal([bank.Id], rule.Selector.BankIds);
        Assert.Equal(rule, await Actions.GetActionRuleAsync(member.Id, rule.Id));

        ActionRule replaced = await Actions.ReplaceActionRuleAsync(
            rule.Id, new NewActionRule(member.Id, "record only", RuleSelector.Any, RuleActions.RecordOnly, Enabled: false), "reviewer:alice");
        Assert.True(replaced.Actions.IsRecordOnly);
        Assert.False(replaced.Enabled);
        Assert.Equal([replaced], await Actions.ListActionRulesAsync(member.Id));

        await Actions.DeleteActionRuleAsync(member.Id, rule.Id, "key:chk_admin");
        Assert.Empty(await Actions.ListActionRulesAsync(member.Id));
        Assert.Null(await Actions.GetActionRuleAsync(member.Id, rule.Id));

        IReadOnlyList<ActionRuleAudit> audit = (await Actions.ListActionRuleAuditAsync(member.Id, rule.Id, 0, 10)).Items;
        Assert.Equal([RuleChange.Created, RuleChange.Updated, RuleChange.Deleted], audit.Select(a => a.Change));
        Assert.Equal(["key:chk_admin", "reviewer:alice", "key:chk_admin"], audit.Select(a => a.Actor));
        using JsonDocument created = JsonDocument.Parse(audit[0].RuleJson);
        Assert.Equal(70, created.RootElement.GetProperty("review_priority").GetInt32());
        Assert.Equal("review attack footage", created.RootElement.GetProperty("name").GetString());
        using JsonDocument updated = JsonDocument.Parse(audit[1].RuleJson);
        Assert.Equal(JsonValueKind.Null, updated.RootElement.GetProperty("review_priority").ValueKind);

        Page<ActionRuleAudit> first = await Actions.ListActionRuleAuditAsync(member.Id, null, 0, 2);
        Assert.Equal(2, first.Items.Count);
        Assert.Single((await Actions.ListActionRuleAuditAsync(member.Id, null, first.NextAfter!.Value, 2)).Items);
    }

    [Fact]
    public async Task Bad_rules_are_refused_and_nothing_is_written()
    {
        (Member member, Bank bank, _, WebhookEndpoint endpoint) = await ActionSetupAsync();
        Member other = await MemberAsync();
        Bank privateBank = await BankAsync(other, scope: SharingScope.Private);
        WebhookEndpoint othersEndpoint = await Actions.CreateWebhookEndpointAsync(other.Id, "https://example.org/hook", Secret, null);

        await Refused(StoreError.NotFound, () => Actions.CreateActionRuleAsync(new NewActionRule(member.Id, "r", RuleSelector.Any with { BankIds = [privateBank.Id] }, RuleActions.RecordOnly), "a"));
        await Refused(StoreError.NotFound, () => Actions.CreateActionRuleAsync(new NewActionRule(member.Id, "r", RuleSelector.Any, new RuleActions(null, othersEndpoint.Id)), "a"));
        await Refused(StoreError.UnknownCategory, () => Actions.CreateActionRuleAsync(new NewActionRule(member.Id, "r", RuleSelector.Any with { Categories = ["no-such-category"] }, RuleActions.RecordOnly), "a"));
        await Refused(StoreError.Invalid, () => Actions.CreateActionRuleAsync(new NewActionRule(member.Id, "r", RuleSelector.Any, new RuleActions(101, null)), "a"));
        await Refused(StoreError.Invalid, () => Actions.CreateActionRuleAsync(new NewActionRule(member.Id, "r", RuleSelector.Any with { MaxDistance = -1 }, RuleActions.RecordOnly), "a"));
        await Refused(StoreError.Invalid, () => Actions.CreateActionRuleAsync(new NewActionRule(member.Id, " ", RuleSelector.Any, RuleActions.RecordOnly), "a"));
        await Refused(StoreError.Invalid, () => Actions.CreateActionRuleAsync(new NewActionRule(member.Id, "r", RuleSelector.Any, RuleActions.RecordOnly), ""));
        Assert.Empty(await Actions.ListActionRulesAsync(member.Id));
        Assert.Empty((await Actions.ListActionRuleAuditAsync(member.Id, null, 0, 10)).Items);

        ActionRule rule = await Actions.CreateActionRuleAsync(new NewActionRule(member.Id, "r", RuleSelector.Any with { BankIds = [bank.Id] }, new RuleActions(1, endpoint.Id)), "a");
        await Refused(StoreError.NotFound, () => Actions.ReplaceActionRuleAsync(rule.Id, new NewActionRule(other.Id, "r", RuleSelector.Any, RuleActions.RecordOnly), "a"));
        await Refused(StoreError.NotFound, () => Actions.DeleteActionRuleAsync(other.Id, rule.Id, "a"));
        Assert.Null(await Actions.GetActionRuleAsync(other.Id, rule.Id));
        Assert.Equal([rule], await Actions.ListActionRulesAsync(member.Id));
    }

    [Fact]
    public async Task Webhook_endpoints_are_private_and_validated_and_deleting_one_kills_its_pending_deliveries()
    {
        (Member member, Bank bank, long[] signals, WebhookEndpoint endpoint) = await ActionSetupAsync();
        Member other = await MemberAsync();
        Assert.Equal([endpoint], await Actions.ListWebhookEndpointsAsync(member.Id));
        Assert.Empty(await Actions.ListWebhookEndpointsAsync(other.Id));
        Assert.Null(await Actions.GetWebhookEndpointAsync(other.Id, endpoint.Id));

        await Refused(StoreError.Invalid, () => Actions.CreateWebhookEndpointAsync(member.Id, "ftp://example.org/x", Secret, null));
        await Refused(StoreError.Invalid, () => Actions.CreateWebhookEndpointAsync(member.Id, "/relative", Secret, null));
        await Refused(StoreError.Invalid, () => Actions.CreateWebhookEndpointAsync(member.Id, "https://user:pw@example.org/", Secret, null));
        await Refused(StoreError.Invalid, () => Actions.CreateWebhookEndpointAsync(member.Id, "https://example.org/", "short", null));
        await Refused(StoreError.NotFound, () => Actions.UpdateWebhookEndpointAsync(other.Id, endpoint.Id, new WebhookEndpointUpdate(Enabled: false)));

        WebhookEndpoint rotated = await Actions.UpdateWebhookEndpointAsync(member.Id, endpoint.Id, new WebhookEndpointUpdate(Url: "https://example.org/new", Secret: new string('t', 40)));
        Assert.Equal(("https://example.org/new", new string('t', 40), "ops", true), (rotated.Url, rotated.Secret, rotated.Description, rotated.Enabled));
        Assert.Equal(rotated, await Actions.GetWebhookEndpointAsync(member.Id, endpoint.Id));

        ActionRule rule = await Actions.CreateActionRuleAsync(new NewActionRule(member.Id, "hook", RuleSelector.Any, new RuleActions(null, endpoint.Id)), "a");
        MatchBatchResult written = await Actions.RecordMatchBatchAsync(new MatchBatch(member.Id, [MatchOf(member, bank, signals[0])], [], [new NewDelivery(endpoint.Id, "k-1", "match", "{}")]));
        await Refused(StoreError.Conflict, () => Actions.DeleteWebhookEndpointAsync(member.Id, endpoint.Id));
        await Actions.DeleteActionRuleAsync(member.Id, rule.Id, "a");
        await Actions.DeleteWebhookEndpointAsync(member.Id, endpoint.Id);
        Assert.Empty(await Actions.ListWebhookEndpointsAsync(member.Id));
        WebhookDelivery dead = (await Actions.GetDeliveryAsync(member.Id, written.DeliveryIds[0]))!;
        Assert.Equal((DeliveryState.Dead, "endpoint deleted"), (dead.State, dead.LastError));
        await Refused(StoreError.Conflict, () => Actions.RedriveDeliveryAsync(member.Id, dead.Id));
        await Refused(StoreError.NotFound, () => Actions.CreateActionRuleAsync(new NewActionRule(member.Id, "hook", RuleSelector.Any, new RuleActions(null, endpoint.Id)), "a"));
    }

    [Fact]
    public async Task A_match_batch_writes_matches_review_items_deliveries_and_the_content_copy_together()
    {
        (Member member, Bank bank, long[] signals, WebhookEndpoint endpoint) = await ActionSetupAsync();
        WebhookEndpoint disabled = await Actions.CreateWebhookEndpointAsync(member.Id, "https://example.org/off", Secret, null);
        await Actions.UpdateWebhookEndpointAsync(member.Id, disabled.Id, new WebhookEndpointUpdate(Enabled: false));
        ActionRule rule = await Actions.CreateActionRuleAsync(new NewActionRule(member.Id, "all", RuleSelector.Any, new RuleActions(40, endpoint.Id)), "a");
        byte[] bytes = [0xff, 0xd8, 0xff, 1, 2, 3];
        var content = new NewReviewContent("image/jpeg", bytes, DateTimeOffset.UtcNow.AddDays(7));
        ContentSignal[] own = [new("pdq", PdqValue(99)), new("md5", new string('0', 32))];

        MatchBatchResult result = await Actions.RecordMatchBatchAsync(new MatchBatch(
            member.Id,
            [MatchOf(member, bank, signals[0], 3), MatchOf(member, bank, signals[1], 7)],
            [new NewReviewItem(rule.Id, 40, [0, 1], own, KeepContent: true)],
            [new NewDelivery(endpoint.Id, "key-1", "match", """{"a":1}"""), new NewDelivery(disabled.Id, "key-2", "match", "{}")],
            content));

        Assert.Equal(2, result.MatchIds.Count);
        Assert.Single(result.DeliveryIds); // the disabled endpoint's delivery is skipped
        IReadOnlyList<MatchRecord> recorded = (await Store.ListMatchesAsync(member.Id, 0, 10)).Items;
        Assert.Equal(result.MatchIds, recorded.Select(m => m.Id));
        Assert.Equal([3, 7], recorded.Select(m => m.Distance));

        ReviewItem item = (await Actions.GetReviewItemAsync(member.Id, result.ReviewItemIds[0]))!;
        Assert.Equal((rule.Id, 40, ReviewState.Open, "image/jpeg"), (item.RuleId, item.Priority, item.State, item.ContentMediaType));
        Assert.Equal(own, item.ContentSignals);
        Assert.Equal(result.MatchIds, item.Matches.Select(m => m.MatchId));
        Assert.Equal(signals, item.Matches.Select(m => m.SignalId));
        Assert.All(item.Matches, m => Assert.Equal((bank.Id, NoDesignationCategory, "pdq"), (m.BankId, m.Category, m.SignalType)));
        Assert.Equal(bytes, (await Actions.GetReviewContentAsync(member.Id, item.Id))!.Bytes);

        WebhookDelivery delivery = (await Actions.GetDeliveryAsync(member.Id, result.DeliveryIds[0]))!;
        Assert.Equal((endpoint.Id, "key-1", """{"a":1}""", DeliveryState.Pending, 0), (delivery.EndpointId, delivery.IdempotencyKey, delivery.Payload, delivery.State, delivery.Attempts));

        Member other = await MemberAsync();
        Assert.Null(await Actions.GetReviewItemAsync(other.Id, item.Id));
        Assert.Null(await Actions.GetReviewContentAsync(other.Id, item.Id));
        Assert.Null(await Actions.GetDeliveryAsync(other.Id, delivery.Id));
    }

    [Fact]
    public async Task A_failing_match_batch_writes_nothing_at_all()
    {
        (Member member, Bank bank, long[] signals, WebhookEndpoint endpoint) = await ActionSetupAsync();
        await Actions.RecordMatchBatchAsync(new MatchBatch(member.Id, [MatchOf(member, bank, signals[0])], [], [new NewDelivery(endpoint.Id, "taken", "match", "{}")]));
        var content = new NewReviewContent("image/png", [1, 2, 3], DateTimeOffset.UtcNow.AddDays(1));

        // The duplicate key is found by the database only after the matches, item and content were inserted.
        await Refused(StoreError.Conflict, () => Actions.RecordMatchBatchAsync(new MatchBatch(
            member.Id,
            [MatchOf(member, bank, signals[1])],
            [new NewReviewItem(null, 5, [0], [], KeepContent: true)],
            [new NewDelivery(endpoint.Id, "fresh", "match", "{}"), new NewDelivery(endpoint.Id, "taken", "match", "{}")],
            content)));
        await Refused(StoreError.NotFound, () => Actions.RecordMatchBatchAsync(new MatchBatch(
            member.Id, [MatchOf(member, bank, signals[1]), MatchOf(member, bank, 999_999)], [], [])));
        await Refused(StoreError.Invalid, () => Actions.RecordMatchBatchAsync(new MatchBatch(
            member.Id, [MatchOf(member, bank, signals[1])], [new NewReviewItem(null, 5, [1], [], false)], [])));
        await Refused(StoreError.Invalid, () => Actions.RecordMatchBatchAsync(new MatchBatch(
            member.Id, [MatchOf(member, bank, signals[1])], [new NewReviewItem(null, 5, [0], [], KeepContent: true)], [])));

        Assert.Single((await Store.ListMatchesAsync(member.Id, 0, 10)).Items);
        Assert.Empty((await Actions.ListReviewItemsAsync(new ReviewQuery(member.Id))).Items);
        Assert.Single((await Actions.ListDeliveriesAsync(new DeliveryQuery(member.Id))).Items);
    }

    [Fact]
    public async Task The_outbox_hands_out_each_endpoints_oldest_delivery_once_and_retries_kills_and_redrives()
    {
        (Member member, Bank bank, long[] signals, WebhookEndpoint first) = await ActionSetupAsync();
        WebhookEndpoint second = await Actions.CreateWebhookEndpointAsync(member.Id, "http://127.0.0.1:9/second", Secret, null);
        MatchRecord[] match = [MatchOf(member, bank, signals[0])];
        long[] toFirst = [.. (await Actions.RecordMatchBatchAsync(new MatchBatch(member.Id, match, [], [new NewDelivery(first.Id, "f1", "match", "{}")]))).DeliveryIds,
            .. (await Actions.RecordMatchBatchAsync(new MatchBatch(member.Id, match, [], [new NewDelivery(first.Id, "f2", "match", "{}"), new NewDelivery(second.Id, "s1", "match", "{}")]))).DeliveryIds];

        IReadOnlyList<DueDelivery> claimed = await Actions.ClaimDueDeliveriesAsync(10, TimeSpan.FromMinutes(1));
        Assert.Equal(["f1", "s1"], claimed.Select(c => c.Delivery.IdempotencyKey).Order(StringComparer.Ordinal));
        Assert.Equal(first.Url, claimed.Single(c => c.Delivery.Id == toFirst[0]).Url);
        Assert.Equal(Secret, claimed[0].Secret);
        Assert.Empty(await Actions.ClaimDueDeliveriesAsync(10, TimeSpan.FromMinutes(1))); // leased, and f2 waits behind f1

        // f1 fails: it stays first in line for its endpoint, so f2 still waits; s1 is delivered.
        DateTimeOffset retryAt = DateTimeOffset.UtcNow.AddMilliseconds(300);
        WebhookDelivery failed = await Actions.CompleteDeliveryAttemptAsync(toFirst[0], new DeliveryAttempt(false, 500, "HTTP 500", retryAt));
        Assert.Equal((DeliveryState.Pending, 1, 500, "HTTP 500"), (failed.State, failed.Attempts, failed.LastStatus, failed.LastError));
        WebhookDelivery delivered = await Actions.CompleteDeliveryAttemptAsync(claimed.Single(c => c.Delivery.IdempotencyKey == "s1").Delivery.Id, new DeliveryAttempt(true, 204, null, null));
        Assert.Equal(DeliveryState.Delivered, delivered.State);
        Assert.NotNull(delivered.DeliveredAt);
        Assert.Empty(await Actions.ClaimDueDeliveriesAsync(10, TimeSpan.FromMinutes(1)));
        DateTimeOffset? due = await Actions.GetNextDeliveryDueAsync();
        Assert.InRange(due!.Value, retryAt.AddMilliseconds(-1), retryAt.AddMilliseconds(1));

        await Task.Delay(400);
        Assert.Equal(["f1"], (await Actions.ClaimDueDeliveriesAsync(10, TimeSpan.FromMinutes(1))).Select(c => c.Delivery.IdempotencyKey));
        WebhookDelivery dead = await Actions.CompleteDeliveryAttemptAsync(toFirst[0], new DeliveryAttempt(false, null, "timed out", null));
        Assert.Equal((DeliveryState.Dead, 2), (dead.State, dead.Attempts));

        // With f1 dead, f2 is next for the first endpoint.
        Assert.Equal(["f2"], (await Actions.ClaimDueDeliveriesAsync(10, TimeSpan.FromMinutes(1))).Select(c => c.Delivery.IdempotencyKey));
        Assert.Equal([toFirst[0]], (await Actions.ListDeliveriesAsync(new DeliveryQuery(member.Id, DeliveryState.Dead))).Items.Select(d => d.Id));
        Assert.Equal(2, (await Actions.ListDeliveriesAsync(new DeliveryQuery(member.Id, EndpointId: first.Id))).Items.Count);
        Page<WebhookDelivery> page = await Actions.ListDeliveriesAsync(new DeliveryQuery(member.Id, Limit: 2));
        Assert.Single((await Actions.ListDeliveriesAsync(new DeliveryQuery(member.Id, AfterId: page.NextAfter!.Value, Limit: 2))).Items);

        await Refused(StoreError.Conflict, () => Actions.RedriveDeliveryAsync(member.Id, toFirst[1]));
        Member stranger = await MemberAsync();
        await Refused(StoreError.NotFound, () => Actions.RedriveDeliveryAsync(stranger.Id, toFirst[0]));
        WebhookDelivery redriven = await Actions.RedriveDeliveryAsync(member.Id, toFirst[0]);
        Assert.Equal((DeliveryState.Pending, 0), (redriven.State, redriven.Attempts));
    }

    [Fact]
    public async Task A_lease_that_runs_out_makes_a_delivery_claimable_again_and_two_stores_never_claim_one_twice()
    {
        (Member member, Bank bank, long[] signals, _) = await ActionSetupAsync();
        MatchRecord[] match = [MatchOf(member, bank, signals[0])];
        var endpoints = new List<WebhookEndpoint>();
        for (int i = 0; i < 8; i++)
        {
            WebhookEndpoint endpoint = await Actions.CreateWebhookEndpointAsync(member.Id, $"http://127.0.0.1:9/{i}", Secret, null);
            endpoints.Add(endpoint);
            await Actions.RecordMatchBatchAsync(new MatchBatch(member.Id, match, [], [new NewDelivery(endpoint.Id, "k" + i, "match", "{}")]));
        }

        IActionStore[] stores = [(IActionStore)Open(Database), (IActionStore)Open(Database), (IActionStore)Open(Database)];
        IReadOnlyList<DueDelivery>[] claims = await Task.WhenAll(stores.Select(s => Task.Run(() => s.ClaimDueDeliveriesAsync(8, TimeSpan.FromMilliseconds(500)))));
        long[] all = [.. claims.SelectMany(c => c).Select(c => c.Delivery.Id)];
        Assert.Equal(8, all.Length);
        Assert.Equal(8, all.Distinct().Count());

        Assert.Empty(await Actions.ClaimDueDeliveriesAsync(8, TimeSpan.FromMinutes(1)));
        await Task.Delay(700); // the leases run out, as if their node had died mid-attempt
        Assert.Equal(8, (await Actions.ClaimDueDeliveriesAsync(8, TimeSpan.FromMinutes(1))).Count);
    }

    [Fact]
    public async Task The_review_queue_filters_sorts_and_pages_and_decisions_close_items_and_delete_content()
    {
        (Member member, Bank bank, long[] signals, _) = await ActionSetupAsync();
        Bank other = await BankAsync(member, category: "attacker-manifesto");
        long[] otherSignals = await AddAllAsync(other, member, Sig(10));
        var content = new NewReviewContent("image/png", [9, 9, 9], DateTimeOffset.UtcNow.AddDays(7));
        var items = new List<long>();
        foreach ((Bank b, long signal, int priority) in new[] { (bank, signals[0], 10), (other, otherSignals[0], 90), (bank, signals[1], 50), (bank, signals[0], 90) })
        {
            MatchBatchResult r = await Actions.RecordMatchBatchAsync(new MatchBatch(
                member.Id, [MatchOf(member, b, signal)], [new NewReviewItem(null, priority, [0], [new ContentSignal("pdq", PdqValue(50 + items.Count))], true)], [], content));
            items.Add(r.ReviewItemIds[0]);
        }

        async Task<List<long>> All(ReviewQuery query)
        {
            var ids = new List<long>();
            ReviewCursor? after = null;
            do
            {
                ReviewPage page = await Actions.ListReviewItemsAsync(query with { After = after, Limit = 1 });
                ids.AddRange(page.Items.Select(i => i.Id));
                after = page.Next;
            }
            while (after is not null);
            return ids;
        }

        Assert.Equal(items, await All(new ReviewQuery(member.Id)));
        Assert.Equal(Enumerable.Reverse(items), await All(new ReviewQuery(member.Id, Sort: ReviewSort.Newest)));
        Assert.Equal([items[1], items[3], items[2], items[0]], await All(new ReviewQuery(member.Id, Sort: ReviewSort.Priority)));
        Assert.Equal([items[0], items[2], items[3]], await All(new ReviewQuery(member.Id, BankId: bank.Id)));
        Assert.Equal([items[1]], await All(new ReviewQuery(member.Id, Category: "attacker-manifesto")));
        Assert.Equal([items[1], items[2], items[3]], await All(new ReviewQuery(member.Id, MinPriority: 50)));
        Assert.Empty(await All(new ReviewQuery(member.Id, CreatedBefore: DateTimeOffset.UtcNow.AddDays(-1))));
        Assert.Equal(4, (await All(new ReviewQuery(member.Id, CreatedAfter: DateTimeOffset.UtcNow.AddDays(-1)))).Count);
        Assert.Empty(await All(new ReviewQuery((await MemberAsync()).Id)));

        ReviewDecision escalated = await Actions.RecordReviewDecisionAsync(new NewReviewDecision(items[0], member.Id, ReviewDecisionKind.Escalate, "alice", Note: "not sure"));
        Assert.Equal(ReviewState.Escalated, (await Actions.GetReviewItemAsync(member.Id, items[0]))!.State);
        Assert.NotNull(await Actions.GetReviewContentAsync(member.Id, items[0]));
        Assert.Equal([items[0]], await All(new ReviewQuery(member.Id, State: ReviewState.Escalated)));

        ReviewDecision confirmed = await Actions.RecordReviewDecisionAsync(new NewReviewDecision(items[0], member.Id, ReviewDecisionKind.Confirm, "bob", bank.Id, 1));
        ReviewItem decided = (await Actions.GetReviewItemAsync(member.Id, items[0]))!;
        Assert.Equal((ReviewState.Decided, (string?)null), (decided.State, decided.ContentMediaType));
        Assert.Null(await Actions.GetReviewContentAsync(member.Id, items[0]));
        Assert.Equal([escalated, confirmed], await Actions.ListReviewDecisionsAsync(member.Id, items[0]));
        Assert.Equal(("bob", bank.Id, 1), (confirmed.Reviewer, confirmed.TargetBankId, confirmed.AddedSignals));
        Assert.Equal([items[1], items[2], items[3]], await All(new ReviewQuery(member.Id)));
        Assert.Equal([items[0]], await All(new ReviewQuery(member.Id, State: ReviewState.Decided)));

        await Refused(StoreError.Conflict, () => Actions.RecordReviewDecisionAsync(new NewReviewDecision(items[0], member.Id, ReviewDecisionKind.Overturn, "carol")));
        Member stranger = await MemberAsync();
        await Refused(StoreError.NotFound, () => Actions.RecordReviewDecisionAsync(new NewReviewDecision(items[1], stranger.Id, ReviewDecisionKind.Overturn, "carol")));
        Bank notOwned = await BankAsync(await MemberAsync());
        await Refused(StoreError.NotFound, () => Actions.RecordReviewDecisionAsync(new NewReviewDecision(items[1], member.Id, ReviewDecisionKind.Confirm, "carol", notOwned.Id, 1)));
        await Refused(StoreError.Invalid, () => Actions.RecordReviewDecisionAsync(new NewReviewDecision(items[1], member.Id, ReviewDecisionKind.Overturn, "carol", bank.Id)));
        await Refused(StoreError.Invalid, () => Actions.RecordReviewDecisionAsync(new NewReviewDecision(items[1], member.Id, ReviewDecisionKind.Overturn, "")));
        Assert.Equal(ReviewState.Open, (await Actions.GetReviewItemAsync(member.Id, items[1]))!.State);
        Assert.Empty(await Actions.ListReviewDecisionsAsync(member.Id, items[1]));
    }

    [Fact]
    public async Task Content_copies_are_gone_once_expired_and_the_sweeper_deletes_them()
    {
        (Member member, Bank bank, long[] signals, _) = await ActionSetupAsync();
        MatchBatchResult expiring = await Actions.RecordMatchBatchAsync(new MatchBatch(
            member.Id, [MatchOf(member, bank, signals[0])], [new NewReviewItem(null, 1, [0], [], true)], [], new NewReviewContent("image/png", [1], DateTimeOffset.UtcNow.AddMilliseconds(200))));
        MatchBatchResult kept = await Actions.RecordMatchBatchAsync(new MatchBatch(
            member.Id, [MatchOf(member, bank, signals[1])], [new NewReviewItem(null, 1, [0], [], true)], [], new NewReviewContent("image/png", [2], DateTimeOffset.UtcNow.AddDays(1))));
        Assert.Equal(0, await Actions.DeleteExpiredReviewContentAsync());

        await Task.Delay(300);
        Assert.Null(await Actions.GetReviewContentAsync(member.Id, expiring.ReviewItemIds[0]));
        Assert.Null((await Actions.GetReviewItemAsync(member.Id, expiring.ReviewItemIds[0]))!.ContentMediaType);
        Assert.Equal(1, await Actions.DeleteExpiredReviewContentAsync());
        Assert.Equal(0, await Actions.DeleteExpiredReviewContentAsync());
        Assert.Equal([2], (await Actions.GetReviewContentAsync(member.Id, kept.ReviewItemIds[0]))!.Bytes);
    }
}
