using System.Net;
using System.Text.Json.Nodes;
using Clearinghouse.Exchanges;
using Clearinghouse.Server.Exchanges;
using Clearinghouse.Signals;
using Clearinghouse.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clearinghouse.Server.Tests;

/// <summary>/api/v1/exchanges (admin) and the background poller, on a running node.</summary>
public sealed class ExchangeApiTests : IAsyncLifetime
{
    private const string P1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
    private const string M1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

    private NodeHarness _node = null!;
    private string _list = null!;

    public async Task InitializeAsync()
    {
        _node = await NodeHarness.StartAsync();
        await _node.Store.CreateBankAsync(new NewBank("IMPORTS", "attack-footage", _node.Operator.Id));
        _list = Path.Combine(_node.Directory, "list.txt");
        await File.WriteAllLinesAsync(_list, [$"pdq {P1}", $"video_md5 {M1}"]);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task The_operator_adds_syncs_lists_disables_and_removes_an_exchange()
    {
        await _node.ClientA.PostJson("/api/v1/exchanges", new { name = "feed", program = "local_file", bank = "IMPORTS", settings = new { path = _list } }).ExpectProblem(HttpStatusCode.Forbidden);
        await _node.OperatorClient.PostJson("/api/v1/exchanges", new { name = "feed", program = "nope", bank = "IMPORTS" }).ExpectProblem(HttpStatusCode.BadRequest, "unknown program 'nope'");
        await _node.OperatorClient.PostJson("/api/v1/exchanges", new { name = "feed", program = "tcap", bank = "IMPORTS" }).ExpectProblem(HttpStatusCode.BadRequest, "credentials_env");

        JsonNode added = await _node.OperatorClient.PostJson("/api/v1/exchanges", new { name = "feed", program = "local_file", bank = "IMPORTS", settings = new { path = _list }, enabled = false }).Expect(HttpStatusCode.Created);
        Assert.Equal(("local_file", false), ((string?)added["program"], (bool)added["enabled"]!));
        await _node.OperatorClient.PostJson("/api/v1/exchanges", new { name = "feed", program = "local_file", bank = "IMPORTS", settings = new { path = _list } }).ExpectProblem(HttpStatusCode.Conflict);

        JsonNode report = await _node.OperatorClient.PostAsync("/api/v1/exchanges/feed/sync", null).Expect(HttpStatusCode.OK);
        Assert.Equal(2, (int)report["added"]!);

        // The imported signals match like any other.
        JsonNode match = await _node.ClientB.GetAsync($"/api/v1/match?signal_type=pdq&value={P1}").Expect(HttpStatusCode.OK);
        Assert.Contains(P1, match.ToJsonString(), StringComparison.Ordinal);

        JsonArray list = (await _node.OperatorClient.GetAsync("/api/v1/exchanges").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Equal(2, (long)Assert.Single(list)!["imported"]!);
        Assert.True((bool)(await _node.OperatorClient.PostAsync("/api/v1/exchanges/feed/enable", null).Expect(HttpStatusCode.OK))["enabled"]!);
        await _node.OperatorClient.DeleteAsync("/api/v1/exchanges/feed").Expect(HttpStatusCode.NoContent);
        await _node.OperatorClient.PostAsync("/api/v1/exchanges/feed/sync", null).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_program_that_cannot_be_reached_is_a_502_and_the_error_is_kept()
    {
        await _node.OperatorClient.PostJson("/api/v1/exchanges", new
        {
            name = "tcap", program = "tcap", bank = "IMPORTS",
            settings = new { base_url = "http://127.0.0.1:9/", credentials_env = "CH_TEST_UNSET_" + Guid.NewGuid().ToString("N"), max_attempts = 1 },
        }).Expect(HttpStatusCode.Created);
        JsonObject problem = await _node.OperatorClient.PostAsync("/api/v1/exchanges/tcap/sync", null).ExpectProblem(HttpStatusCode.BadGateway, "is not set");
        Assert.Contains("credentials_env", (string?)problem["detail"], StringComparison.Ordinal);
        JsonArray list = (await _node.OperatorClient.GetAsync("/api/v1/exchanges").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Contains("is not set", (string?)list[0]!["last_error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_poller_syncs_enabled_exchanges_that_are_due_and_leaves_the_others()
    {
        var exchanges = (IExchangeStore)_node.Store;
        Bank bank = (await _node.Store.FindBankAsync("IMPORTS"))!;
        Exchange due = await exchanges.CreateExchangeAsync(new NewExchange("due", "local_file", bank.Id, _node.Operator.Id, $$"""{"path": {{System.Text.Json.JsonSerializer.Serialize(_list)}}}"""));
        Exchange off = await exchanges.CreateExchangeAsync(new NewExchange("off", "local_file", bank.Id, _node.Operator.Id, $$"""{"path": {{System.Text.Json.JsonSerializer.Serialize(_list)}}}""", Enabled: false));
        var poller = new ExchangePoller(_node.Store, SignalTypeRegistry.CreateDefault(), NullLogger<ExchangePoller>.Instance);
        using var http = new HttpClient();
        var runner = new ExchangeRunner(_node.Store, SignalTypeRegistry.CreateDefault(), http);

        Assert.Equal(1, await poller.SyncDueAsync(runner, CancellationToken.None));
        Assert.Equal(2, (await exchanges.GetExchangeAsync(due.Id))!.Imported);
        Assert.Null((await exchanges.GetExchangeAsync(off.Id))!.LastSyncAt);

        // Synced a moment ago: not due again before its poll interval (an hour by default).
        Assert.Equal(0, await poller.SyncDueAsync(runner, CancellationToken.None));
    }
}
