using System.Globalization;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Ui;

/// <summary>
/// One review item: its matched signals (bank, category, designation, opinions), the content preview (blurred and
/// greyscale until revealed, unless the reviewer turned that off; video muted and paused), and the decisions.
/// </summary>
internal static class ItemPages
{
    /// <summary>The keyboard shortcuts, as listed on the page and bound by ui.js through data-shortcut.</summary>
    public static readonly (string Key, string Action)[] Shortcuts =
    [
        ("v", "Reveal or hide the preview"),
        ("c", "Confirm (adds the content's signals to the chosen bank, if any)"),
        ("o", "Overturn (a false positive: negative opinion on the matched signals)"),
        ("e", "Escalate to a senior reviewer"),
        ("n", "Next item without deciding"),
    ];

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/items/{id:long}", ShowAsync);
        pages.MapGet("/items/{id:long}/content", ContentAsync);
    }

    private static async Task<IResult> ShowAsync(HttpContext context, IClearinghouseStore store, TimeProvider time, long id, string? notice)
    {
        var session = UiSessions.Require(context);
        var actions = UiStores.Actions(store);
        var item = await actions.GetReviewItemAsync(session.Member.Id, id, context.RequestAborted).ConfigureAwait(false);
        if (item is null)
        {
            return UiLayout.Refusal(context, StatusCodes.Status404NotFound, "Item not found", $"Your organisation has no review item {id}.");
        }

        var signals = (await store.GetSignalsAsync([.. item.Matches.Select(m => m.SignalId).Distinct()], context.RequestAborted).ConfigureAwait(false)).ToDictionary(s => s.Id);
        var visible = await UiStores.VisibleBanksAsync(store, session.Member.Id, context.RequestAborted).ConfigureAwait(false);
        var decisions = await actions.ListReviewDecisionsAsync(session.Member.Id, id, context.RequestAborted).ConfigureAwait(false);
        long? next = await QueuePages.NextItemAsync(actions, session.Member.Id, id, context.RequestAborted).ConfigureAwait(false);
        var now = time.GetUtcNow();

        var matchRows = item.Matches.Select(m =>
        {
            var signal = signals.GetValueOrDefault(m.SignalId);
            string bankName = visible.TryGetValue(m.BankId, out var bank) ? bank.Name : $"bank {m.BankId}";
            return Html.Of($"""
                <tr>
                  <th scope="row"><code>{signal?.PublicId ?? m.SignalId.ToString(CultureInfo.InvariantCulture)}</code></th>
                  <td>{(bank is null ? Html.Of($"{bankName}") : Html.Of($"""<a href="{UiEndpoints.Root}/banks/{Uri.EscapeDataString(bank.Name)}">{bankName}</a>"""))}</td>
                  <td>{m.Category}</td>
                  <td>{signal?.Designation ?? "—"}</td>
                  <td>{m.SignalType}, distance {m.Distance}</td>
                  <td>{(signal is null ? "—" : $"{signal.Opinions.Positive} confirm · {signal.Opinions.Negative} false positive · {signal.Opinions.InvestigationSeed} seed")}</td>
                  <td>{(signal is null ? Html.Of($"—") : Html.Of($"""<span class="status status-{signal.Status.ToString().ToLowerInvariant()}">{signal.Status.ToString().ToLowerInvariant()}</span>"""))}</td>
                </tr>
                """);
        });

        var ownBanks = visible.Values.Where(b => b.OwnerMemberId == session.Member.Id && !b.Negative).ToList();
        bool decided = item.State == ReviewState.Decided;
        var body = Html.Of($"""
            {UiLayout.Notice(notice == "escalated" ? "Escalated: the item stays in the queue for a senior reviewer." : null, error: false)}
            <p class="crumbs"><a href="{UiEndpoints.Root}/queue">Back to the queue</a>{(next is { } n ? Html.Of($""" · <a href="{UiEndpoints.Root}/items/{n}" data-shortcut="n">Next item (N)</a>""") : Markup.Empty)}</p>
            <dl class="facts">
              <dt>State</dt><dd><span class="state state-{item.State.ToString().ToLowerInvariant()}">{item.State.ToString().ToLowerInvariant()}</span></dd>
              <dt>Priority</dt><dd>{item.Priority}</dd>
              <dt>Received</dt><dd><time datetime="{item.CreatedAt.UtcDateTime:O}">{UiLayout.Time(item.CreatedAt)}</time> ({UiStores.Age(item.CreatedAt, now)})</dd>
            </dl>
            <div class="item-grid">
              <section aria-labelledby="preview-heading" class="panel">
                <h2 id="preview-heading">Content</h2>
                {Preview(item, session.Reviewer.Settings)}
              </section>
              <section aria-labelledby="decide-heading" class="panel">
                <h2 id="decide-heading">Decision</h2>
                {(decided ? Html.Of($"""<p>This item has been decided.</p>""") : DecisionForms(context, item, ownBanks))}
                {Shortcut()}
              </section>
            </div>
            <section aria-labelledby="matches-heading">
              <h2 id="matches-heading">Matched signals</h2>
              <div class="table-wrap" role="region" aria-labelledby="matches-heading" tabindex="0">
              <table>
                <thead><tr><th scope="col">Signal</th><th scope="col">Bank</th><th scope="col">Category</th><th scope="col">Designation</th><th scope="col">Match</th><th scope="col">Opinions</th><th scope="col">Status</th></tr></thead>
                <tbody>{matchRows}</tbody>
              </table>
              </div>
            </section>
            {(decisions.Count == 0 ? Markup.Empty : Html.Of($"""
            <section aria-labelledby="history-heading">
              <h2 id="history-heading">Decisions so far</h2>
              <ul>{decisions.Select(d => Html.Of($"<li>{UiLayout.Time(d.At)}: {d.Decision.ToString().ToLowerInvariant()} by {d.Reviewer}{(d.AddedSignals > 0 ? $", {d.AddedSignals} signals added" : "")}{(d.Note is null ? "" : $" ({d.Note})")}</li>"))}</ul>
            </section>
            """))}
            """);
        return UiLayout.Page(context, $"Review item {item.Id}", body);
    }

    /// <summary>The preview: blurred and greyscale behind a reveal button by default; never autoplaying video.</summary>
    private static Markup Preview(ReviewItem item, ReviewerSettings settings)
    {
        if (item.ContentMediaType is not { } type)
        {
            return Html.Of($"""<p class="empty">No copy of the content is held for this item (only the matched signals).</p>""");
        }

        string source = $"{UiEndpoints.Root}/items/{item.Id}/content";
        string state = settings.BlurPreviews ? "blurred" : "revealed";
        Markup media = type.StartsWith("image/", StringComparison.Ordinal)
            ? Html.Of($"""<img id="preview-media" class="media {state}" src="{source}" alt="The content under review{(settings.BlurPreviews ? ", blurred until revealed" : "")}">""")
            : type.StartsWith("video/", StringComparison.Ordinal)
                ? Html.Of($"""<video id="preview-media" class="media {state}" src="{source}" muted playsinline preload="metadata" controls aria-label="The video under review{(settings.BlurPreviews ? ", blurred until revealed" : "")}"></video>""")
                : Markup.Empty;
        if (media.ToString().Length == 0)
        {
            return Html.Of($"""<p class="empty">A copy is held ({type}), but it is not an image or video the browser can show safely.</p>""");
        }

        return Html.Of($"""
            <figure class="preview">
              <div class="media-frame">{media}</div>
              <figcaption>
                {(settings.BlurPreviews
                    ? Html.Of($"""<button type="button" class="reveal" data-reveal="preview-media" data-shortcut="v" aria-controls="preview-media" aria-pressed="false">Reveal preview (V)</button>""")
                    : Html.Of($"""<span class="hint">Blurring is off in your wellness settings.</span>"""))}
                <span class="hint">Copy kept until {(item.ContentExpiresAt is { } expires ? UiLayout.Time(expires) : "the decision")}.</span>
              </figcaption>
            </figure>
            """);
    }

    private static Markup DecisionForms(HttpContext context, ReviewItem item, IReadOnlyList<Bank> ownBanks)
    {
        string action = $"{UiEndpoints.Root}/items/{item.Id}/decide";
        var token = UiLayout.AntiforgeryField(context);
        var bankChoice = item.ContentSignals.Count == 0
            ? Html.Of($"""<p class="hint">The content's own signals are not known, so a confirm adds nothing to a bank.</p>""")
            : Html.Of($"""
                <label for="target-bank">Add the content's {item.ContentSignals.Count} signals to</label>
                <select id="target-bank" name="bank">
                  <option value="">No bank (only confirm the match)</option>
                  {ownBanks.Select(b => Html.Of($"""<option value="{b.Id}">{b.Name} ({b.Category})</option>"""))}
                </select>
                <label for="designation">Designation reference (when the bank's category needs one)</label>
                <input id="designation" name="designation" placeholder="e.g. un:QDe.115" autocomplete="off">
                """);
        return Html.Of($"""
            <form method="post" action="{action}" class="stack decision" id="confirm-form" data-decision="confirm" data-shortcut="c">
              {token}
              <input type="hidden" name="decision" value="confirm">
              {bankChoice}
              <button type="submit" class="primary">Confirm (C)</button>
            </form>
            <div class="decision-row">
              <form method="post" action="{action}" data-decision="overturn" data-shortcut="o">
                {token}<input type="hidden" name="decision" value="overturn">
                <button type="submit" class="danger">Overturn (O)</button>
              </form>
              <form method="post" action="{action}" data-decision="escalate" data-shortcut="e">
                {token}<input type="hidden" name="decision" value="escalate">
                <button type="submit">Escalate (E)</button>
              </form>
            </div>
            """);
    }

    private static Markup Shortcut() => Html.Of($"""
        <h3 id="shortcuts-heading">Keyboard shortcuts</h3>
        <dl class="shortcuts" aria-labelledby="shortcuts-heading">
          {Shortcuts.Select(s => Html.Of($"<dt><kbd>{s.Key.ToUpperInvariant()}</kbd></dt><dd>{s.Action}</dd>"))}
        </dl>
        <p class="hint">Shortcuts do nothing while you type in a field.</p>
        """);

    /// <summary>The kept copy, for the preview: images and video only, never rendered as anything active.</summary>
    private static async Task<IResult> ContentAsync(HttpContext context, IClearinghouseStore store, long id)
    {
        var session = UiSessions.Require(context);
        var content = await UiStores.Actions(store).GetReviewContentAsync(session.Member.Id, id, context.RequestAborted).ConfigureAwait(false);
        if (content is null || !(content.MediaType.StartsWith("image/", StringComparison.Ordinal) || content.MediaType.StartsWith("video/", StringComparison.Ordinal)))
        {
            return Results.NotFound();
        }

        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        context.Response.Headers.ContentDisposition = "inline";
        return Results.Bytes(content.Bytes, content.MediaType, enableRangeProcessing: true);
    }
}
