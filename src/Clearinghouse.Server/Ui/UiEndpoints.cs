using System.Globalization;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.Server.Ui;

/// <summary>
/// The review UI under <c>/ui</c>: plain server-rendered HTML with one stylesheet and one script, both served from
/// the assembly. Every page but sign-in needs a reviewer's session; every POST needs the antiforgery token.
/// </summary>
internal static class UiEndpoints
{
    public const string Root = "/ui";
    public const string SignInPath = Root + "/signin";
    public const string SignOutPath = Root + "/signout";

    /// <summary>Authentication and security headers for /ui only: the API's hot paths never pay for cookies.</summary>
    public static void UseReviewUi(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Root), ui =>
        {
            ui.Use(async (context, next) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy =
                    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; " +
                    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-store";
                await next(context).ConfigureAwait(false);
            });
            ui.UseAuthentication();
        });

    public static void Map(IEndpointRouteBuilder app)
    {
        var ui = app.MapGroup(Root).ExcludeFromDescription().DisableAntiforgery();
        ui.MapGet("/static/{file}", ServeStatic);
        ui.MapGet("/signin", SignInPage);
        ui.MapPost("/signin", SignInAsync);

        var pages = ui.MapGroup("").AddEndpointFilter(RequireReviewerAsync);
        pages.MapGet("", (HttpContext _) => Results.Redirect(Root + "/queue"));
        pages.MapPost("/signout", (Func<HttpContext, Task<IResult>>)SignOutAsync);
        pages.MapGet("/settings", SettingsPage);
        pages.MapPost("/settings", SaveSettingsAsync);
        QueuePages.Map(pages);
        ItemPages.Map(pages);
        ItemDecisions.Map(pages);
        BankPages.Map(pages);
        RulePages.Map(pages);
        DeliveryPages.Map(pages);
    }

    /// <summary>Pages need a live session (else: to sign-in); state changes also need a valid antiforgery token.</summary>
    private static async ValueTask<object?> RequireReviewerAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (UiSessions.Current(context) is null)
        {
            return Results.Challenge(properties: null, authenticationSchemes: [UiSessions.Scheme]);
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !await UiSessions.AntiforgeryValidAsync(context).ConfigureAwait(false))
        {
            return AntiforgeryRefusal(context);
        }

        return await next(invocation).ConfigureAwait(false);
    }

    private static IResult AntiforgeryRefusal(HttpContext context) => UiLayout.Refusal(
        context,
        StatusCodes.Status400BadRequest,
        "Request refused",
        "This form was not accepted: its security token is missing, expired or not from this site. Nothing was changed. Reload the page and try again.");

    // --- static files --------------------------------------------------------------------------------------------

    private static IResult ServeStatic(string file)
    {
        string? contentType = Path.GetExtension(file) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            _ => null,
        };
        var stream = contentType is null ? null : typeof(UiEndpoints).Assembly.GetManifestResourceStream("Clearinghouse.Server.Ui.Static." + file);
        return stream is null ? Results.NotFound() : Results.Stream(stream, contentType);
    }

    // --- sign-in and sign-out ------------------------------------------------------------------------------------

    private static IResult SignInPage(HttpContext context, string? @return, string? expired) =>
        UiSessions.Current(context) is not null
            ? Results.Redirect(SafeReturn(@return))
            : SignInForm(context, @return, expired == "1" ? "Your session has ended. Sign in again to continue." : null, error: false, memberName: null, username: null);

    private static async Task<IResult> SignInAsync(HttpContext context, ReviewerSignIn signIn)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        string? memberName = form["organisation"];
        string? username = form["username"];
        string? returnTo = form["return"];
        if (!await UiSessions.AntiforgeryValidAsync(context).ConfigureAwait(false))
        {
            return SignInForm(context, returnTo, "The sign-in form had expired. Nothing was sent; please sign in again.", error: true, memberName, username, StatusCodes.Status400BadRequest);
        }

        var outcome = await signIn.SignInAsync(memberName, username, form["password"], context.RequestAborted).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            return SignInForm(context, returnTo, outcome.Refusal, error: true, memberName, username, StatusCodes.Status401Unauthorized);
        }

        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        await context.SignInAsync(UiSessions.Scheme, UiSessions.Principal(outcome.Reviewer!, time.GetUtcNow())).ConfigureAwait(false);
        return Results.Redirect(SafeReturn(returnTo));
    }

    private static IResult SignInForm(HttpContext context, string? returnTo, string? message, bool error, string? memberName, string? username, int status = StatusCodes.Status200OK) =>
        UiLayout.Page(context, "Sign in", Html.Of($"""
            <div class="panel narrow">
              <p>Reviewers sign in with their organisation's name and their own username. Content previews stay blurred until you choose to reveal them.</p>
              {UiLayout.Notice(message, error)}
              <form method="post" action="{SignInPath}" class="stack">
                {UiLayout.AntiforgeryField(context)}
                <input type="hidden" name="return" value="{SafeReturn(returnTo)}">
                <label for="organisation">Organisation</label>
                <input id="organisation" name="organisation" autocomplete="organization" required value="{memberName}">
                <label for="username">Username</label>
                <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="{username}">
                <label for="password">Password</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required>
                <button type="submit" class="primary">Sign in</button>
              </form>
            </div>
            """), status);

    private static async Task<IResult> SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(UiSessions.Scheme).ConfigureAwait(false);
        return Results.Redirect(SignInPath);
    }

    /// <summary>Where to go after sign-in: a UI path only, so the parameter cannot send a reviewer to another site.</summary>
    private static string SafeReturn(string? returnTo) =>
        returnTo is not null && returnTo.StartsWith(Root, StringComparison.Ordinal) && !returnTo.StartsWith(SignInPath, StringComparison.Ordinal)
            && !returnTo.Contains("//", StringComparison.Ordinal) && !returnTo.Contains('\\', StringComparison.Ordinal)
            ? returnTo
            : Root;

    // --- wellness settings ---------------------------------------------------------------------------------------

    private static IResult SettingsPage(HttpContext context, string? saved) =>
        SettingsForm(context, UiSessions.Require(context).Reviewer.Settings, saved == "1" ? "Settings saved." : null, error: false);

    private static async Task<IResult> SaveSettingsAsync(HttpContext context, IReviewerStore reviewers)
    {
        var session = UiSessions.Require(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        bool blur = form["blur"] == "on";
        if (!int.TryParse(form["break_items"], NumberStyles.None, CultureInfo.InvariantCulture, out int items)
            || !int.TryParse(form["break_minutes"], NumberStyles.None, CultureInfo.InvariantCulture, out int minutes))
        {
            return SettingsForm(context, session.Reviewer.Settings, "Break reminders need whole numbers (0 turns a reminder off).", error: true, StatusCodes.Status400BadRequest);
        }

        var settings = new ReviewerSettings(blur, items, minutes);
        try
        {
            await reviewers.UpdateReviewerSettingsAsync(session.Reviewer.Id, settings, context.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreException e) when (e.Error == StoreError.Invalid)
        {
            return SettingsForm(context, settings, "Not saved: " + e.Message + ".", error: true, StatusCodes.Status400BadRequest);
        }

        return Results.Redirect(Root + "/settings?saved=1");
    }

    private static IResult SettingsForm(HttpContext context, ReviewerSettings settings, string? message, bool error, int status = StatusCodes.Status200OK) =>
        UiLayout.Page(context, "Wellness settings", Html.Of($"""
            <div class="panel narrow">
              {UiLayout.Notice(message, error)}
              <form method="post" action="{Root}/settings" class="stack">
                {UiLayout.AntiforgeryField(context)}
                <div class="check">
                  <input type="checkbox" id="blur" name="blur"{Html.If(settings.BlurPreviews, Html.Of($" checked"))}>
                  <label for="blur">Blur and grey out content previews until I reveal each one (recommended)</label>
                </div>
                <label for="break_items">Remind me to take a break after this many decisions (0: never)</label>
                <input id="break_items" name="break_items" type="number" inputmode="numeric" min="0" max="{ReviewerSettings.MaxBreakAfterItems}" required value="{settings.BreakAfterItems}">
                <label for="break_minutes">Remind me to take a break after this many minutes (0: never)</label>
                <input id="break_minutes" name="break_minutes" type="number" inputmode="numeric" min="0" max="{ReviewerSettings.MaxBreakAfterMinutes}" required value="{settings.BreakAfterMinutes}">
                <button type="submit" class="primary">Save settings</button>
              </form>
              <p class="hint">Videos never play on their own and start muted, whatever these settings say.</p>
            </div>
            """), status);
}
