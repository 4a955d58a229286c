using System.Diagnostics;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Server.Actions;
using Clearinghouse.Server.Api;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Hashing;
using Clearinghouse.Server.Json;
using Clearinghouse.Server.Telemetry;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Matching;

/// <summary>A matched signal with its details from the store.</summary>
internal readonly record struct DetailedHit(Hit Hit, Signal Signal);

/// <summary>The matches of one lookup with their details; positives are empty when a negative bank suppressed them.</summary>
internal sealed record DetailedMatches(IReadOnlyList<DetailedHit> Positives, IReadOnlyList<DetailedHit> Negatives, int SuppressedCount)
{
    public static DetailedMatches None { get; } = new([], [], 0);

    public bool Suppressed => Negatives.Count > 0;
}

/// <summary>One of an upload's signals to match, or the reason it is not matched (too low a quality).</summary>
internal readonly record struct ContentLookup(ISignalType Type, string Canonical, string? WhyNotMatched);

/// <summary>
/// Lookups for every route (own API and HMA's): validates the value with its signal type, asks the index through the
/// caller's view of the banks, and — only when something matched — loads the matched signals in one store call and
/// records the matches (never the content) with what the member's action rules make of them (review items, webhook
/// deliveries), in one transaction.
/// </summary>
internal sealed class MatchService(
    NodeIndex index,
    IClearinghouseStore store,
    IActionStore actions,
    RuleCache rules,
    DeliveryWakeup wakeup,
    NodeOptions options,
    NodeMetrics metrics,
    TimeProvider time)
{
    public SignalTypeRegistry Types => index.Types;

    /// <summary>The signal type named <paramref name="name"/>; a 400 problem naming the known ones otherwise.</summary>
    public ISignalType TypeOf(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw Problems.BadRequest("signal_type is required.");
        }

        return index.Types.TryGet(name, out var type)
            ? type
            : throw Problems.BadRequest($"unknown signal type '{name}' (known: {string.Join(", ", index.Types.All.Select(t => t.Name).Order(StringComparer.Ordinal))}).");
    }

    /// <summary>The canonical form of <paramref name="value"/>; a 400 problem with the type's reason otherwise.</summary>
    public static string Canonical(ISignalType type, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw Problems.BadRequest("the value to look up is required.");
        }

        return type.TryCanonicalize(value, out var canonical, out var reason)
            ? canonical
            : throw Problems.BadRequest($"invalid {type.Name} value: {reason}");
    }

    /// <summary>Looks a canonical value up; no store I/O.</summary>
    public LookupHits Lookup(Caller caller, ISignalType type, string canonical, IReadOnlySet<string>? bankNames)
    {
        if (!index.IsReady)
        {
            throw new ApiProblemException(503, "The matching index is not loaded yet; try again shortly (see /status).");
        }

        long start = Stopwatch.GetTimestamp();
        var view = caller.ViewOf(index.Banks, index.Types);
        var hits = index.Lookup(view, type, canonical, bankNames);
        metrics.RecordLookup(type.Name, hits, start);
        return hits;
    }

    /// <summary>Loads the details of what matched (one store call); the caller records them.</summary>
    public async Task<DetailedMatches> DetailAsync(Caller caller, ISignalType type, LookupHits hits, CancellationToken cancellationToken)
    {
        if (hits.IsEmpty)
        {
            return DetailedMatches.None;
        }

        var ids = new List<long>(hits.Positives.Length + hits.Negatives.Length);
        foreach (var hit in hits.Positives)
        {
            ids.Add(hit.SignalId);
        }

        foreach (var hit in hits.Negatives)
        {
            ids.Add(hit.SignalId);
        }

        var signals = await store.GetSignalsAsync(ids, cancellationToken).ConfigureAwait(false);
        var byId = new Dictionary<long, Signal>(signals.Count);
        foreach (var signal in signals)
        {
            byId[signal.Id] = signal;
        }

        // A signal withdrawn since the index saw it no longer matches.
        var negatives = Live(hits.Negatives, byId);
        var positives = Live(hits.Positives, byId);
        if (negatives.Count > 0)
        {
            return new DetailedMatches([], negatives, positives.Count);
        }

        return new DetailedMatches(positives, [], 0);
    }

    /// <summary>
    /// HMA's routes: records the reported matches of one looked-up value. Without enabled rules no store read is
    /// added; with some, the matched signals are loaded (the rules look at status and category).
    /// </summary>
    public async Task RecordAsync(Caller caller, ISignalType type, string canonical, Hit[] hits, CancellationToken cancellationToken)
    {
        if (!options.RecordMatches || hits.Length == 0)
        {
            return;
        }

        var enabled = await rules.EnabledRulesAsync(caller.MemberId, cancellationToken).ConfigureAwait(false);
        if (enabled.Count == 0)
        {
            await RecordPlainAsync([.. hits.Select(hit => (hit.SignalId, hit.Bank.Id, type.Name, hit.Distance))], caller, cancellationToken).ConfigureAwait(false);
            return;
        }

        var signals = await store.GetSignalsAsync([.. hits.Select(h => h.SignalId)], cancellationToken).ConfigureAwait(false);
        var byId = signals.ToDictionary(s => s.Id);
        await RecordWithRulesAsync(caller, [new ContentSignal(type.Name, canonical)], Live(hits, byId), null, enabled, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records one lookup's matches (member, signal, bank, distance, time; never the content) and what the member's
    /// rules make of them, in one store transaction; wakes the webhook dispatcher when deliveries were written.
    /// </summary>
    public async Task RecordAsync(Caller caller, IReadOnlyList<ContentSignal> contentSignals, IReadOnlyList<DetailedHit> hits, ReviewCopy? copy, CancellationToken cancellationToken)
    {
        if (!options.RecordMatches || hits.Count == 0)
        {
            return;
        }

        var enabled = await rules.EnabledRulesAsync(caller.MemberId, cancellationToken).ConfigureAwait(false);
        if (enabled.Count == 0)
        {
            await RecordPlainAsync([.. hits.Select(d => (d.Signal.Id, d.Hit.Bank.Id, d.Signal.SignalType, d.Hit.Distance))], caller, cancellationToken).ConfigureAwait(false);
            return;
        }

        await RecordWithRulesAsync(caller, contentSignals, hits, copy, enabled, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A member without enabled rules: the match records alone.</summary>
    private Task RecordPlainAsync(IReadOnlyList<(long SignalId, long BankId, string SignalType, int Distance)> matches, Caller caller, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return store.RecordMatchesAsync([.. matches.Select(m => new MatchRecord(0, caller.MemberId, m.SignalId, m.BankId, m.SignalType, m.Distance, now))], cancellationToken);
    }

    private async Task RecordWithRulesAsync(
        Caller caller, IReadOnlyList<ContentSignal> contentSignals, IReadOnlyList<DetailedHit> hits, ReviewCopy? copy, IReadOnlyList<ActionRule> enabled, CancellationToken cancellationToken)
    {
        var batch = ActionPlanner.Build(
            caller.Member, contentSignals, [.. hits.Select(d => new ActedHit(d.Signal, d.Hit.Bank, d.Hit.Distance))], enabled, copy, time.GetUtcNow(), options.ReviewRetention);
        var written = await actions.RecordMatchBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        if (written.DeliveryIds.Count > 0)
        {
            wakeup.Wake();
        }
    }

    /// <summary>The own API's result for one value (recorded as one lookup).</summary>
    public async Task<MatchResult> MatchAsync(Caller caller, ISignalType type, string canonical, IReadOnlySet<string>? bankNames, CancellationToken cancellationToken)
    {
        var (result, detailed) = await MatchUnrecordedAsync(caller, type, canonical, bankNames, cancellationToken).ConfigureAwait(false);
        await RecordAsync(caller, [new ContentSignal(type.Name, canonical)], detailed.Positives, null, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// The own API's results for one piece of content's signals, recorded together as one lookup (one review item
    /// at most, holding <paramref name="copy"/> when the member asked to keep the content for review).
    /// </summary>
    public async Task<IReadOnlyList<MatchResult>> MatchContentAsync(Caller caller, IReadOnlyList<ContentLookup> lookups, IReadOnlySet<string>? bankNames, ReviewCopy? copy, CancellationToken cancellationToken)
    {
        var results = new List<MatchResult>(lookups.Count);
        var positives = new List<DetailedHit>();
        var contentSignals = new List<ContentSignal>(lookups.Count);
        foreach (var lookup in lookups)
        {
            if (lookup.WhyNotMatched is { } reason)
            {
                results.Add(new MatchResult(lookup.Type.Name, lookup.Canonical, [], false, 0, [], reason));
                continue;
            }

            contentSignals.Add(new ContentSignal(lookup.Type.Name, lookup.Canonical));
            var (result, detailed) = await MatchUnrecordedAsync(caller, lookup.Type, lookup.Canonical, bankNames, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            positives.AddRange(detailed.Positives);
        }

        await RecordAsync(caller, contentSignals, positives, copy, cancellationToken).ConfigureAwait(false);
        return results;
    }

    private async Task<(MatchResult Result, DetailedMatches Detailed)> MatchUnrecordedAsync(Caller caller, ISignalType type, string canonical, IReadOnlySet<string>? bankNames, CancellationToken cancellationToken)
    {
        var hits = Lookup(caller, type, canonical, bankNames);
        if (hits.IsEmpty)
        {
            return (new MatchResult(type.Name, canonical, [], false, 0, [], null), DetailedMatches.None);
        }

        var detailed = await DetailAsync(caller, type, hits, cancellationToken).ConfigureAwait(false);
        return (new MatchResult(
            type.Name,
            canonical,
            [.. detailed.Positives.Select(d => Mapping.ToItem(d.Signal, d.Hit.Bank, d.Hit.Distance))],
            detailed.Suppressed,
            detailed.SuppressedCount,
            [.. detailed.Negatives.Select(d => Mapping.ToItem(d.Signal, d.Hit.Bank, d.Hit.Distance))],
            null), detailed);
    }

    /// <summary>
    /// Whether a computed hash may be matched: PDQ hashes of quality below 50 are too unreliable (flat or tiny
    /// images); null when it may, else the reason.
    /// </summary>
    public static string? WhyNotMatched(ContentHash hash) =>
        hash.Quality is int quality && quality < PdqHash.MinimumUsefulQuality
            ? $"{hash.SignalType} quality {quality} is below {PdqHash.MinimumUsefulQuality}; such hashes are not used for matching"
            : null;

    private static List<DetailedHit> Live(Hit[] hits, Dictionary<long, Signal> byId)
    {
        var live = new List<DetailedHit>(hits.Length);
        foreach (var hit in hits)
        {
            if (byId.TryGetValue(hit.SignalId, out var signal) && signal.Status != SignalStatus.Withdrawn)
            {
                live.Add(new DetailedHit(hit, signal));
            }
        }

        return live;
    }
}
