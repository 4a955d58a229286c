using Clearinghouse.Server.Api;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Ui;

/// <summary>Browsing the banks the reviewer's member may see, and their signals (read-only).</summary>
internal static class BankPages
{
    private const int SignalsPerPage = 50;

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/banks", ListAsync);
        pages.MapGet("/banks/{name}", ShowAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IClearinghouseStore store)
    {
        var session = UiSessions.Require(context);
        var banks = await store.ListVisibleBanksAsync(session.Member.Id, context.RequestAborted).ConfigureAwait(false);
        var members = (await store.ListMembersAsync(context.RequestAborted).ConfigureAwait(false)).ToDictionary(m => m.Id, m => m.Name);
        var rows = banks.Select(bank => Html.Of($"""
            <tr>
              <th scope="row"><a href="{UiEndpoints.Root}/banks/{Uri.EscapeDataString(bank.Name)}">{bank.Name}</a></th>
              <td>{bank.Category}</td>
              <td>{(bank.OwnerMemberId == session.Member.Id ? "yours" : members.GetValueOrDefault(bank.OwnerMemberId, "?"))}</td>
              <td>{Mapping.ScopeName(bank.Scope)}</td>
              <td>{(bank.Negative ? "negative (suppresses matches)" : "positive")}</td>
              <td>{(bank.Enabled ? "enabled" : "disabled")}</td>
              <td>{bank.Description ?? ""}</td>
            </tr>
            """));
        var body = banks.Count == 0
            ? Html.Of($"""<p class="empty">Your organisation cannot see any bank yet.</p>""")
            : Html.Of($"""
                <p>The {banks.Count} banks your organisation ({session.Member.Name}) may see: its own, those of its sharing groups and those shared with all members.</p>
                <div class="table-wrap" role="region" aria-labelledby="banks-caption" tabindex="0">
                <table>
                  <caption id="banks-caption">Visible banks</caption>
                  <thead><tr><th scope="col">Bank</th><th scope="col">Category</th><th scope="col">Owner</th><th scope="col">Shared with</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Description</th></tr></thead>
                  <tbody>{rows}</tbody>
                </table>
                </div>
                """);
        return UiLayout.Page(context, "Banks", body);
    }

    private static async Task<IResult> ShowAsync(HttpContext context, IClearinghouseStore store, string name, long? after)
    {
        var session = UiSessions.Require(context);
        var bank = await store.FindBankAsync(name, context.RequestAborted).ConfigureAwait(false);
        var visible = await store.ListVisibleBanksAsync(session.Member.Id, context.RequestAborted).ConfigureAwait(false);
        if (bank is null || !visible.Any(b => b.Id == bank.Id))
        {
            return UiLayout.Refusal(context, StatusCodes.Status404NotFound, "Bank not found", $"There is no bank named '{name}' that your organisation may see.");
        }

        var page = await store.ListSignalsAsync(new SignalQuery(BankId: bank.Id, AfterId: Math.Max(0, after ?? 0), Limit: SignalsPerPage), context.RequestAborted).ConfigureAwait(false);
        var rows = page.Items.Select(signal => Html.Of($"""
            <tr>
              <td><code>{signal.PublicId}</code></td>
              <td>{signal.SignalType}</td>
              <td class="value"><code>{signal.Value}</code></td>
              <td>{signal.Designation ?? "—"}</td>
              <td><span class="status status-{signal.Status.ToString().ToLowerInvariant()}">{signal.Status.ToString().ToLowerInvariant()}</span></td>
              <td>{signal.Opinions.Positive} confirm · {signal.Opinions.Negative} false positive · {signal.Opinions.InvestigationSeed} seed</td>
              <td>{UiLayout.Time(signal.CreatedAt)}</td>
            </tr>
            """));
        string self = $"{UiEndpoints.Root}/banks/{Uri.EscapeDataString(bank.Name)}";
        var next = page.NextAfter is { } nextAfter
            ? Html.Of($"""<p><a href="{self}?after={nextAfter}">Next {SignalsPerPage} signals</a></p>""")
            : Markup.Empty;
        var body = Html.Of($"""
            <p><a href="{UiEndpoints.Root}/banks">All banks</a></p>
            <dl class="facts">
              <dt>Category</dt><dd>{bank.Category}</dd>
              <dt>Shared with</dt><dd>{Mapping.ScopeName(bank.Scope)}</dd>
              <dt>Kind</dt><dd>{(bank.Negative ? "negative (suppresses matches)" : "positive")}</dd>
              <dt>State</dt><dd>{(bank.Enabled ? "enabled" : "disabled")}</dd>
            </dl>
            {(page.Items.Count == 0 ? Html.Of($"""<p class="empty">No signals{(after is > 0 ? " after this point" : " in this bank yet")}.</p>""") : Html.Of($"""
            <div class="table-wrap" role="region" aria-labelledby="signals-caption" tabindex="0">
            <table>
              <caption id="signals-caption">Signals{(after is > 0 ? $" after id {after}" : "")}</caption>
              <thead><tr><th scope="col">Public id</th><th scope="col">Type</th><th scope="col">Value</th><th scope="col">Designation</th><th scope="col">Status</th><th scope="col">Opinions</th><th scope="col">Added</th></tr></thead>
              <tbody>{rows}</tbody>
            </table>
            </div>
            {next}
            """))}
            """);
        return UiLayout.Page(context, "Bank " + bank.Name, body);
    }
}
