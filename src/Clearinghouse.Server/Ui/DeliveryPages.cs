using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Ui;

/// <summary>The member's webhook deliveries, filterable by state, with re-drive of dead ones.</summary>
internal static class DeliveryPages
{
    private const int PageSize = 100;

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/deliveries", ListAsync);
        pages.MapPost("/deliveries/{id:long}/redrive", RedriveAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IClearinghouseStore store, string? state, long? after, string? notice)
    {
        var session = UiSessions.Require(context);
        var actions = UiStores.Actions(store);
        DeliveryState? filter = state switch { "pending" => DeliveryState.Pending, "delivered" => DeliveryState.Delivered, "dead" => DeliveryState.Dead, _ => null };
        var page = await actions.ListDeliveriesAsync(new DeliveryQuery(session.Member.Id, filter, AfterId: Math.Max(0, after ?? 0), Limit: PageSize), context.RequestAborted).ConfigureAwait(false);
        var endpoints = (await actions.ListWebhookEndpointsAsync(session.Member.Id, context.RequestAborted).ConfigureAwait(false)).ToDictionary(e => e.Id);
        var token = UiLayout.AntiforgeryField(context);
        var rows = page.Items.Select(d => Html.Of($"""
            <tr>
              <th scope="row">{d.Id}</th>
              <td class="value"><code>{(endpoints.TryGetValue(d.EndpointId, out var e) ? e.Url : $"endpoint {d.EndpointId} (deleted)")}</code></td>
              <td>{d.EventType}</td>
              <td><span class="state delivery-{d.State.ToString().ToLowerInvariant()}">{d.State.ToString().ToLowerInvariant()}</span></td>
              <td>{d.Attempts}</td>
              <td>{(d.LastStatus is { } status ? $"HTTP {status}" : "")}{(d.LastError is null ? "" : $" {d.LastError}")}</td>
              <td>{(d.DeliveredAt is { } at ? "delivered " + UiLayout.Time(at) : d.State == DeliveryState.Pending ? "next " + UiLayout.Time(d.NextAttemptAt) : "")}</td>
              <td>{(d.State == DeliveryState.Dead ? Html.Of($"""<form method="post" action="{UiEndpoints.Root}/deliveries/{d.Id}/redrive">{token}<button type="submit">Re-drive<span class="visually-hidden"> delivery {d.Id}</span></button></form>""") : Markup.Empty)}</td>
            </tr>
            """));
        string Selected(string? name) => (state ?? string.Empty) == (name ?? string.Empty) ? " selected" : string.Empty;
        var body = Html.Of($"""
            {UiLayout.Notice(notice == "redriven" ? "Delivery re-driven: it is pending again and will be attempted now." : null, error: false)}
            <form method="get" action="{UiEndpoints.Root}/deliveries" class="filters" aria-label="Filter deliveries">
              <div><label for="d-state">State</label>
                <select id="d-state" name="state">
                  <option value=""{new Markup(Selected(null))}>All</option><option value="pending"{new Markup(Selected("pending"))}>Pending</option>
                  <option value="delivered"{new Markup(Selected("delivered"))}>Delivered</option><option value="dead"{new Markup(Selected("dead"))}>Dead</option>
                </select></div>
              <div class="filter-actions"><button type="submit">Apply filter</button></div>
            </form>
            {(page.Items.Count == 0 ? Html.Of($"""<p class="empty">No deliveries{(filter is null ? "" : $" in state {state}")}.</p>""") : Html.Of($"""
            <div class="table-wrap" role="region" aria-labelledby="deliveries-caption" tabindex="0">
            <table>
              <caption id="deliveries-caption">Webhook deliveries</caption>
              <thead><tr><th scope="col">Id</th><th scope="col">Endpoint</th><th scope="col">Event</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Last result</th><th scope="col">When</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
              <tbody>{rows}</tbody>
            </table>
            </div>
            {(page.NextAfter is { } next ? Html.Of($"""<p><a href="{UiEndpoints.Root}/deliveries?state={state ?? ""}&after={next}">Next {PageSize} deliveries</a></p>""") : Markup.Empty)}
            """))}
            """);
        return UiLayout.Page(context, "Webhook deliveries", body);
    }

    private static async Task<IResult> RedriveAsync(HttpContext context, IClearinghouseStore store, long id)
    {
        var session = UiSessions.Require(context);
        try
        {
            await UiStores.Actions(store).RedriveDeliveryAsync(session.Member.Id, id, context.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreException e) when (e.Error is StoreError.NotFound or StoreError.Conflict)
        {
            return UiLayout.Refusal(context, e.Error == StoreError.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict, "Not re-driven", e.Message + ".");
        }

        return Results.Redirect(UiEndpoints.Root + "/deliveries?state=dead&notice=redriven");
    }
}
