using System.Globalization;
using System.Security.Claims;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.Server.Ui;

/// <summary>The signed-in reviewer of a UI request, read from the store on every request.</summary>
internal sealed record ReviewerSession(Reviewer Reviewer, Member Member, DateTimeOffset SignedInAt);

/// <summary>
/// Reviewers' sessions: ASP.NET Core cookie authentication (an encrypted, signed cookie; HttpOnly, SameSite=Strict,
/// Secure on HTTPS, path /ui) with a sliding idle expiry, plus an absolute lifetime and a check against the store on
/// every request, so disabling a reviewer or changing its password ends its sessions at once.
/// </summary>
internal static class UiSessions
{
    public const string Scheme = "ReviewerCookie";
    public const string CookieName = "ch_session";
    public const string AntiforgeryCookieName = "ch_csrf";
    public const string AntiforgeryField = "__csrf";
    public const string AntiforgeryHeader = "X-CSRF-Token";

    private const string ReviewerIdClaim = "ch:reviewer";
    private const string EpochClaim = "ch:epoch";
    private const string SignedInClaim = "ch:signed_in";

    public static void AddServices(IServiceCollection services, ReviewUiOptions options)
    {
        var protection = services.AddDataProtection().SetApplicationName("clearinghouse-review-ui");
        if (options.KeysDirectory is { } directory)
        {
            // The cookie keys sit beside the store's other secrets (cursor.key, log-signing.key): a directory only
            // the node's user can read, key files 0600 (as ASP.NET writes them). That, not an XML encryptor, is
            // their protection, so the data-protection "unencrypted" warning is filtered in NodeApplication.
            Directory.CreateDirectory(directory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            protection.PersistKeysToFileSystem(new DirectoryInfo(directory));
        }
        else
        {
            services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        }

        services.AddAuthentication(Scheme).AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = CookieName;
            cookie.Cookie.Path = UiEndpoints.Root;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = options.SessionIdleTimeout;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = UiEndpoints.SignInPath;
            cookie.LogoutPath = UiEndpoints.SignOutPath;
            cookie.ReturnUrlParameter = "return";
            cookie.Events.OnValidatePrincipal = ValidateAsync;
            cookie.Events.OnRedirectToLogin = RedirectToSignIn;
        });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = AntiforgeryCookieName;
            antiforgery.Cookie.Path = UiEndpoints.Root;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.FormFieldName = AntiforgeryField;
            antiforgery.HeaderName = AntiforgeryHeader;

            // The UI sets its own, stricter framing rules (CSP frame-ancestors 'none', X-Frame-Options DENY).
            antiforgery.SuppressXFrameOptionsHeader = true;
        });
        services.AddSingleton<ReviewerSignIn>();
    }

    /// <summary>The principal a session cookie carries: ids and the epoch, no personal data beyond the username.</summary>
    public static ClaimsPrincipal Principal(Reviewer reviewer, DateTimeOffset signedInAt) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, reviewer.Username),
                new Claim(ReviewerIdClaim, reviewer.Id.ToString(CultureInfo.InvariantCulture)),
                new Claim(EpochClaim, reviewer.SessionEpoch.ToString(CultureInfo.InvariantCulture)),
                new Claim(SignedInClaim, signedInAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            ],
            Scheme));

    /// <summary>The request's signed-in reviewer; null when there is none.</summary>
    public static ReviewerSession? Current(HttpContext context) => context.Features.Get<ReviewerSession>();

    public static ReviewerSession Require(HttpContext context) =>
        Current(context) ?? throw new InvalidOperationException("This UI route runs only for a signed-in reviewer.");

    /// <summary>Whether the request came with a session cookie (so an unauthenticated request means an ended session).</summary>
    public static bool HadSessionCookie(HttpRequest request) => request.Cookies.ContainsKey(CookieName);

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<NodeOptions>().ReviewUi;
        var time = http.RequestServices.GetRequiredService<TimeProvider>();
        var principal = context.Principal;
        if (principal is null
            || !long.TryParse(principal.FindFirstValue(ReviewerIdClaim), NumberStyles.None, CultureInfo.InvariantCulture, out long reviewerId)
            || !long.TryParse(principal.FindFirstValue(EpochClaim), NumberStyles.None, CultureInfo.InvariantCulture, out long epoch)
            || !long.TryParse(principal.FindFirstValue(SignedInClaim), NumberStyles.None, CultureInfo.InvariantCulture, out long signedInSeconds))
        {
            await EndAsync(context).ConfigureAwait(false);
            return;
        }

        var signedInAt = DateTimeOffset.FromUnixTimeSeconds(signedInSeconds);
        if (time.GetUtcNow() - signedInAt > options.SessionLifetime)
        {
            await EndAsync(context).ConfigureAwait(false);
            return;
        }

        var reviewers = http.RequestServices.GetRequiredService<IReviewerStore>();
        var reviewer = await reviewers.GetReviewerAsync(reviewerId, http.RequestAborted).ConfigureAwait(false);
        var member = reviewer is null ? null : await http.RequestServices.GetRequiredService<IClearinghouseStore>().GetMemberAsync(reviewer.MemberId, http.RequestAborted).ConfigureAwait(false);
        if (reviewer is null || member is null || reviewer.IsDisabled || reviewer.SessionEpoch != epoch || !member.Active)
        {
            await EndAsync(context).ConfigureAwait(false);
            return;
        }

        http.Features.Set(new ReviewerSession(reviewer, member, signedInAt));
    }

    private static async Task EndAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme).ConfigureAwait(false);
    }

    /// <summary>Browsers go to the sign-in page (told why when their session ended); script requests get a bare 401.</summary>
    private static Task RedirectToSignIn(RedirectContext<CookieAuthenticationOptions> context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        string target = UiEndpoints.SignInPath + "?return=" + Uri.EscapeDataString(request.PathBase + request.Path + request.QueryString);
        if (HadSessionCookie(request))
        {
            target += "&expired=1";
            context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = UiEndpoints.Root });
        }

        context.Response.Redirect(target);
        return Task.CompletedTask;
    }

    /// <summary>Checks the antiforgery token of a state-changing request; false (and nothing done) when it is missing or wrong.</summary>
    public static async Task<bool> AntiforgeryValidAsync(HttpContext context)
    {
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        try
        {
            await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    /// <summary>A token for this request's forms (and sets the paired cookie).</summary>
    public static string AntiforgeryToken(HttpContext context) =>
        context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context).RequestToken!;
}
