using System.Net;
using System.Text.Json.Nodes;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Server.Federation;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Tests;

/// <summary>Starting real nodes with their own stores and keys, and pairing them as the operators would.</summary>
internal static class Federation
{
    /// <summary>Fast polling and short timeouts, so tests see several passes and retries in seconds.</summary>
    public static FederationOptions Fast { get; } = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromSeconds(5),
        RequestAttempts = 2,
        RetryBase = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromSeconds(2),
    };

    /// <summary>A SQLite node whose log is signed by its own key named <c>{name}.test/log</c>.</summary>
    public static Task<NodeHarness> StartAsync(string name, FederationOptions? federation = null, NodeSigningKey? key = null) =>
        NodeHarness.StartAsync(o => o with { LogSigningKey = key ?? NodeSigningKey.Generate($"{name}.test/log"), Federation = federation ?? Fast });

    /// <summary>
    /// The two operator steps: the origin issues a key (match and review scopes) to a member standing for the consumer
    /// node; the consumer adds the origin as a peer with that key, the origin's verifier key and a local bank.
    /// </summary>
    public static async Task<JsonNode> PairAsync(
        NodeHarness origin, NodeHarness consumer, string peerName, string localBank, string? verifierKey = null, bool createBank = true, object? banks = null)
    {
        Member member = await origin.Store.FindMemberAsync($"node {peerName} reader") ?? await origin.Store.CreateMemberAsync($"node {peerName} reader");
        string key = (await origin.IssueKeyAsync(member, ApiScopes.Match | ApiScopes.Review)).Key;
        verifierKey ??= (await origin.Anonymous.GetStringAsync("/log/verifier-key")).Trim();
        if (createBank)
        {
            await consumer.OperatorClient.CreateBank(localBank);
        }

        var body = new Dictionary<string, object?>
        {
            ["name"] = peerName,
            ["url"] = origin.BaseAddress.ToString(),
            ["verifier_key"] = verifierKey,
            ["api_key"] = key,
            ["local_bank"] = localBank,
        };
        if (banks is not null)
        {
            body["banks"] = banks;
        }

        return await consumer.OperatorClient.PostJson("/api/v1/peers", body).Expect(HttpStatusCode.Created);
    }

    public static Task<JsonNode> StatusAsync(NodeHarness node, string peer) => node.OperatorClient.GetAsync($"/api/v1/peers/{peer}").Expect(HttpStatusCode.OK);

    /// <summary>Runs a sync pass now (the operator's "peer sync") and returns the peer's status.</summary>
    public static Task<JsonNode> SyncAsync(NodeHarness node, string peer) => node.OperatorClient.PostAsync($"/api/v1/peers/{peer}/sync", null).Expect(HttpStatusCode.OK);

    /// <summary>Every signal of a bank (read from the node's store), optionally of one status.</summary>
    public static async Task<List<Signal>> SignalsAsync(NodeHarness node, string bank, SignalStatus? status = null)
    {
        Bank b = (await node.Store.FindBankAsync(bank))!;
        var all = new List<Signal>();
        long after = 0;
        while (true)
        {
            Page<Signal> page = await node.Store.ListSignalsAsync(new SignalQuery(b.Id, null, status, after, 5000));
            all.AddRange(page.Items);
            if (page.NextAfter is not long next)
            {
                return all;
            }

            after = next;
        }
    }

    /// <summary>The node's log entries, parsed as JSON.</summary>
    public static async Task<List<JsonObject>> LogAsync(NodeHarness node)
    {
        var entries = new List<JsonObject>();
        long start = 0;
        while (true)
        {
            JsonNode page = await node.Anonymous.GetAsync($"/log/entries?start={start}").Expect(HttpStatusCode.OK);
            var items = page["entries"]!.AsArray();
            if (items.Count == 0)
            {
                return entries;
            }

            entries.AddRange(items.Select(i => JsonNode.Parse((string)i!["entry"]!)!.AsObject()));
            start = (long)page["end"]!;
        }
    }
}
