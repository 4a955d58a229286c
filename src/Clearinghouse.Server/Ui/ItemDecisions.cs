using System.Globalization;
using Clearinghouse.Server.Actions;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Ui;

/// <summary>Decisions posted from the item page, applied through the backend's <see cref="ReviewService"/>.</summary>
internal static class ItemDecisions
{
    public static void Map(RouteGroupBuilder pages) => pages.MapPost("/items/{id:long}/decide", DecideAsync);

    private static async Task<IResult> DecideAsync(HttpContext context, ReviewService reviews, IClearinghouseStore store, long id)
    {
        var session = UiSessions.Require(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        ReviewDecisionKind? kind = form["decision"].ToString() switch
        {
            "confirm" => ReviewDecisionKind.Confirm,
            "overturn" => ReviewDecisionKind.Overturn,
            "escalate" => ReviewDecisionKind.Escalate,
            _ => null,
        };
        if (kind is null)
        {
            return UiLayout.Refusal(context, StatusCodes.Status400BadRequest, "Decision not recorded", "The decision must be confirm, overturn or escalate.");
        }

        long? bank = long.TryParse(form["bank"], NumberStyles.None, CultureInfo.InvariantCulture, out long b) ? b : null;
        string? designation = form["designation"].ToString() is { Length: > 0 } d ? d.Trim() : null;
        try
        {
            await reviews.DecideAsync(
                new ReviewDecisionRequest(session.Member.Id, id, kind.Value, session.Reviewer.Username, kind == ReviewDecisionKind.Confirm ? bank : null, kind == ReviewDecisionKind.Confirm && bank is not null ? designation : null),
                context.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreException e)
        {
            int status = e.Error switch { StoreError.NotFound => StatusCodes.Status404NotFound, StoreError.Conflict => StatusCodes.Status409Conflict, _ => StatusCodes.Status400BadRequest };
            return UiLayout.Refusal(context, status, "Decision not recorded", e.Message + ".");
        }

        if (kind == ReviewDecisionKind.Escalate)
        {
            return Results.Redirect($"{UiEndpoints.Root}/items/{id}?notice=escalated&decided={id}");
        }

        long? next = await QueuePages.NextItemAsync(UiStores.Actions(store), session.Member.Id, id, context.RequestAborted).ConfigureAwait(false);
        return Results.Redirect(next is { } n ? $"{UiEndpoints.Root}/items/{n}?decided={id}" : $"{UiEndpoints.Root}/queue?notice=empty&decided={id}");
    }
}
