using System.Net;
using Clearinghouse.Exchanges.Http;
using Clearinghouse.Storage;
using static Clearinghouse.Exchanges.Tests.Hashes;

namespace Clearinghouse.Exchanges.Tests;

/// <summary>
/// The live clients against a real HTTP server on loopback serving the recorded pages: paging, the checkpoint
/// stored, a 5xx retried, a 401 refused clearly, a stale checkpoint answered with a full refetch.
/// </summary>
public sealed class LiveClientTests
{
    public static TheoryData<string> Programs => ["tcap", "threatexchange", "ncmec", "stopncii"];

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static readonly Dictionary<string, (string Credentials, string FinalCheckpoint, string[] Live, string StaleCheckpoint)> Expected = new()
    {
        ["tcap"] = ("user:pass", "1700000004.0,1", Sorted(P1, M2), "1600000000.0,5"),
        ["threatexchange"] = ("app|secret", "1700000300", Sorted(P1), "1000"),
        ["ncmec"] = ("user:pass", "2023-10-25T09:00:00Z", Sorted(M2, M3), "2001-01-01T00:00:00Z"),
        ["stopncii"] = ("sub-key:fn-key", "1700000700", Sorted(P1, P3), "1600000000"),
    };

    /// <summary>Routes like each program's API, checking its credentials as the program would.</summary>
    private static LoopbackServer.Reply Route(string program, HttpListenerRequest request)
    {
        string path = request.Url!.AbsolutePath;
        string query = request.Url.Query;
        return program switch
        {
            "tcap" when path == "/token-auth/tcap/" && request.HttpMethod == "POST" =>
                new StreamReader(request.InputStream).ReadToEnd().Contains("username=user&password=pass", StringComparison.Ordinal)
                    ? new(200, """{"token": "jwt-123", "user": {"username": "user"}}""")
                    : new(401, """{"detail": "bad credentials"}"""),
            "tcap" when path == "/api/hash-list/v2/all" =>
                request.Headers["Authorization"] != "Bearer jwt-123" ? new(401, """{"detail": "no token"}""")
                : query.Contains("after=&", StringComparison.Ordinal) || query.EndsWith("after=", StringComparison.Ordinal) ? LoopbackServer.File(program, "page1.json")
                : query.Contains("after=1700000002.5%2C2", StringComparison.Ordinal) ? LoopbackServer.File(program, "page2.json")
                : new(410, """{"detail": "checkpoint expired"}"""),
            "threatexchange" when path == "/v18.0/1234567890/threat_updates" =>
                query.Contains("access_token=wrong", StringComparison.Ordinal) ? new(401, """{"error": {"message": "Invalid OAuth access token.", "code": 190}}""")
                : query.Contains("after=QVFIUl", StringComparison.Ordinal) ? LoopbackServer.File(program, "page2.json")
                : LoopbackServer.File(program, "page1.json"),
            "ncmec" when path == "/v2/entries" =>
                request.Headers["Authorization"] != "Basic " + Convert.ToBase64String("user:pass"u8.ToArray()) ? new(401, "<error>unauthorized</error>", "application/xml")
                : query.Contains("start=2", StringComparison.Ordinal) ? LoopbackServer.File(program, "page2.xml")
                : LoopbackServer.File(program, "page1.xml"),
            "stopncii" when path == "/v1/FetchHashes" =>
                request.Headers["Ocp-Apim-Subscription-Key"] != "sub-key" || request.Headers["x-functions-key"] != "fn-key" ? new(401, """{"message": "Access denied"}""")
                : query.Contains("nextPageToken=page-2-token", StringComparison.Ordinal) ? LoopbackServer.File(program, "page2.json")
                : LoopbackServer.File(program, "page1.json"),
            _ => new(404, """{"error": "no such route"}"""),
        };
    }

    private static async Task<(ExchangeHarness Harness, LoopbackServer Server, IExchangeSource Source)> StartAsync(string program, string? credentials = null)
    {
        var server = new LoopbackServer(request => Route(program, request));
        string variable = "CH_TEST_CREDENTIALS_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, credentials ?? Expected[program].Credentials);
        string settings = $$"""{"base_url": "{{server.Url}}", "credentials_env": "{{variable}}", "retry_base_ms": 5, "max_attempts": 3, "privacy_group": "1234567890", "page_size": 2}""";
        ExchangeProgram parsed = ExchangePrograms.Parse(program)!.Value;
        ExchangeHarness harness = await ExchangeHarness.CreateAsync(parsed, settings);
        return (harness, server, ExchangeSources.For(parsed, harness.Settings, Http));
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task A_sync_pages_through_the_api_and_stores_the_checkpoint(string program)
    {
        (ExchangeHarness harness, LoopbackServer server, IExchangeSource source) = await StartAsync(program);
        await using (harness)
        await using (server)
        {
            SyncReport report = await harness.Sync.RunAsync(harness.Exchange, source);

            Assert.Equal(2, report.Pages);
            Assert.True(report.FullFetch);
            Assert.Equal(Expected[program].Live, await harness.LiveValuesAsync());
            Exchange exchange = await harness.ReloadAsync();
            Assert.Equal(Expected[program].FinalCheckpoint, exchange.Checkpoint);
            Assert.Null(exchange.LastError);
        }
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task A_5xx_is_retried_with_backoff_and_the_sync_succeeds(string program)
    {
        (ExchangeHarness harness, LoopbackServer server, IExchangeSource source) = await StartAsync(program);
        await using (harness)
        await using (server)
        {
            server.FailNext = 2;
            SyncReport report = await harness.Sync.RunAsync(harness.Exchange, source);

            Assert.Equal(Expected[program].Live, await harness.LiveValuesAsync());
            string[] requests = [.. server.Requests];
            Assert.Equal(requests[2], requests[0]); // the failed request was sent again, as it was
            Assert.Equal(2 + (program == "tcap" ? 3 : 2), requests.Length);
            Assert.Equal(2, report.Pages);
        }
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task Retries_are_bounded_and_the_error_is_kept(string program)
    {
        (ExchangeHarness harness, LoopbackServer server, IExchangeSource source) = await StartAsync(program);
        await using (harness)
        await using (server)
        {
            server.FailNext = 100;
            var error = await Assert.ThrowsAsync<ExchangeUnavailableException>(() => harness.Sync.RunAsync(harness.Exchange, source));
            Assert.Contains("HTTP 503", error.Message, StringComparison.Ordinal);
            Assert.Contains("gave up after 3 attempts", error.Message, StringComparison.Ordinal);
            Assert.Equal(3, server.Requests.Count);
            Assert.Equal(error.Message, (await harness.ReloadAsync()).LastError);
            Assert.Equal(0, await harness.SignalCountAsync());
        }
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task A_401_fails_at_once_with_a_clear_error_and_applies_nothing(string program)
    {
        (ExchangeHarness harness, LoopbackServer server, IExchangeSource source) = await StartAsync(program, program == "threatexchange" ? "wrong" : "user:wrong");
        await using (harness)
        await using (server)
        {
            var error = await Assert.ThrowsAsync<ExchangeAuthException>(() => harness.Sync.RunAsync(harness.Exchange, source));
            Assert.Contains("HTTP 401", error.Message, StringComparison.Ordinal);
            Assert.Contains("refused the credentials", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal); // no secret in the message
            Assert.Single(server.Requests); // not retried
            Assert.Equal(0, await harness.SignalCountAsync());
            Assert.Equal(error.Message, (await harness.ReloadAsync()).LastError);
        }
    }

    [Theory]
    [MemberData(nameof(Programs))]
    public async Task A_stale_checkpoint_means_a_full_refetch_that_withdraws_what_is_gone(string program)
    {
        (ExchangeHarness harness, LoopbackServer server, IExchangeSource source) = await StartAsync(program);
        await using (harness)
        await using (server)
        {
            // Earlier syncs imported a record the program no longer lists, and left a checkpoint it no longer honours.
            await harness.Exchanges.ApplyExchangeBatchAsync(harness.Exchange.Id, new ExchangeBatch(
                [new ExchangeRecord("gone", [new ExchangeValue("pdq", new string('9', 64))], "{}")], Expected[program].StaleCheckpoint));
            Exchange stale = await harness.ReloadAsync();
            if (program is "ncmec" or "stopncii")
            {
                // These programs keep years of updates: ask for a short limit to make this checkpoint stale.
                ExchangeSettings shorter = harness.Settings with { StaleAfterDays = 30 };
                source = ExchangeSources.For(harness.Program, shorter, Http);
            }

            SyncReport report = await harness.Sync.RunAsync(stale, source);

            Assert.NotNull(report.StaleCheckpoint);
            Assert.True(report.FullFetch);
            Signal gone = (await harness.Store.ListSignalsAsync(new SignalQuery(BankId: harness.Bank.Id, SignalType: "pdq"))).Items.Single(s => s.Value == new string('9', 64));
            Assert.Equal(SignalStatus.Withdrawn, gone.Status);
            Assert.Equal(Expected[program].Live, await harness.LiveValuesAsync());
            Assert.Equal(Expected[program].FinalCheckpoint, (await harness.ReloadAsync()).Checkpoint);
        }
    }
}
