using System.Security.Cryptography;
using System.Text.Json;
using Clearinghouse.Server.Api;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Actions;

/// <summary>A matched signal with the bank it matched in.</summary>
internal readonly record struct ActedHit(Signal Signal, Bank Bank, int Distance);

/// <summary>Content the member uploaded and asked to keep for review.</summary>
internal readonly record struct ReviewCopy(string MediaType, ReadOnlyMemory<byte> Bytes);

/// <summary>
/// Turns one lookup's hits and the member's rules into the batch the store writes in one transaction: the match
/// records, at most one review item (with the content copy when one was offered) and one delivery per endpoint.
/// </summary>
internal static class ActionPlanner
{
    public const string MatchEvent = "match";

    public static MatchBatch Build(
        Member member,
        IReadOnlyList<ContentSignal> contentSignals,
        IReadOnlyList<ActedHit> hits,
        IReadOnlyList<ActionRule> rules,
        ReviewCopy? copy,
        DateTimeOffset now,
        TimeSpan reviewRetention)
    {
        var records = new MatchRecord[hits.Count];
        var ruleHits = new RuleHit[hits.Count];
        for (int i = 0; i < hits.Count; i++)
        {
            ActedHit hit = hits[i];
            records[i] = new MatchRecord(0, member.Id, hit.Signal.Id, hit.Bank.Id, hit.Signal.SignalType, hit.Distance, now);
            ruleHits[i] = new RuleHit(hit.Bank.Id, hit.Signal.Category, hit.Signal.SignalType, hit.Distance, hit.Signal.Status);
        }

        RulePlan plan = RuleEngine.Plan(rules, ruleHits);
        if (plan.IsEmpty)
        {
            return new MatchBatch(member.Id, records, [], []);
        }

        NewReviewItem[] review = plan.Reviews
            ? [new NewReviewItem(plan.ReviewRuleId, plan.ReviewPriority, plan.ReviewHits, contentSignals, KeepContent: copy is not null)]
            : [];
        NewReviewContent? content = plan.Reviews && copy is ReviewCopy kept
            ? new NewReviewContent(kept.MediaType, kept.Bytes.ToArray(), now + reviewRetention)
            : null;
        var deliveries = new NewDelivery[plan.Webhooks.Count];
        for (int w = 0; w < plan.Webhooks.Count; w++)
        {
            WebhookPlan webhook = plan.Webhooks[w];
            string key = NewIdempotencyKey();
            var payload = new WebhookPayload(
                key,
                MatchEvent,
                now,
                member.Name,
                [.. contentSignals.Select(s => new WebhookContentSignal(s.SignalType, s.Value))],
                [.. webhook.Hits.Select(i => ToMatch(hits[i]))],
                webhook.RuleIds,
                plan.Reviews);
            deliveries[w] = new NewDelivery(webhook.EndpointId, key, MatchEvent, JsonSerializer.Serialize(payload, WebhookJsonContext.Default.WebhookPayload));
        }

        return new MatchBatch(member.Id, records, review, deliveries, content);
    }

    /// <summary><c>whd_</c> and 26 random base32 characters.</summary>
    public static string NewIdempotencyKey() => "whd_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz234567", 26);

    private static WebhookMatch ToMatch(ActedHit hit) => new(
        hit.Signal.Id,
        hit.Signal.PublicId,
        hit.Signal.SignalType,
        hit.Bank.Name,
        hit.Bank.Id,
        hit.Signal.Category,
        hit.Signal.Designation,
        hit.Distance,
        Mapping.StatusName(hit.Signal.Status));
}
