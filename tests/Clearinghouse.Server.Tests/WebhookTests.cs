using System.Net;
using System.Text.Json.Nodes;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Tests;

/// <summary>
/// Webhooks through a real node and a real loopback receiver: signed, retried after failures and timeouts with the
/// same idempotency key, delivered in outbox order per endpoint, dead-lettered and re-driven, and not lost when the
/// node stops with deliveries pending and starts again on the same data directory.
/// </summary>
public sealed class WebhookTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMilliseconds(700);

    private static NodeOptions Fast(NodeOptions options) => options with
    {
        Webhooks = new WebhookOptions
        {
            MaxAttempts = 4,
            Timeout = AttemptTimeout,
            BaseDelay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromMilliseconds(300),
            PollInterval = TimeSpan.FromMilliseconds(100),
        },
    };

    private sealed record Hooked(string Bank, string Pdq, long SignalId, long EndpointId, string Secret);

    /// <summary>A bank of member A with one signal, an endpoint at the receiver and a rule sending the bank's matches to it.</summary>
    private static async Task<Hooked> HookAsync(NodeHarness node, WebhookReceiver receiver)
    {
        string bank = Http.UniqueName("HOOKS");
        await node.ClientA.CreateBank(bank);
        string pdq = Http.RandomPdq();
        long signalId = await node.ClientA.AddSignal(bank, pdq);
        var endpoint = await node.ClientA.PostJson("/api/v1/webhooks", new { url = receiver.Url.ToString(), description = "moderation queue" }).Expect(HttpStatusCode.Created);
        string secret = (string)endpoint["secret"]!;
        long endpointId = (long)endpoint["id"]!;
        await node.ClientA.PostJson("/api/v1/rules", new { name = "notify", banks = new[] { bank }, webhook_endpoint_id = endpointId }).Expect(HttpStatusCode.Created);
        return new Hooked(bank, pdq, signalId, endpointId, secret);
    }

    private static async Task<JsonArray> DeliveriesAsync(NodeHarness node, string? state = null) =>
        (await node.ClientA.GetAsync("/api/v1/webhooks/deliveries" + (state is null ? "" : "?state=" + state)).Expect(HttpStatusCode.OK))["items"]!.AsArray();

    [Fact]
    public async Task A_failed_then_timed_out_delivery_is_retried_signed_with_one_key_and_the_next_waits_its_turn()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script = (n, _) => n switch { 1 => 500, 2 => WebhookReceiver.Hang, _ => 204 };
        await using var node = await NodeHarness.StartAsync(Fast);
        Hooked hooked = await HookAsync(node, receiver);

        Assert.Single(Http.MatchedIds(await node.ClientA.Match(hooked.Pdq)));
        Assert.Single(Http.MatchedIds(await node.ClientA.Match(hooked.Pdq)));

        await Http.Eventually(async () => (await DeliveriesAsync(node, "delivered")).Count == 2, TimeSpan.FromSeconds(20));
        IReadOnlyList<ReceivedWebhook> got = receiver.Received;
        Assert.Equal([500, WebhookReceiver.Hang, 204, 204], got.Select(r => r.AnsweredStatus));
        string first = got[0].IdempotencyKey!, second = got[3].IdempotencyKey!;
        Assert.NotEqual(first, second);
        Assert.Equal([first, first, first, second], got.Select(r => r.IdempotencyKey));
        Assert.All(got, r => Assert.True(WebhookReceiver.Verify(r, hooked.Secret, TimeSpan.FromMinutes(5)), $"bad signature {r.Signature}"));
        Assert.All(got, r => Assert.False(WebhookReceiver.Verify(r, hooked.Secret + "x", TimeSpan.FromMinutes(5))));
        Assert.All(got, r => Assert.Equal("match", r.Event));
        Assert.True(got[2].At - got[1].At >= AttemptTimeout - TimeSpan.FromMilliseconds(50), "the hung attempt was given up only after the timeout");

        var payload = JsonNode.Parse(got[0].Body)!;
        Assert.Equal((first, "match", "Member A"), ((string?)payload["id"], (string?)payload["type"], (string?)payload["member"]));
        var match = payload["matches"]!.AsArray().Single()!;
        Assert.Equal((hooked.SignalId, hooked.Bank, "attack-footage", 0, "active"), ((long)match["signal_id"]!, (string?)match["bank"], (string?)match["category"], (int)match["distance"]!, (string?)match["status"]));
        Assert.Equal(hooked.Pdq, (string?)payload["content_signals"]![0]!["value"]);
        Assert.False((bool)payload["review"]!);

        JsonArray deliveries = await DeliveriesAsync(node);
        Assert.Equal([3, 1], deliveries.Select(d => (int)d!["attempts"]!));
        Assert.Equal([204, 204], deliveries.Select(d => (int)d!["last_status"]!));
        Assert.Equal(first, (string?)deliveries[0]!["idempotency_key"]);
        Assert.Equal(first, (string?)deliveries[0]!["payload"]!["id"]);
        await node.ClientB.GetAsync($"/api/v1/webhooks/deliveries/{(long)deliveries[0]!["id"]!}").ExpectProblem(HttpStatusCode.NotFound);
        Assert.Empty((await node.ClientB.GetAsync("/api/v1/webhooks/deliveries").Expect(HttpStatusCode.OK))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_delivery_is_dead_after_the_last_attempt_and_a_redrive_sends_it_again_with_the_same_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script = (_, _) => 503;
        await using var node = await NodeHarness.StartAsync(Fast);
        Hooked hooked = await HookAsync(node, receiver);
        await node.ClientA.Match(hooked.Pdq);

        await Http.Eventually(async () => (await DeliveriesAsync(node, "dead")).Count == 1, TimeSpan.FromSeconds(20));
        var dead = (await DeliveriesAsync(node, "dead"))[0]!;
        Assert.Equal((4, 503, "HTTP 503"), ((int)dead["attempts"]!, (int)dead["last_status"]!, (string?)dead["last_error"]));
        Assert.Equal(4, receiver.Received.Count);
        Assert.Empty(await DeliveriesAsync(node, "pending"));

        long id = (long)dead["id"]!;
        await node.ClientB.PostAsync($"/api/v1/webhooks/deliveries/{id}/redrive", null).ExpectProblem(HttpStatusCode.NotFound);
        receiver.Script = (_, _) => 200;
        var redriven = await node.ClientA.PostAsync($"/api/v1/webhooks/deliveries/{id}/redrive", null).Expect(HttpStatusCode.OK);
        Assert.Equal(("pending", 0), ((string?)redriven["state"], (int)redriven["attempts"]!));
        await Http.Eventually(async () => (await DeliveriesAsync(node, "delivered")).Count == 1, TimeSpan.FromSeconds(10));
        Assert.Equal(5, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(r => r.IdempotencyKey).Distinct());
        await node.ClientA.PostAsync($"/api/v1/webhooks/deliveries/{id}/redrive", null).ExpectProblem(HttpStatusCode.Conflict, "only dead deliveries");
    }

    [Fact]
    public async Task Deliveries_pending_when_the_node_stops_are_delivered_after_it_starts_again_on_the_same_data()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Script = (_, _) => 500;
        string directory = Path.Combine(Path.GetTempPath(), "ch-webhooks-" + Guid.NewGuid().ToString("N"));

        // Slower retries: the deliveries are still pending when the node stops; the scheduled retry (at most 2 s
        // away) survives the restart with them.
        NodeOptions Slow(NodeOptions o) => Fast(o) with { Webhooks = Fast(o).Webhooks with { BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(2) } };
        var first = await NodeHarness.StartAsync(() => new SqliteStore(directory), directory, null, Slow, migrate: true, waitReady: true, seedMembers: true);
        Hooked hooked = await HookAsync(first, receiver);
        for (int i = 0; i < 3; i++)
        {
            await first.ClientA.Match(hooked.Pdq);
        }

        await Http.Eventually(() => Task.FromResult(receiver.Received.Count >= 1), TimeSpan.FromSeconds(10));
        await first.App.StopAsync();
        await first.App.DisposeAsync();
        await first.Store.DisposeAsync();
        await using (IClearinghouseStore offline = new SqliteStore(directory))
        {
            var pending = await ((IActionStore)offline).ListDeliveriesAsync(new DeliveryQuery(first.A.Id, DeliveryState.Pending));
            Assert.Equal(3, pending.Items.Count);
        }

        receiver.Script = (_, _) => 200;
        await using var second = await NodeHarness.StartAsync(() => new SqliteStore(directory), directory, null, Fast, migrate: true, waitReady: true, seedMembers: false);
        second.ShareMembersOf(first);
        await Http.Eventually(async () => (await DeliveriesAsync(second, "delivered")).Count == 3, TimeSpan.FromSeconds(20));
        JsonArray delivered = await DeliveriesAsync(second);
        string[] keys = [.. delivered.Select(d => (string)d!["idempotency_key"]!)];
        Assert.Equal(3, keys.Distinct().Count());
        // Every delivery arrived, each endpoint's in outbox order.
        Assert.Equal(keys, receiver.Received.Where(r => r.AnsweredStatus == 200).Select(r => r.IdempotencyKey));
        Assert.All(receiver.Received, r => Assert.True(WebhookReceiver.Verify(r, hooked.Secret, TimeSpan.FromMinutes(5))));
    }
}
