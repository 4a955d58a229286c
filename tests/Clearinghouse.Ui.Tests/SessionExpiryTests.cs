using Clearinghouse.Server;
using Microsoft.Playwright;

namespace Clearinghouse.Ui.Tests;

/// <summary>A node whose sessions end after 3 s idle or 8 s in all, so expiry can be watched in a test.</summary>
public sealed class ShortSessionNode : UiNode
{
    public static readonly TimeSpan Idle = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(8);

    protected override NodeOptions Configure(NodeOptions options) =>
        options with { ReviewUi = options.ReviewUi with { SessionIdleTimeout = Idle, SessionLifetime = Lifetime } };
}

/// <summary>Expired sessions send the reviewer back to sign-in, and from there back to the page they were on.</summary>
public sealed class SessionExpiryTests(ShortSessionNode node, Browser browser) : IClassFixture<ShortSessionNode>, IClassFixture<Browser>
{
    [Fact]
    public async Task An_idle_session_ends_and_sign_in_returns_to_the_page()
    {
        await node.ReviewerAsync("idle");
        var page = await browser.NewPageAsync(node.BaseAddress);
        await node.SignInAsync(page, "idle");
        await page.GotoAsync("/ui/settings");
        Assert.Equal("Wellness settings", await page.Locator("h1").TextContentAsync());

        await Task.Delay(ShortSessionNode.Idle + TimeSpan.FromSeconds(1.5));
        await page.ReloadAsync();
        Assert.Contains("/ui/signin?return=%2Fui%2Fsettings&expired=1", page.Url, StringComparison.Ordinal);
        Assert.Equal("Your session has ended. Sign in again to continue.", await page.GetByRole(AriaRole.Status).TextContentAsync());
        await Screenshots.SaveAsync(page, "03-sign-in-session-ended");

        await UiNode.SubmitSignInAsync(page, node.Node.A.Name, "idle", UiNode.Password);
        Assert.EndsWith("/ui/settings", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_busy_session_still_ends_at_its_absolute_lifetime()
    {
        await node.ReviewerAsync("busy");
        var page = await browser.NewPageAsync(node.BaseAddress);
        await node.SignInAsync(page, "busy");
        var signedIn = DateTime.UtcNow;
        await page.GotoAsync("/ui/banks");
        Assert.EndsWith("/ui/banks", page.Url, StringComparison.Ordinal);

        // Keep working (a request every second, well within the idle limit) until the session is refused.
        while (page.Url.EndsWith("/ui/banks", StringComparison.Ordinal) && DateTime.UtcNow - signedIn < ShortSessionNode.Lifetime * 2)
        {
            await Task.Delay(1000);
            await page.GotoAsync("/ui/banks");
        }

        var ended = DateTime.UtcNow - signedIn;
        Assert.Contains("/ui/signin", page.Url, StringComparison.Ordinal);
        Assert.InRange(ended, ShortSessionNode.Lifetime - TimeSpan.FromSeconds(1), ShortSessionNode.Lifetime + TimeSpan.FromSeconds(4));
    }
}
