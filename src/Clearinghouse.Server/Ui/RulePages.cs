using System.Globalization;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Ui;

/// <summary>The member's action rules: list, create, enable and disable (each change audited under the reviewer's username).</summary>
internal static class RulePages
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/rules", ListAsync);
        pages.MapPost("/rules", CreateAsync);
        pages.MapPost("/rules/{id:long}/enabled", SetEnabledAsync);
    }

    private static Task<IResult> ListAsync(HttpContext context, IClearinghouseStore store, string? notice) =>
        RenderAsync(context, store, notice == "created" ? "Rule created." : notice == "changed" ? "Rule changed." : null, error: false, StatusCodes.Status200OK);

    private static async Task<IResult> RenderAsync(HttpContext context, IClearinghouseStore store, string? message, bool error, int status)
    {
        var session = UiSessions.Require(context);
        var actions = UiStores.Actions(store);
        var rules = await actions.ListActionRulesAsync(session.Member.Id, context.RequestAborted).ConfigureAwait(false);
        var banks = await UiStores.VisibleBanksAsync(store, session.Member.Id, context.RequestAborted).ConfigureAwait(false);
        var endpoints = (await actions.ListWebhookEndpointsAsync(session.Member.Id, context.RequestAborted).ConfigureAwait(false)).ToDictionary(e => e.Id);
        var taxonomy = await store.GetTaxonomyAsync(context.RequestAborted).ConfigureAwait(false);
        var token = UiLayout.AntiforgeryField(context);

        var rows = rules.Select(rule => Html.Of($"""
            <tr>
              <th scope="row">{rule.Name}</th>
              <td>{Describe(rule.Selector, banks)}</td>
              <td>{Describe(rule.Actions, endpoints)}</td>
              <td>{(rule.Enabled ? "enabled" : "disabled")}</td>
              <td>
                <form method="post" action="{UiEndpoints.Root}/rules/{rule.Id}/enabled">
                  {token}<input type="hidden" name="enabled" value="{(rule.Enabled ? "false" : "true")}">
                  <button type="submit">{(rule.Enabled ? "Disable" : "Enable")}<span class="visually-hidden"> rule {rule.Name}</span></button>
                </form>
              </td>
            </tr>
            """));
        var table = rules.Count == 0
            ? Html.Of($"""<p class="empty">No rules yet: matches are only recorded.</p>""")
            : Html.Of($"""
                <div class="table-wrap" role="region" aria-labelledby="rules-caption" tabindex="0">
                <table>
                  <caption id="rules-caption">Action rules</caption>
                  <thead><tr><th scope="col">Rule</th><th scope="col">Selects matches</th><th scope="col">Actions</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Change</span></th></tr></thead>
                  <tbody>{rows}</tbody>
                </table>
                </div>
                """);
        var form = Html.Of($"""
            <section aria-labelledby="new-rule-heading" class="panel narrow">
              <h2 id="new-rule-heading">New rule</h2>
              <form method="post" action="{UiEndpoints.Root}/rules" class="stack">
                {token}
                <label for="r-name">Name</label>
                <input id="r-name" name="name" required maxlength="200">
                <label for="r-bank">Matches in bank</label>
                <select id="r-bank" name="bank"><option value="">Any bank</option>{banks.Values.Select(b => Html.Of($"""<option value="{b.Id}">{b.Name}</option>"""))}</select>
                <label for="r-category">Of category</label>
                <select id="r-category" name="category"><option value="">Any category</option>{(taxonomy?.Categories ?? []).Select(c => Html.Of($"""<option value="{c.Id}">{c.Title}</option>"""))}</select>
                <label for="r-distance">At most this distance (empty: the bank's threshold)</label>
                <input id="r-distance" name="max_distance" type="number" inputmode="numeric" min="0" max="256">
                <div class="check"><input type="checkbox" id="r-disputed" name="include_disputed"><label for="r-disputed">Also matches of disputed signals</label></div>
                <label for="r-priority">Enqueue for review with priority (0 to {RuleActions.MaxPriority}; empty: no review)</label>
                <input id="r-priority" name="priority" type="number" inputmode="numeric" min="0" max="{RuleActions.MaxPriority}">
                <label for="r-webhook">Call webhook</label>
                <select id="r-webhook" name="webhook"><option value="">No webhook</option>{endpoints.Values.Select(e => Html.Of($"""<option value="{e.Id}">{e.Url}</option>"""))}</select>
                <button type="submit" class="primary">Create rule</button>
              </form>
              <p class="hint">Webhook endpoints are registered through the API (they carry a signing secret).</p>
            </section>
            """);
        return UiLayout.Page(context, "Action rules", Html.Of($"""{UiLayout.Notice(message, error)}{table}{form}"""), status);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IClearinghouseStore store)
    {
        var session = UiSessions.Require(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (!TryOptionalInt(form["bank"], out long? bank) || !TryOptionalInt(form["max_distance"], out long? distance)
            || !TryOptionalInt(form["priority"], out long? priority) || !TryOptionalInt(form["webhook"], out long? webhook))
        {
            return await RenderAsync(context, store, "Not created: bank, distance, priority and webhook must be whole numbers or empty.", error: true, StatusCodes.Status400BadRequest).ConfigureAwait(false);
        }

        string category = form["category"].ToString();
        var rule = new NewActionRule(
            session.Member.Id,
            form["name"].ToString().Trim(),
            new RuleSelector(bank is { } b ? [b] : [], category.Length > 0 ? [category] : [], [], distance is { } d ? (int)d : null, form["include_disputed"] == "on"),
            new RuleActions(priority is { } p ? (int)p : null, webhook));
        try
        {
            await UiStores.Actions(store).CreateActionRuleAsync(rule, Actor(session), context.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreException e) when (e.Error is StoreError.Invalid or StoreError.NotFound or StoreError.Conflict or StoreError.UnknownCategory)
        {
            return await RenderAsync(context, store, "Not created: " + e.Message + ".", error: true, StatusCodes.Status400BadRequest).ConfigureAwait(false);
        }

        return Results.Redirect(UiEndpoints.Root + "/rules?notice=created");
    }

    private static async Task<IResult> SetEnabledAsync(HttpContext context, IClearinghouseStore store, long id)
    {
        var session = UiSessions.Require(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var actions = UiStores.Actions(store);
        var rule = await actions.GetActionRuleAsync(session.Member.Id, id, context.RequestAborted).ConfigureAwait(false);
        if (rule is null)
        {
            return UiLayout.Refusal(context, StatusCodes.Status404NotFound, "Rule not found", $"Your organisation has no rule {id}.");
        }

        bool enabled = form["enabled"] == "true";
        await actions.ReplaceActionRuleAsync(id, new NewActionRule(rule.MemberId, rule.Name, rule.Selector, rule.Actions, enabled), Actor(session), context.RequestAborted).ConfigureAwait(false);
        return Results.Redirect(UiEndpoints.Root + "/rules?notice=changed");
    }

    /// <summary>Who the audit names: the reviewer account (its username within the member), nothing more.</summary>
    private static string Actor(ReviewerSession session) => "reviewer:" + session.Reviewer.Username;

    private static string Describe(RuleSelector selector, Dictionary<long, Bank> banks)
    {
        var parts = new List<string>
        {
            selector.BankIds.Count == 0 ? "any bank" : "bank " + string.Join(", ", selector.BankIds.Select(id => banks.TryGetValue(id, out var b) ? b.Name : id.ToString(CultureInfo.InvariantCulture))),
            selector.Categories.Count == 0 ? "any category" : "category " + string.Join(", ", selector.Categories),
        };
        if (selector.SignalTypes.Count > 0)
        {
            parts.Add("types " + string.Join(", ", selector.SignalTypes));
        }

        if (selector.MaxDistance is { } distance)
        {
            parts.Add($"distance ≤ {distance}");
        }

        parts.Add(selector.IncludeDisputed ? "active or disputed signals" : "active signals");
        return string.Join("; ", parts);
    }

    private static string Describe(RuleActions actions, Dictionary<long, WebhookEndpoint> endpoints)
    {
        if (actions.IsRecordOnly)
        {
            return "record only";
        }

        var parts = new List<string>();
        if (actions.ReviewPriority is { } priority)
        {
            parts.Add($"review (priority {priority})");
        }

        if (actions.WebhookEndpointId is { } id)
        {
            parts.Add("webhook " + (endpoints.TryGetValue(id, out var e) ? e.Url : $"#{id}"));
        }

        return string.Join(" and ", parts);
    }

    private static bool TryOptionalInt(string? text, out long? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) && parsed <= int.MaxValue)
        {
            value = parsed;
            return true;
        }

        return false;
    }
}
