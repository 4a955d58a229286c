using System.Globalization;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Ui;

/// <summary>The review queue: the member's open and escalated items, sortable and filterable.</summary>
internal static class QueuePages
{
    private const int PageSize = 50;

    /// <summary>Age filters: a name, its label, and the bounds it sets (created before / after now minus a span).</summary>
    private static readonly (string Name, string Label, TimeSpan? OlderThan, TimeSpan? NewerThan)[] Ages =
    [
        ("", "Any age", null, null),
        ("new-1h", "Newer than 1 hour", null, TimeSpan.FromHours(1)),
        ("new-24h", "Newer than 24 hours", null, TimeSpan.FromHours(24)),
        ("old-1h", "Older than 1 hour", TimeSpan.FromHours(1), null),
        ("old-24h", "Older than 24 hours", TimeSpan.FromHours(24), null),
    ];

    public static void Map(RouteGroupBuilder pages) => pages.MapGet("/queue", ShowAsync);

    private static async Task<IResult> ShowAsync(
        HttpContext context, IClearinghouseStore store, TimeProvider time,
        string? sort, long? bank, string? category, int? priority, string? age, string? state, string? after, string? notice)
    {
        var session = UiSessions.Require(context);
        var now = time.GetUtcNow();
        var banks = await UiStores.VisibleBanksAsync(store, session.Member.Id, context.RequestAborted).ConfigureAwait(false);
        var taxonomy = await store.GetTaxonomyAsync(context.RequestAborted).ConfigureAwait(false);
        var sortBy = sort switch { "newest" => ReviewSort.Newest, "priority" => ReviewSort.Priority, _ => ReviewSort.Oldest };
        var ageFilter = Ages.FirstOrDefault(a => a.Name == (age ?? string.Empty));
        ReviewState? stateFilter = state switch { "escalated" => ReviewState.Escalated, "open" => ReviewState.Open, "decided" => ReviewState.Decided, _ => null };
        var query = new ReviewQuery(
            session.Member.Id,
            State: stateFilter,
            BankId: bank,
            Category: string.IsNullOrEmpty(category) ? null : category,
            MinPriority: priority,
            CreatedBefore: ageFilter.OlderThan is { } older ? now - older : null,
            CreatedAfter: ageFilter.NewerThan is { } newer ? now - newer : null,
            Sort: sortBy,
            After: ParseCursor(after),
            Limit: PageSize);
        var page = await UiStores.Actions(store).ListReviewItemsAsync(query, context.RequestAborted).ConfigureAwait(false);

        string Link(string? newSort = null, string? newAfter = null) => QueryString(
            ("sort", newSort ?? sort), ("bank", bank?.ToString(CultureInfo.InvariantCulture)), ("category", category),
            ("priority", priority?.ToString(CultureInfo.InvariantCulture)), ("age", age), ("state", state), ("after", newAfter));

        var rows = page.Items.Select(item => Html.Of($"""
            <tr>
              <th scope="row"><a href="{UiEndpoints.Root}/items/{item.Id}">Item {item.Id}</a></th>
              <td>{item.Priority}</td>
              <td><span class="state state-{item.State.ToString().ToLowerInvariant()}">{item.State.ToString().ToLowerInvariant()}</span></td>
              <td><time datetime="{item.CreatedAt.UtcDateTime:O}" title="{UiLayout.Time(item.CreatedAt)}">{UiStores.Age(item.CreatedAt, now)}</time></td>
              <td>{string.Join(", ", item.Matches.Select(m => banks.TryGetValue(m.BankId, out var b) ? b.Name : $"bank {m.BankId}").Distinct())}</td>
              <td>{string.Join(", ", item.Matches.Select(m => m.Category).Distinct())}</td>
              <td>{string.Join(", ", item.Matches.Select(m => $"{m.SignalType} (distance {m.Distance})").Distinct())}</td>
              <td>{(item.ContentMediaType is null ? "no" : "yes, blurred")}</td>
            </tr>
            """));
        var sortLinks = Html.Of($"""
            <p class="sorts">Sort:
              {SortLink("oldest", "oldest first", sortBy == ReviewSort.Oldest)}
              {SortLink("newest", "newest first", sortBy == ReviewSort.Newest)}
              {SortLink("priority", "highest priority first", sortBy == ReviewSort.Priority)}
            </p>
            """);
        Markup SortLink(string name, string label, bool current) => current
            ? Html.Of($"""<a href="{Link(name)}" aria-current="true" class="current">{label}</a>""")
            : Html.Of($"""<a href="{Link(name)}">{label}</a>""");

        var filters = Html.Of($"""
            <form method="get" action="{UiEndpoints.Root}/queue" class="filters" aria-label="Filter the queue">
              <input type="hidden" name="sort" value="{sort ?? "oldest"}">
              <div><label for="f-bank">Bank</label>
                <select id="f-bank" name="bank"><option value="">Any bank</option>{banks.Values.Select(b => Option(b.Id.ToString(CultureInfo.InvariantCulture), b.Name, bank == b.Id))}</select></div>
              <div><label for="f-category">Category</label>
                <select id="f-category" name="category"><option value="">Any category</option>{(taxonomy?.Categories ?? []).Select(c => Option(c.Id, c.Title, category == c.Id))}</select></div>
              <div><label for="f-priority">Priority at least</label>
                <input id="f-priority" name="priority" type="number" inputmode="numeric" min="0" max="{RuleActions.MaxPriority}" value="{priority?.ToString(CultureInfo.InvariantCulture) ?? ""}"></div>
              <div><label for="f-age">Age</label>
                <select id="f-age" name="age">{Ages.Select(a => Option(a.Name, a.Label, (age ?? "") == a.Name))}</select></div>
              <div><label for="f-state">State</label>
                <select id="f-state" name="state">
                  {Option("", "Open and escalated", stateFilter is null)}{Option("open", "Open", stateFilter == ReviewState.Open)}{Option("escalated", "Escalated", stateFilter == ReviewState.Escalated)}{Option("decided", "Decided", stateFilter == ReviewState.Decided)}
                </select></div>
              <div class="filter-actions"><button type="submit">Apply filters</button> <a href="{UiEndpoints.Root}/queue">Clear</a></div>
            </form>
            """);
        var table = page.Items.Count == 0
            ? Html.Of($"""<p class="empty">No items match. {(query.State is null && query.BankId is null && query.Category is null && query.MinPriority is null && ageFilter.Name.Length == 0 ? "The queue is empty." : "Try clearing the filters.")}</p>""")
            : Html.Of($"""
                <div class="table-wrap" role="region" aria-labelledby="queue-caption" tabindex="0">
                <table>
                  <caption id="queue-caption">Review items ({page.Items.Count}{(page.Next is null ? "" : "+")})</caption>
                  <thead><tr><th scope="col">Item</th><th scope="col">Priority</th><th scope="col">State</th><th scope="col">Received</th><th scope="col">Banks</th><th scope="col">Categories</th><th scope="col">Signals</th><th scope="col">Preview</th></tr></thead>
                  <tbody>{rows}</tbody>
                </table>
                </div>
                {(page.Next is { } next ? Html.Of($"""<p><a href="{Link(newAfter: $"{next.Key}.{next.Id}")}">Next {PageSize} items</a></p>""") : Markup.Empty)}
                """);
        string? message = notice switch
        {
            "empty" => "No more items waiting: the queue is done.",
            _ => null,
        };
        return UiLayout.Page(context, "Review queue", Html.Of($"""{UiLayout.Notice(message, error: false)}{filters}{sortLinks}{table}"""));
    }

    /// <summary>The next item to review after <paramref name="itemId"/> (oldest open or escalated, skipping that one); null when none.</summary>
    public static async Task<long?> NextItemAsync(IActionStore actions, long memberId, long itemId, CancellationToken cancellationToken)
    {
        var page = await actions.ListReviewItemsAsync(new ReviewQuery(memberId, Limit: 2), cancellationToken).ConfigureAwait(false);
        return page.Items.FirstOrDefault(i => i.Id != itemId)?.Id;
    }

    private static Markup Option(string value, string label, bool selected) =>
        Html.Of($"""<option value="{value}"{Html.If(selected, Html.Of($" selected"))}>{label}</option>""");

    private static ReviewCursor? ParseCursor(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var parts = text.Split('.');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long key)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long id)
            ? new ReviewCursor(key, id)
            : null;
    }

    private static string QueryString(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}");
        string query = string.Join("&", present);
        return UiEndpoints.Root + "/queue" + (query.Length == 0 ? string.Empty : "?" + query);
    }
}
