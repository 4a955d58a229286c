using System.Globalization;
using Clearinghouse.Server.Actions;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Json;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api.Own;

/// <summary>
/// /api/v1/review: the member's review queue (scope review): list with filters and sorting, an item with its matched
/// signals and decisions, the kept content copy (only to the owning member, never cached), and decisions.
/// </summary>
internal static class ReviewEndpoints
{
    /// <summary>Priorities take the top bits of a priority-sorted cursor, ids the rest.</summary>
    private const int PriorityShift = 48;

    public static void Map(RouteGroupBuilder api)
    {
        var review = api.MapGroup("/review").WithTags("Review").RequireKey(ApiScopes.Review);
        review.MapGet("/items", ListAsync).WithName("ListReviewItems")
            .WithSummary("This member's review queue (state: open and escalated by default, or open, escalated, decided; bank, category, min_priority, min_age_seconds, max_age_seconds; sort: oldest, newest, priority; pass next_cursor as cursor)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        review.MapGet("/items/{id:long}", GetAsync).WithName("GetReviewItem")
            .WithSummary("A review item: its matched signals (bank, category, designation, status, opinions), the content's signals and copy, and its decisions")
            .ProducesProblem(StatusCodes.Status404NotFound);
        review.MapGet("/items/{id:long}/content", ContentAsync).WithName("GetReviewContent")
            .WithSummary("The kept copy of the content (only when the member uploaded it with review_copy=true, until the decision or its expiry); served with Cache-Control: no-store")
            .ProducesProblem(StatusCodes.Status404NotFound);
        review.MapPost("/items/{id:long}/decision", DecideAsync).WithName("DecideReviewItem")
            .WithSummary("Decide: confirm (bank: add the content's signals to that bank of the member), overturn (a negative opinion on each matched signal) or escalate")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Ok<ReviewPageInfo>> ListAsync(
        Node node,
        IActionStore actions,
        TimeProvider time,
        HttpContext context,
        [FromQuery] string? state,
        [FromQuery] string? bank,
        [FromQuery] string? category,
        [FromQuery(Name = "min_priority")] int? minPriority,
        [FromQuery(Name = "min_age_seconds")] long? minAgeSeconds,
        [FromQuery(Name = "max_age_seconds")] long? maxAgeSeconds,
        [FromQuery] string? sort,
        [FromQuery] string? cursor,
        [FromQuery] int? limit)
    {
        var caller = context.Caller();
        ReviewState? parsedState = state is null ? null : ParseState(state);
        ReviewSort parsedSort = sort is null ? ReviewSort.Oldest : ParseSort(sort);
        long? bankId = bank is null ? null : (await node.VisibleBankAsync(caller, bank, context.RequestAborted).ConfigureAwait(false)).Id;
        if (minAgeSeconds is < 0 || maxAgeSeconds is < 0)
        {
            throw Problems.BadRequest("min_age_seconds and max_age_seconds must be 0 or more.");
        }

        var now = time.GetUtcNow();
        string list = string.Join('|', "review", state, bank, category, minPriority, minAgeSeconds, maxAgeSeconds, parsedSort);
        int size = QueryValues.Limit(limit);
        ReviewCursor? after = null;
        if (cursor is not null)
        {
            long position = node.Cursors.Decode(cursor, caller.MemberId, list);
            after = parsedSort == ReviewSort.Priority
                ? new ReviewCursor(position >> PriorityShift, position & ((1L << PriorityShift) - 1))
                : new ReviewCursor(position, position);
        }

        var page = await actions.ListReviewItemsAsync(
            new ReviewQuery(
                caller.MemberId,
                parsedState,
                bankId,
                category,
                minPriority,
                minAgeSeconds is long minAge ? now.AddSeconds(-minAge) : null,
                maxAgeSeconds is long maxAge ? now.AddSeconds(-maxAge) : null,
                parsedSort,
                after,
                size),
            context.RequestAborted).ConfigureAwait(false);
        var bankNames = await BankNamesAsync(node, page.Items.SelectMany(i => i.Matches.Select(m => m.BankId)), context.RequestAborted).ConfigureAwait(false);
        string? next = page.Next is ReviewCursor n
            ? node.Cursors.Encode(parsedSort == ReviewSort.Priority ? (n.Key << PriorityShift) | n.Id : n.Id, caller.MemberId, list)
            : null;
        return TypedResults.Ok(new ReviewPageInfo([.. page.Items.Select(i => ToInfo(i, bankNames))], next));
    }

    private static async Task<Ok<ReviewItemDetailInfo>> GetAsync(Node node, ReviewService reviews, HttpContext context, long id)
    {
        var detail = await reviews.GetAsync(context.Caller().MemberId, id, context.RequestAborted).ConfigureAwait(false)
            ?? throw Problems.NotFound($"review item {id} not found");
        var bankNames = await BankNamesAsync(node, detail.Item.Matches.Select(m => m.BankId), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ReviewItemDetailInfo(
            ToInfo(detail.Item, bankNames),
            [.. detail.Signals.Select(s => new ReviewSignalInfo(
                s.Match.MatchId,
                s.Match.SignalId,
                s.Signal?.PublicId,
                s.Match.SignalType,
                s.Bank?.Name,
                s.Match.BankId,
                s.Match.Category,
                s.Signal?.Designation,
                s.Match.Distance,
                s.Signal is null ? null : Mapping.StatusName(s.Signal.Status),
                s.Signal is null ? null : new OpinionCounts(s.Signal.Opinions.Positive, s.Signal.Opinions.Negative, s.Signal.Opinions.InvestigationSeed)))],
            [.. detail.Decisions.Select(ToInfo)]));
    }

    private static async Task<IResult> ContentAsync(IActionStore actions, HttpContext context, long id)
    {
        var content = await actions.GetReviewContentAsync(context.Caller().MemberId, id, context.RequestAborted).ConfigureAwait(false)
            ?? throw Problems.NotFound($"review item {id} holds no content copy (none was uploaded for review, or it was deleted after the decision or its expiry)");
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        headers.ContentDisposition = "inline";
        return TypedResults.Bytes(content.Bytes, content.MediaType);
    }

    private static async Task<Ok<ReviewDecisionResult>> DecideAsync(Node node, ReviewService reviews, HttpContext context, long id, ReviewDecisionRequestBody request)
    {
        var caller = context.Caller();
        ReviewDecisionKind kind = ParseDecision(request.Decision);
        long? bankId = null;
        if (request.Bank is not null)
        {
            var bank = await node.VisibleBankAsync(caller, request.Bank, context.RequestAborted).ConfigureAwait(false);
            if (bank.OwnerMemberId != caller.MemberId)
            {
                throw Problems.Forbidden($"bank '{bank.Name}' is not this member's; a confirm adds signals to one of the member's own banks.");
            }

            bankId = bank.Id;
        }

        var outcome = await reviews.DecideAsync(
            new ReviewDecisionRequest(caller.MemberId, id, kind, request.Reviewer ?? ActionEndpoints.Actor(caller), bankId, request.Designation, request.Note),
            context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ReviewDecisionResult(
            ToInfo(outcome.Decision),
            outcome.AddedSignalIds,
            outcome.AddResults.Count(r => r.Rejection == SignalRejection.Duplicate),
            [.. outcome.Overturned.Select(s => s.PublicId)]));
    }

    public static string StateName(ReviewState state) => state switch
    {
        ReviewState.Open => "open",
        ReviewState.Escalated => "escalated",
        _ => "decided",
    };

    public static string DecisionName(ReviewDecisionKind kind) => kind switch
    {
        ReviewDecisionKind.Confirm => "confirm",
        ReviewDecisionKind.Overturn => "overturn",
        _ => "escalate",
    };

    private static ReviewState ParseState(string text) => text.Trim().ToLowerInvariant() switch
    {
        "open" => ReviewState.Open,
        "escalated" => ReviewState.Escalated,
        "decided" => ReviewState.Decided,
        _ => throw Problems.BadRequest($"state must be open, escalated or decided; got '{text}'."),
    };

    private static ReviewSort ParseSort(string text) => text.Trim().ToLowerInvariant() switch
    {
        "oldest" => ReviewSort.Oldest,
        "newest" => ReviewSort.Newest,
        "priority" => ReviewSort.Priority,
        _ => throw Problems.BadRequest($"sort must be oldest, newest or priority; got '{text}'."),
    };

    private static ReviewDecisionKind ParseDecision(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "confirm" => ReviewDecisionKind.Confirm,
        "overturn" => ReviewDecisionKind.Overturn,
        "escalate" => ReviewDecisionKind.Escalate,
        _ => throw Problems.BadRequest($"decision must be confirm, overturn or escalate; got '{text}'."),
    };

    private static async Task<Dictionary<long, string>> BankNamesAsync(Node node, IEnumerable<long> bankIds, CancellationToken cancellationToken)
    {
        var names = new Dictionary<long, string>();
        foreach (long bankId in bankIds.Distinct())
        {
            var bank = await node.Store.GetBankAsync(bankId, cancellationToken).ConfigureAwait(false);
            names[bankId] = bank?.Name ?? string.Empty;
        }

        return names;
    }

    private static ReviewItemInfo ToInfo(ReviewItem item, Dictionary<long, string> bankNames) => new(
        item.Id,
        item.Priority,
        StateName(item.State),
        item.CreatedAt,
        item.RuleId,
        [.. item.Matches.Select(m => bankNames.GetValueOrDefault(m.BankId, string.Empty)).Distinct(StringComparer.Ordinal)],
        [.. item.Matches.Select(m => m.Category).Distinct(StringComparer.Ordinal)],
        item.Matches.Count,
        [.. item.ContentSignals.Select(s => new ContentSignalInfo(s.SignalType, s.Value))],
        item.ContentMediaType is string mediaType && item.ContentExpiresAt is DateTimeOffset expires
            ? new ReviewContentInfo(mediaType, expires, $"/api/v1/review/items/{item.Id.ToString(CultureInfo.InvariantCulture)}/content")
            : null);

    private static ReviewDecisionInfo ToInfo(ReviewDecision d) =>
        new(d.Id, DecisionName(d.Decision), d.Reviewer, d.At, d.TargetBankId, d.AddedSignals, d.Note);
}
