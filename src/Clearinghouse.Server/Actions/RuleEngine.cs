using Clearinghouse.Storage;

namespace Clearinghouse.Server.Actions;

/// <summary>What a rule looks at in one matched signal.</summary>
internal readonly record struct RuleHit(long BankId, string Category, string SignalType, int Distance, SignalStatus Status);

/// <summary>One endpoint's share of a lookup: the hits to report and the rules that asked for it.</summary>
internal sealed record WebhookPlan(long EndpointId, IReadOnlyList<int> Hits, IReadOnlyList<long> RuleIds);

/// <summary>
/// What a member's rules make of one lookup's hits: the hits to enqueue for review (one item, at the highest
/// priority of the rules that selected them) and, per webhook endpoint, the hits to report.
/// </summary>
internal sealed record RulePlan(IReadOnlyList<int> ReviewHits, int ReviewPriority, long? ReviewRuleId, IReadOnlyList<WebhookPlan> Webhooks)
{
    public static RulePlan None { get; } = new([], 0, null, []);

    public bool Reviews => ReviewHits.Count > 0;

    public bool IsEmpty => ReviewHits.Count == 0 && Webhooks.Count == 0;
}

/// <summary>
/// Which rules select which hits, and the actions that follow. Pure: no I/O, no clock.
/// </summary>
/// <remarks>
/// Every enabled rule is applied to every hit. A rule selects a hit when each of its non-empty lists holds the hit's
/// bank, category and signal type, the distance is within its maximum, and the signal is active (or disputed, when the
/// rule includes disputed signals; withdrawn signals never match). A hit selected by an enabled record-only rule is
/// exempt from every other rule: record-only rules are exceptions (a test bank, a category handled elsewhere).
/// </remarks>
internal static class RuleEngine
{
    public static bool Selects(RuleSelector selector, in RuleHit hit)
    {
        if (hit.Status == SignalStatus.Withdrawn || (hit.Status == SignalStatus.Disputed && !selector.IncludeDisputed))
        {
            return false;
        }

        if (selector.MaxDistance is int max && hit.Distance > max)
        {
            return false;
        }

        return (selector.BankIds.Count == 0 || Contains(selector.BankIds, hit.BankId))
            && (selector.Categories.Count == 0 || Contains(selector.Categories, hit.Category))
            && (selector.SignalTypes.Count == 0 || Contains(selector.SignalTypes, hit.SignalType));
    }

    public static RulePlan Plan(IReadOnlyList<ActionRule> rules, IReadOnlyList<RuleHit> hits)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(hits);
        var exempt = new bool[hits.Count];
        foreach (ActionRule rule in rules)
        {
            if (rule.Enabled && rule.Actions.IsRecordOnly)
            {
                for (int i = 0; i < hits.Count; i++)
                {
                    exempt[i] |= Selects(rule.Selector, hits[i]);
                }
            }
        }

        var review = new SortedSet<int>();
        int priority = -1;
        long? reviewRule = null;
        var webhooks = new SortedDictionary<long, (SortedSet<int> Hits, SortedSet<long> Rules)>();
        foreach (ActionRule rule in rules)
        {
            if (!rule.Enabled || rule.Actions.IsRecordOnly)
            {
                continue;
            }

            for (int i = 0; i < hits.Count; i++)
            {
                if (exempt[i] || !Selects(rule.Selector, hits[i]))
                {
                    continue;
                }

                if (rule.Actions.ReviewPriority is int rulePriority)
                {
                    review.Add(i);
                    if (rulePriority > priority || (rulePriority == priority && rule.Id < reviewRule))
                    {
                        (priority, reviewRule) = (rulePriority, rule.Id);
                    }
                }

                if (rule.Actions.WebhookEndpointId is long endpoint)
                {
                    if (!webhooks.TryGetValue(endpoint, out var plan))
                    {
                        webhooks[endpoint] = plan = ([], []);
                    }

                    plan.Hits.Add(i);
                    plan.Rules.Add(rule.Id);
                }
            }
        }

        if (review.Count == 0 && webhooks.Count == 0)
        {
            return RulePlan.None;
        }

        return new RulePlan(
            [.. review],
            Math.Max(priority, 0),
            reviewRule,
            [.. webhooks.Select(w => new WebhookPlan(w.Key, [.. w.Value.Hits], [.. w.Value.Rules]))]);
    }

    private static bool Contains<T>(IReadOnlyList<T> values, T value)
    {
        var comparer = EqualityComparer<T>.Default;
        for (int i = 0; i < values.Count; i++)
        {
            if (comparer.Equals(values[i], value))
            {
                return true;
            }
        }

        return false;
    }
}
