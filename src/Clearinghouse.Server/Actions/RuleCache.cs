using System.Collections.Concurrent;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Actions;

/// <summary>
/// Each member's rules, read from the store at most once per <see cref="NodeOptions.RuleCacheTtl"/>, so recording a
/// match costs no extra read for members without rules. A change through this node takes effect at once; one made
/// through another replica within the time to live.
/// </summary>
internal sealed class RuleCache(IActionStore store, NodeOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<long, (long ReadAt, IReadOnlyList<ActionRule> Rules)> _rules = new();

    /// <summary>The member's enabled rules.</summary>
    public async ValueTask<IReadOnlyList<ActionRule>> EnabledRulesAsync(long memberId, CancellationToken cancellationToken)
    {
        long now = time.GetTimestamp();
        if (_rules.TryGetValue(memberId, out var cached) && time.GetElapsedTime(cached.ReadAt, now) < options.RuleCacheTtl)
        {
            return cached.Rules;
        }

        IReadOnlyList<ActionRule> rules = [.. (await store.ListActionRulesAsync(memberId, cancellationToken).ConfigureAwait(false)).Where(r => r.Enabled)];
        _rules[memberId] = (now, rules);
        return rules;
    }

    /// <summary>Forgets a member's rules after a change through this node.</summary>
    public void Invalidate(long memberId) => _rules.TryRemove(memberId, out _);
}
