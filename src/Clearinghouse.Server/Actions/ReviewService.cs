using Clearinghouse.Server.Matching;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Actions;

/// <summary>A matched signal of a review item, with its bank and current state (opinions, status).</summary>
internal sealed record ReviewedSignal(ReviewMatch Match, Signal? Signal, Bank? Bank);

/// <summary>A review item with everything a reviewer looks at.</summary>
internal sealed record ReviewItemDetail(ReviewItem Item, IReadOnlyList<ReviewedSignal> Signals, IReadOnlyList<ReviewDecision> Decisions);

/// <summary>A reviewer's decision as asked for.</summary>
/// <param name="Reviewer">The reviewer's user name (UI) or the API key's id; nothing more about the person.</param>
/// <param name="TargetBankId">Confirm only: add the content's signals to this bank of the member.</param>
/// <param name="Designation">Confirm only: the designation reference the target bank's category may require.</param>
internal sealed record ReviewDecisionRequest(
    long MemberId,
    long ItemId,
    ReviewDecisionKind Decision,
    string Reviewer,
    long? TargetBankId = null,
    string? Designation = null,
    string? Note = null);

/// <summary>What a decision did: the stored decision, the signals added (confirm) and the signals given a negative opinion (overturn).</summary>
internal sealed record ReviewOutcome(ReviewDecision Decision, IReadOnlyList<long> AddedSignalIds, IReadOnlyList<AddSignalResult> AddResults, IReadOnlyList<Signal> Overturned);

/// <summary>
/// Review decisions, for the JSON API and the web UI alike: confirm (optionally adding the content's signals to a
/// bank of the member), overturn (a negative opinion on each matched signal, which can make it disputed; on the log),
/// escalate. The shared effects go through the store's signal calls, which log them; the decision is stored after
/// them (so a failure leaves the item open, and a retry repeats only idempotent effects: a duplicate signal is
/// skipped, an opinion replaced by the same one), and a decided item's content copy is deleted with it.
/// </summary>
internal sealed class ReviewService(IClearinghouseStore store, IActionStore actions, ChangeFeedFollower follower)
{
    /// <summary>How long a decision through this node waits for its own index to show added signals.</summary>
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(2);

    /// <summary>The item with its signals' details and its decisions; null when the member has no such item.</summary>
    public async Task<ReviewItemDetail?> GetAsync(long memberId, long itemId, CancellationToken cancellationToken)
    {
        ReviewItem? item = await actions.GetReviewItemAsync(memberId, itemId, cancellationToken).ConfigureAwait(false);
        if (item is null)
        {
            return null;
        }

        IReadOnlyList<Signal> signals = await store.GetSignalsAsync([.. item.Matches.Select(m => m.SignalId).Distinct()], cancellationToken).ConfigureAwait(false);
        var signalById = signals.ToDictionary(s => s.Id);
        var banks = new Dictionary<long, Bank?>();
        foreach (long bankId in item.Matches.Select(m => m.BankId).Distinct())
        {
            banks[bankId] = await store.GetBankAsync(bankId, cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<ReviewDecision> decisions = await actions.ListReviewDecisionsAsync(memberId, itemId, cancellationToken).ConfigureAwait(false);
        return new ReviewItemDetail(
            item,
            [.. item.Matches.Select(m => new ReviewedSignal(m, signalById.GetValueOrDefault(m.SignalId), banks[m.BankId]))],
            decisions);
    }

    /// <summary>Applies and records a decision. <see cref="StoreException"/> (NotFound, Conflict, Invalid) for what the caller can fix.</summary>
    public async Task<ReviewOutcome> DecideAsync(ReviewDecisionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ReviewItem item = await actions.GetReviewItemAsync(request.MemberId, request.ItemId, cancellationToken).ConfigureAwait(false)
            ?? throw new StoreException(StoreError.NotFound, $"there is no review item {request.ItemId}");
        if (item.State == ReviewState.Decided)
        {
            throw new StoreException(StoreError.Conflict, $"review item {request.ItemId} is already decided");
        }

        if (request.Decision != ReviewDecisionKind.Confirm && (request.TargetBankId is not null || request.Designation is not null))
        {
            throw new StoreException(StoreError.Invalid, "only a confirm adds the content's signals to a bank");
        }

        IReadOnlyList<AddSignalResult> added = [];
        var overturned = new List<Signal>();
        switch (request.Decision)
        {
            case ReviewDecisionKind.Confirm when request.TargetBankId is long bankId:
                added = await AddContentSignalsAsync(request, item, bankId, cancellationToken).ConfigureAwait(false);
                break;
            case ReviewDecisionKind.Overturn:
                IReadOnlyList<Signal> matched = await store.GetSignalsAsync([.. item.Matches.Select(m => m.SignalId).Distinct()], cancellationToken).ConfigureAwait(false);
                foreach (Signal signal in matched.Where(s => s.Status != SignalStatus.Withdrawn))
                {
                    overturned.Add(await store.RecordOpinionAsync(signal.Id, request.MemberId, OpinionKind.Negative, "false positive, found in review", cancellationToken).ConfigureAwait(false));
                }

                break;
        }

        if (added.Any(r => r.Added) || overturned.Count > 0)
        {
            // Read-your-writes: the reviewer's next lookup through this node sees the bank change or new status.
            await follower.CatchUpAsync(CatchUpLimit, cancellationToken).ConfigureAwait(false);
        }

        ReviewDecision decision = await actions.RecordReviewDecisionAsync(
            new NewReviewDecision(
                request.ItemId,
                request.MemberId,
                request.Decision,
                request.Reviewer,
                request.TargetBankId,
                added.Count(r => r.Added),
                request.Note),
            cancellationToken).ConfigureAwait(false);
        return new ReviewOutcome(decision, [.. added.Where(r => r.Added).Select(r => r.SignalId)], added, overturned);
    }

    private async Task<IReadOnlyList<AddSignalResult>> AddContentSignalsAsync(ReviewDecisionRequest request, ReviewItem item, long bankId, CancellationToken cancellationToken)
    {
        Bank? bank = await store.GetBankAsync(bankId, cancellationToken).ConfigureAwait(false);
        if (bank is null || bank.Deleted || bank.OwnerMemberId != request.MemberId)
        {
            throw new StoreException(StoreError.NotFound, $"this member owns no bank {bankId}");
        }

        if (item.ContentSignals.Count == 0)
        {
            throw new StoreException(StoreError.Conflict, $"review item {item.Id} holds no content signals to add");
        }

        // Provenance only: which review item, never who reviewed it.
        string metadata = $$"""{"source":"review","review_item":{{item.Id}}}""";
        return await store.AddSignalsAsync(
            bankId,
            request.MemberId,
            [.. item.ContentSignals.Select(s => new NewSignal(s.SignalType, s.Value, request.Designation, metadata))],
            cancellationToken).ConfigureAwait(false);
    }
}
