using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Clearinghouse.Server.Tests;

/// <summary>Readiness, rate limits, metrics, the OpenAPI document and docs, URL fetching rules.</summary>
public sealed class PlatformTests
{
    [Fact]
    public async Task Status_is_503_until_the_indexes_are_loaded_then_200()
    {
        // A node started before its database is ready: the follower cannot read the feed yet.
        await using var node = await NodeHarness.StartAsync(migrate: false, waitReady: false);
        using (var status = await node.Anonymous.GetAsync("/status"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status.StatusCode);
            Assert.Equal("INDEX-NOT-LOADED", await status.Content.ReadAsStringAsync());
        }

        using (var live = await node.Anonymous.GetAsync("/status/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await using (var other = node.OpenReplicaStore())
        {
            await NodeHarness.SeedAsync(other);
        }

        await node.WaitReadyAsync();
        await node.SeedMembersAsync();
        using var ready = await node.Anonymous.GetAsync("/status");
        Assert.Equal("I-AM-ALIVE", await ready.Content.ReadAsStringAsync());
        await node.ClientA.Match(Http.PdqA);
    }

    [Fact]
    public async Task Each_key_is_rate_limited_with_429_and_retry_after()
    {
        await using var node = await NodeHarness.StartAsync(o => o with { RateLimitPerSecond = 2, RateLimitBurst = 5 });
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 12; i++)
        {
            var response = await node.ClientA.GetAsync($"/api/v1/match?signal_type=pdq&value={Http.PdqA}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited ??= response;
            }
        }

        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) is >= 5 and <= 7, string.Join(",", statuses));
        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Contains("rate limit", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another key has its own bucket; public routes are not limited.
        await node.ClientB.GetAsync($"/api/v1/match?signal_type=pdq&value={Http.PdqA}").Expect(HttpStatusCode.OK);
        using var status = await node.Anonymous.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);

        // The bucket refills.
        await Task.Delay(1100);
        await node.ClientA.GetAsync($"/api/v1/match?signal_type=pdq&value={Http.PdqA}").Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_openapi_document_lists_every_route_and_the_docs_work_offline()
    {
        await using var node = await NodeHarness.StartAsync();
        var document = await node.Anonymous.GetAsync("/openapi/v1.json").Expect(HttpStatusCode.OK);
        Assert.StartsWith("3.", (string?)document["openapi"], StringComparison.Ordinal);
        var paths = document["paths"]!.AsObject();

        // Every mapped route (but the document and docs themselves) is in the document, with every method.
        var endpoints = node.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        int checkedRoutes = 0;
        foreach (var endpoint in endpoints)
        {
            string route = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            // The review UI's pages and static files are for browsers, not API clients (like the docs themselves).
            if (route.StartsWith("/openapi", StringComparison.Ordinal) || route.StartsWith("/docs", StringComparison.Ordinal) || route == "/metrics"
                || route == "/ui" || route.StartsWith("/ui/", StringComparison.Ordinal))
            {
                continue;
            }

            // A group's root route ("/rules" + "") has the pattern "/api/v1/rules/"; routing ignores the trailing
            // slash, and the document names the path without it.
            string documented = System.Text.RegularExpressions.Regex.Replace(route.Length > 1 ? route.TrimEnd('/') : route, @"\{(\w+)(:\w+)?\}", "{$1}");
            Assert.True(paths.ContainsKey(documented), $"{documented} is not in the OpenAPI document");
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                var operation = paths[documented]![method.ToLowerInvariant()];
                Assert.True(operation is not null, $"{method} {documented} is not in the OpenAPI document");
                Assert.False(string.IsNullOrEmpty((string?)operation["summary"]), $"{method} {documented} has no summary");
                checkedRoutes++;
            }
        }

        Assert.True(checkedRoutes >= 40, $"only {checkedRoutes} operations checked");
        foreach (var route in new[] { "/h/hash", "/m/raw_lookup", "/m/lookup", "/m/compare", "/m/index/status", "/c/banks", "/c/bank/{bank_name}", "/c/bank/{bank_name}/content",
            "/c/bank/{bank_name}/signal", "/c/bank/{bank_name}/content/{content_id}", "/status", "/status/live", "/api/v1/match", "/api/v1/banks/{name}/signals/import" })
        {
            Assert.True(paths.ContainsKey(route), route);
        }

        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["ApiKey"]!["scheme"]);
        Assert.NotNull(paths["/api/v1/banks/{name}/signals/import"]!["post"]!["requestBody"]!["content"]!["text/csv"]);
        Assert.NotNull(document["components"]!["schemas"]!["MatchResult"]!["properties"]!["negative_matches"]);

        // Interactive docs, served by the node itself: no script, style or font from elsewhere.
        using var docs = await node.Anonymous.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        string html = await docs.Content.ReadAsStringAsync();
        Assert.DoesNotMatch("""(src|href)\s*=\s*["']https?://""", html);
        var script = System.Text.RegularExpressions.Regex.Match(html, """src\s*=\s*["']([^"']+\.js)["']""").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(script), html);
        using var js = await node.Anonymous.GetAsync(new Uri(new Uri(node.BaseAddress, "/docs/"), script));
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.True((await js.Content.ReadAsByteArrayAsync()).Length > 100_000);
    }

    [Fact]
    public async Task Url_hashing_fetches_only_allow_listed_hosts_within_limits()
    {
        byte[] image = TestImages.Bytes("misc-images/c.png");
        await using var origin = await StartOriginAsync(image);
        int port = origin.Urls.Select(u => new Uri(u).Port).First();
        string baseUrl = $"http://127.0.0.1:{port}";
        await using var node = await NodeHarness.StartAsync(o => o with { UrlFetchAllowedHosts = ["127.0.0.1"], UrlFetchMaxBytes = 2 << 20, HmaDefaultCategory = "attack-footage" });

        var hashes = await node.ClientA.GetAsync($"/h/hash?url={baseUrl}/image.png").Expect(HttpStatusCode.OK);
        Assert.Equal($$"""{"pdq":"{{TestImages.Pdq("misc-images/c.png")}}"}""", hashes.ToJsonString());
        Assert.Equal(hashes.ToJsonString(), (await node.ClientA.GetAsync($"/h/hash?url={baseUrl}/same-host-redirect").Expect(HttpStatusCode.OK)).ToJsonString());
        await node.ClientA.GetAsync($"/h/hash?url=http://localhost:{port}/image.png").ExpectProblem(HttpStatusCode.Forbidden, "'localhost' is not on this node's allow-list");
        await node.ClientA.GetAsync($"/h/hash?url={baseUrl}/other-host-redirect").ExpectProblem(HttpStatusCode.Forbidden, "redirects to another host");
        await node.ClientA.GetAsync($"/h/hash?url={baseUrl}/huge").ExpectProblem(HttpStatusCode.RequestEntityTooLarge, "Content too large");
        await node.ClientA.GetAsync($"/h/hash?url={baseUrl}/huge-chunked").ExpectProblem(HttpStatusCode.RequestEntityTooLarge, "Content too large");
        await node.ClientA.GetAsync($"/h/hash?url={baseUrl}/missing").ExpectProblem(HttpStatusCode.BadRequest, "answered 404");
        await node.ClientA.GetAsync($"/h/hash?url={baseUrl}/text").ExpectProblem(HttpStatusCode.BadRequest, "unsupported url ContentType");
        await node.ClientA.GetAsync($"/h/hash?url=ftp://127.0.0.1/x").ExpectProblem(HttpStatusCode.BadRequest, "Invalid or unsafe URL");
        await node.ClientA.GetAsync($"/h/hash?url=http://user:pw@127.0.0.1:{port}/image.png").ExpectProblem(HttpStatusCode.BadRequest, "without credentials");

        // The same rules for lookup and for banking content by URL.
        var lookup = await node.ClientA.GetAsync($"/m/lookup?url={baseUrl}/image.png").Expect(HttpStatusCode.OK);
        Assert.Equal("""{"pdq":{}}""", lookup.ToJsonString());
        await node.ClientA.PostJson("/c/banks", new { name = "BY_URL" }).Expect(HttpStatusCode.Created);
        var added = await node.ClientA.PostAsync($"/c/bank/BY_URL/content?url={baseUrl}/image.png", Http.Json(new { note = "fetched" })).Expect(HttpStatusCode.OK);
        long id = (long)added["id"]!;
        var matched = await node.ClientA.GetAsync($"/m/lookup?url={baseUrl}/image.png").Expect(HttpStatusCode.OK);
        Assert.Equal($$$"""{"pdq":{"BY_URL":[{"bank_content_id":{{{id}}},"distance":"0"}]}}""", matched.ToJsonString());
        Assert.Equal("fetched", (string?)(await node.ClientA.GetAsync($"/c/bank/BY_URL/content/{id}").Expect(HttpStatusCode.OK))["note"]);
    }

    /// <summary>A small web server standing for a remote host.</summary>
    private static async Task<WebApplication> StartOriginAsync(byte[] image)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/image.png", () => Results.Bytes(image, "image/png"));
        app.MapGet("/text", () => Results.Text("hello"));
        app.MapGet("/same-host-redirect", () => Results.Redirect("/image.png"));
        app.MapGet("/other-host-redirect", (HttpContext c) => Results.Redirect($"http://localhost:{c.Connection.LocalPort}/image.png"));
        app.MapGet("/huge", () => Results.Bytes(new byte[4 << 20], "image/png"));
        app.MapGet("/huge-chunked", async (HttpContext c) =>
        {
            c.Response.ContentType = "image/png";
            var chunk = new byte[64 * 1024];
            for (int i = 0; i < 64; i++)
            {
                await c.Response.Body.WriteAsync(chunk);
                await c.Response.Body.FlushAsync();
            }
        });
        await app.StartAsync();
        return app;
    }
}
