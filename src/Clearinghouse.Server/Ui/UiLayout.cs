using Microsoft.AspNetCore.Http;

namespace Clearinghouse.Server.Ui;

/// <summary>The page frame every UI page shares: landmarks, skip link, navigation, the signed-in reviewer.</summary>
internal static class UiLayout
{
    /// <summary>The main navigation, in reading order; the transparency report is the node's public page.</summary>
    private static readonly (string Path, string Label)[] Navigation =
    [
        (UiEndpoints.Root + "/queue", "Queue"),
        (UiEndpoints.Root + "/banks", "Banks"),
        (UiEndpoints.Root + "/rules", "Rules"),
        (UiEndpoints.Root + "/deliveries", "Webhook deliveries"),
        (UiEndpoints.Root + "/settings", "Wellness settings"),
        ("/transparency", "Transparency report"),
    ];

    /// <summary>A full page; the navigation and sign-out appear only for a signed-in reviewer.</summary>
    public static IResult Page(HttpContext context, string title, Markup body, int status = StatusCodes.Status200OK)
    {
        var session = UiSessions.Current(context);
        string path = context.Request.Path;
        var nav = session is null
            ? Markup.Empty
            : Html.Of($"""
                <nav class="nav" aria-label="Main">
                  <ul>{Navigation.Select(item => Html.Of($"""<li><a href="{item.Path}"{Html.If(path.StartsWith(item.Path, StringComparison.Ordinal), Html.Of($" aria-current=\"page\""))}>{item.Label}</a></li>"""))}</ul>
                </nav>
                <div class="who">
                  <span id="session-counter" class="session-counter" role="status"></span>
                  <span>Signed in as <strong>{session.Reviewer.Username}</strong> <span class="org">({session.Member.Name})</span></span>
                  <form method="post" action="{UiEndpoints.SignOutPath}">{AntiforgeryField(context)}<button type="submit" class="link-button">Sign out</button></form>
                </div>
                """);
        var page = Html.Of($"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>{title} · Clearinghouse review</title>
              <link rel="stylesheet" href="{UiEndpoints.Root}/static/ui.css">
              <script src="{UiEndpoints.Root}/static/ui.js" defer></script>
            </head>
            <body{BodyData(context, session)}>
              <a class="skip" href="#main">Skip to main content</a>
              {(session is null ? Markup.Empty : Html.Of($"""<div id="break-reminder" class="break" role="alert" hidden><strong>Time for a break.</strong><span class="break-text"></span><button type="button">I have had a break</button></div>"""))}
              <header class="top">
                <a class="brand" href="{UiEndpoints.Root}">Clearinghouse <span>review</span></a>
                {nav}
              </header>
              <main id="main" tabindex="-1">
                <h1>{title}</h1>
                {body}
              </main>
              <footer class="foot"><p>Clearinghouse node · <a href="/transparency">Public transparency report</a> · <a href="/docs">API reference</a></p></footer>
            </body>
            </html>
            """);
        return Results.Content(page.ToString(), "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    /// <summary>What ui.js needs for the session counter and break reminder (nothing for the sign-in page).</summary>
    private static Markup BodyData(HttpContext context, ReviewerSession? session)
    {
        if (session is null)
        {
            return Markup.Empty;
        }

        var settings = session.Reviewer.Settings;
        string? decided = context.Request.Query["decided"];
        return Html.Of($""" data-session-start="{session.SignedInAt.ToUnixTimeSeconds()}" data-break-items="{settings.BreakAfterItems}" data-break-minutes="{settings.BreakAfterMinutes}"{(decided is { Length: > 0 } ? Html.Of($" data-decided=\"{decided}\"") : Markup.Empty)}""");
    }

    /// <summary>The hidden antiforgery field every form carries.</summary>
    public static Markup AntiforgeryField(HttpContext context) =>
        Html.Of($"""<input type="hidden" name="{UiSessions.AntiforgeryField}" value="{UiSessions.AntiforgeryToken(context)}">""");

    /// <summary>A notice for the reader: role=alert for errors (read out at once), role=status otherwise.</summary>
    public static Markup Notice(string? text, bool error) =>
        text is null ? Markup.Empty : Html.Of($"""<p class="notice {(error ? "error" : "ok")}" role="{(error ? "alert" : "status")}">{text}</p>""");

    /// <summary>A refusal page (bad antiforgery token, unknown bank, ...).</summary>
    public static IResult Refusal(HttpContext context, int status, string title, string detail) =>
        Page(context, title, Html.Of($"""{Notice(detail, true)}<p><a href="{UiEndpoints.Root}">Back to the start page</a></p>"""), status);

    /// <summary>A time as the UI shows it: UTC, to the second.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
