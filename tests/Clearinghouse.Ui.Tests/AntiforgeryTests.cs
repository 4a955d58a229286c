using System.Net;
using System.Text.RegularExpressions;
using Clearinghouse.Storage;

namespace Clearinghouse.Ui.Tests;

/// <summary>State-changing UI requests need the antiforgery token of the reviewer's own session (CSRF protection).</summary>
public sealed partial class AntiforgeryTests(UiNode node, Browser browser) : IClassFixture<UiNode>, IClassFixture<Browser>
{
    private static readonly ReviewerSettings Changed = new(BlurPreviews: false, BreakAfterItems: 7, BreakAfterMinutes: 9);

    [Fact]
    public async Task A_post_from_the_page_without_or_with_a_wrong_token_is_refused_and_changes_nothing()
    {
        var reviewer = await node.ReviewerAsync("forge-page");
        var page = await browser.NewPageAsync(node.BaseAddress);
        await node.SignInAsync(page, "forge-page");
        await page.GotoAsync("/ui/settings");

        const string post = """
            async ([token, header]) => {
              const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
              if (header) headers['X-CSRF-Token'] = token;
              const body = 'break_items=7&break_minutes=9' + (token && !header ? '&__csrf=' + encodeURIComponent(token) : '');
              const response = await fetch('/ui/settings', { method: 'POST', headers, body, credentials: 'same-origin' });
              return [response.status, await response.text()];
            }
            """;
        var missing = await page.EvaluateAsync<string[]>(post, new object?[] { null, false });
        Assert.Equal("400", missing[0]);
        Assert.Contains("security token is missing, expired or not from this site", missing[1], StringComparison.Ordinal);
        Assert.Equal("400", (await page.EvaluateAsync<string[]>(post, new object?[] { "CfDJ8forged-token", false }))[0]);
        Assert.Equal("400", (await page.EvaluateAsync<string[]>(post, new object?[] { "CfDJ8forged-token", true }))[0]);
        Assert.Equal(ReviewerSettings.Default, (await node.Reviewers.GetReviewerAsync(reviewer.Id))!.Settings);

        // The page's own token, sent the same way, is accepted: the refusals above were for the token alone.
        string token = await page.Locator("form[action='/ui/settings'] input[name='__csrf']").InputValueAsync();
        Assert.Equal("200", (await page.EvaluateAsync<string[]>(post, new object?[] { token, true }))[0]);
        Assert.Equal(Changed, (await node.Reviewers.GetReviewerAsync(reviewer.Id))!.Settings);
    }

    [Fact]
    public async Task A_raw_http_post_without_a_wrong_or_another_sessions_token_is_refused()
    {
        var reviewer = await node.ReviewerAsync("forge-http");
        await node.ReviewerAsync("forge-other");
        using var client = await SignedInClientAsync("forge-http");
        using var other = await SignedInClientAsync("forge-other");
        string otherToken = await TokenAsync(other, "/ui/settings");

        Assert.Equal(HttpStatusCode.BadRequest, await PostSettingsAsync(client, token: null));
        Assert.Equal(HttpStatusCode.BadRequest, await PostSettingsAsync(client, token: "CfDJ8forged-token"));
        Assert.Equal(HttpStatusCode.BadRequest, await PostSettingsAsync(client, token: otherToken));
        Assert.Equal(ReviewerSettings.Default, (await node.Reviewers.GetReviewerAsync(reviewer.Id))!.Settings);

        string token = await TokenAsync(client, "/ui/settings");
        Assert.Equal(HttpStatusCode.Redirect, await PostSettingsAsync(client, token));
        Assert.Equal(Changed, (await node.Reviewers.GetReviewerAsync(reviewer.Id))!.Settings);
    }

    [Fact]
    public async Task Sign_in_itself_needs_the_token()
    {
        await node.ReviewerAsync("forge-signin");
        using var client = NewClient(out _);
        using var response = await client.PostAsync("/ui/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["organisation"] = node.Node.A.Name,
            ["username"] = "forge-signin",
            ["password"] = UiNode.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("ch_session=", StringComparison.Ordinal)));
    }

    private HttpClient NewClient(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = node.BaseAddress };
    }

    private async Task<HttpClient> SignedInClientAsync(string username)
    {
        var client = NewClient(out _);
        string token = await TokenAsync(client, "/ui/signin");
        using var response = await client.PostAsync("/ui/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["organisation"] = node.Node.A.Name,
            ["username"] = username,
            ["password"] = UiNode.Password,
            ["__csrf"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static async Task<string> TokenAsync(HttpClient client, string path)
    {
        string html = await client.GetStringAsync(path);
        return TokenField().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"no antiforgery field on {path}");
    }

    private static async Task<HttpStatusCode> PostSettingsAsync(HttpClient client, string? token)
    {
        var fields = new Dictionary<string, string> { ["break_items"] = "7", ["break_minutes"] = "9" };
        if (token is not null)
        {
            fields["__csrf"] = token;
        }

        using var response = await client.PostAsync("/ui/settings", new FormUrlEncodedContent(fields));
        return response.StatusCode;
    }

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
