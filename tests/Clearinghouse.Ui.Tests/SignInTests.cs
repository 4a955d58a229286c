using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Clearinghouse.Ui.Tests;

/// <summary>Signing in and out in a real browser: the happy path, wrong passwords, lockout, disabled reviewers.</summary>
public sealed partial class SignInTests(UiNode node, Browser browser) : IClassFixture<UiNode>, IClassFixture<Browser>
{
    [Fact]
    public async Task A_reviewer_signs_in_lands_on_the_page_asked_for_and_signs_out()
    {
        await node.ReviewerAsync("alice");
        var page = await browser.NewPageAsync(node.BaseAddress);

        var response = await page.GotoAsync("/ui/banks");
        Assert.Matches(SignInUrl(), page.Url);
        Assert.Equal("Sign in", await page.Locator("h1").TextContentAsync());
        await Screenshots.SaveAsync(page, "01-sign-in");

        await UiNode.SubmitSignInAsync(page, node.Node.A.Name, "alice", UiNode.Password);
        Assert.EndsWith("/ui/banks", page.Url, StringComparison.Ordinal);
        Assert.Equal("Banks", await page.Locator("h1").TextContentAsync());
        Assert.Contains("Signed in as alice", await page.Locator(".who").InnerTextAsync(), StringComparison.Ordinal);

        var cookies = await page.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "ch_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal("/ui", session.Path);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        Assert.Matches(SignInUrl(), page.Url);
        await page.GotoAsync("/ui/banks");
        Assert.Matches(SignInUrl(), page.Url);
        Assert.DoesNotContain("expired", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_clear_message_and_no_session()
    {
        await node.ReviewerAsync("bob");
        var page = await browser.NewPageAsync(node.BaseAddress);
        await page.GotoAsync("/ui/signin");
        var waitForResponse = page.WaitForResponseAsync(r => r.Url.EndsWith("/ui/signin", StringComparison.Ordinal) && r.Request.Method == "POST");
        await UiNode.SubmitSignInAsync(page, node.Node.A.Name, "bob", "not the password at all");
        var response = await waitForResponse;

        Assert.Equal((int)HttpStatusCode.Unauthorized, response.Status);
        var alert = page.GetByRole(AriaRole.Alert);
        Assert.Equal("Sign-in failed: the organisation, username or password is wrong.", await alert.TextContentAsync());
        Assert.Equal("bob", await page.GetByLabel("Username").InputValueAsync());
        Assert.Equal(string.Empty, await page.GetByLabel("Password").InputValueAsync());
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ch_session");
        await Screenshots.SaveAsync(page, "02-sign-in-wrong-password");

        // An unknown user and an unknown organisation get exactly the same answer.
        await UiNode.SubmitSignInAsync(page, node.Node.A.Name, "nobody", UiNode.Password);
        Assert.Equal("Sign-in failed: the organisation, username or password is wrong.", await page.GetByRole(AriaRole.Alert).TextContentAsync());
        await UiNode.SubmitSignInAsync(page, "No Such Organisation", "bob", UiNode.Password);
        Assert.Equal("Sign-in failed: the organisation, username or password is wrong.", await page.GetByRole(AriaRole.Alert).TextContentAsync());
    }

    [Fact]
    public async Task Repeated_wrong_passwords_pause_sign_in_even_with_the_right_password()
    {
        var reviewer = await node.ReviewerAsync("carol");
        var page = await browser.NewPageAsync(node.BaseAddress);
        await page.GotoAsync("/ui/signin");
        for (int i = 0; i < 5; i++)
        {
            await UiNode.SubmitSignInAsync(page, node.Node.A.Name, "carol", "wrong password " + i);
        }

        Assert.Contains("paused until", await page.GetByRole(AriaRole.Alert).TextContentAsync(), StringComparison.Ordinal);
        await UiNode.SubmitSignInAsync(page, node.Node.A.Name, "carol", UiNode.Password);
        Assert.Contains("Too many wrong passwords", await page.GetByRole(AriaRole.Alert).TextContentAsync(), StringComparison.Ordinal);
        Assert.Matches(SignInUrl(), page.Url);
        Assert.Equal(5, (await node.Reviewers.GetReviewerAsync(reviewer.Id))!.FailedSignIns);
        Assert.NotNull((await node.Reviewers.GetReviewerAsync(reviewer.Id))!.LockedUntil);
    }

    [Fact]
    public async Task Disabling_a_reviewer_ends_its_session_at_once()
    {
        var reviewer = await node.ReviewerAsync("dave");
        var page = await browser.NewPageAsync(node.BaseAddress);
        await node.SignInAsync(page, "dave");
        Assert.Equal("Review queue", await page.Locator("h1").TextContentAsync()); // a sign-in without a return page lands on the queue

        await node.Reviewers.SetReviewerDisabledAsync(reviewer.Id, true);
        await page.ReloadAsync();
        Assert.Matches(SignInUrl(), page.Url);
        Assert.Equal("Your session has ended. Sign in again to continue.", await page.GetByRole(AriaRole.Status).TextContentAsync());

        await UiNode.SubmitSignInAsync(page, node.Node.A.Name, "dave", UiNode.Password);
        Assert.Equal("Sign-in failed: the organisation, username or password is wrong.", await page.GetByRole(AriaRole.Alert).TextContentAsync());
    }

    [GeneratedRegex(@"/ui/signin(\?|$)")]
    private static partial Regex SignInUrl();
}
