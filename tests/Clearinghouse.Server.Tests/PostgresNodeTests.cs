using System.Diagnostics;
using System.Net;
using System.Text;
using Clearinghouse.Storage;
using Clearinghouse.Tests;

namespace Clearinghouse.Server.Tests;

/// <summary>
/// The node on PostgreSQL (the process's throwaway cluster, a database per test): two replicas serving one database
/// see each other's writes, and a direct writer's, within a second; and a smoke run of the main routes.
/// </summary>
public sealed class PostgresNodeTests
{
    private static async Task<(NodeHarness First, NodeHarness Second)> StartReplicasAsync(string connectionString)
    {
        string directory = Path.Combine(Path.GetTempPath(), "ch-server-pg-" + Guid.NewGuid().ToString("N"));
        var first = await NodeHarness.StartAsync(() => new PostgresStore(connectionString), directory, null, null, migrate: true, waitReady: true, seedMembers: true);
        var second = await NodeHarness.StartAsync(
            () => new PostgresStore(connectionString), directory + "-2", () => new ValueTask(PostgresCluster.Instance.DropDatabaseAsync(connectionString)), null, migrate: true, waitReady: true, seedMembers: false);
        second.ShareMembersOf(first);
        return (first, second);
    }

    [Fact]
    public async Task Replicas_on_one_database_see_each_others_writes_within_a_second()
    {
        string connectionString = await PostgresCluster.Instance.CreateDatabaseAsync("replicas");
        var (first, second) = await StartReplicasAsync(connectionString);
        await using var disposeSecond = second;
        await using var disposeFirst = first;

        await first.ClientA.CreateBank("replicated");
        string pdq = Http.RandomPdq();

        // Warm both replicas (first requests compile the routes), then time from the acknowledged write.
        await first.ClientB.Match(pdq);
        await second.ClientB.Match(pdq);
        long id = await first.ClientA.AddSignal("replicated", pdq);
        var clock = Stopwatch.StartNew();
        await Http.Eventually(async () => Http.MatchedIds(await second.ClientB.Match(pdq)).Contains(id), TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the other replica matched after {clock.ElapsedMilliseconds} ms");
        Assert.Equal($$"""{"matches":[{{id}}]}""", (await second.ClientB.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={pdq}").Expect(HttpStatusCode.OK)).ToJsonString());

        // Withdrawn on the second, gone on the first.
        await second.ClientA.DeleteAsync($"/api/v1/signals/{id}").Expect(HttpStatusCode.OK);
        clock.Restart();
        await Http.Eventually(async () => Http.MatchedIds(await first.ClientB.Match(pdq)).Count == 0, TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the withdrawn signal matched for {clock.ElapsedMilliseconds} ms");

        // A direct writer (another process on the database): both replicas match within a second.
        string direct = Http.RandomPdq();
        await using (var writer = new PostgresStore(connectionString))
        {
            var bank = (await writer.FindBankAsync("replicated"))!;
            clock.Restart();
            var added = await writer.AddSignalsAsync(bank.Id, first.A.Id, [new NewSignal("pdq", direct)]);
            await Http.Eventually(async () => Http.MatchedIds(await first.ClientB.Match(direct)).Count == 1 && Http.MatchedIds(await second.ClientB.Match(direct)).Count == 1, TimeSpan.FromSeconds(5));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"a direct write matched after {clock.ElapsedMilliseconds} ms");

            // A bank disabled by the writer stops matching on both.
            clock.Restart();
            await writer.UpdateBankAsync(bank.Id, new BankUpdate(Enabled: false));
            await Http.Eventually(async () => Http.MatchedIds(await first.ClientB.Match(direct)).Count == 0 && Http.MatchedIds(await second.ClientB.Match(direct)).Count == 0, TimeSpan.FromSeconds(5));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"a disabled bank matched for {clock.ElapsedMilliseconds} ms");
            Assert.True(added[0].Added);
        }

        // A key revoked through one replica is refused by the other within a second.
        var issued = await first.IssueKeyAsync(first.C, ApiScopes.Match);
        var onSecond = second.Client(issued.Key);
        await onSecond.GetAsync($"/api/v1/match?signal_type=pdq&value={pdq}").Expect(HttpStatusCode.OK);
        await first.OperatorClient.DeleteAsync($"/api/v1/keys/{issued.Record.KeyId}").Expect(HttpStatusCode.NoContent);
        clock.Restart();
        await Http.Eventually(async () => (await onSecond.GetAsync($"/api/v1/match?signal_type=pdq&value={pdq}")).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.2), $"the revoked key worked for {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task The_main_routes_work_on_postgresql()
    {
        string connectionString = await PostgresCluster.Instance.CreateDatabaseAsync("routes");
        string directory = Path.Combine(Path.GetTempPath(), "ch-server-pg-" + Guid.NewGuid().ToString("N"));
        await using var node = await NodeHarness.StartAsync(
            () => new PostgresStore(connectionString), directory, () => new ValueTask(PostgresCluster.Instance.DropDatabaseAsync(connectionString)),
            o => o with { HmaDefaultCategory = "attack-footage" }, migrate: true, waitReady: true, seedMembers: true);

        // HMA: bank, signal, lookups, content.
        await node.ClientA.PostJson("/c/banks", new { name = "PG_BANK" }).Expect(HttpStatusCode.Created);
        string pdq = Http.RandomPdq();
        long id = (long)(await node.ClientA.PostJson("/c/bank/PG_BANK/signal", new { pdq }).Expect(HttpStatusCode.OK))["id"]!;
        Assert.Equal($$"""{"matches":[{{id}}]}""", (await node.ClientB.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={pdq}").Expect(HttpStatusCode.OK)).ToJsonString());
        Assert.Equal($$$"""{"PG_BANK":[{"bank_content_id":{{{id}}},"distance":"2"}]}""", (await node.ClientB.GetAsync($"/m/lookup?signal_type=pdq&signal={Http.FlipBits(pdq, 2)}").Expect(HttpStatusCode.OK)).ToJsonString());
        Assert.Equal(1, (long)(await node.ClientA.GetAsync($"/c/bank/PG_BANK/content/{id}").Expect(HttpStatusCode.OK))["disable_until_ts"]!);
        var upload = await node.ClientA.PostAsync("/c/bank/PG_BANK/content", Http.Upload(TestImages.Bytes(TestImages.Bridge), "photo", "a.jpg")).Expect(HttpStatusCode.OK);
        Assert.Equal(TestImages.Pdq(TestImages.Bridge), (string?)upload["signals"]!["pdq"]);

        // Own API: import, pages, export, match by upload, isolation.
        await node.ClientA.CreateBank("pg-private", scope: "private");
        string lines = string.Concat(Enumerable.Range(0, 25).Select(_ => $"pdq {Http.RandomPdq()}\n"));
        var report = await node.ClientA.PostAsync("/api/v1/banks/pg-private/signals/import", new StringContent(lines, Encoding.UTF8, "text/plain")).Expect(HttpStatusCode.OK);
        Assert.Equal(25, (int)report["added"]!);
        var page = await node.ClientA.GetAsync("/api/v1/banks/pg-private/signals?limit=10").Expect(HttpStatusCode.OK);
        var next = await node.ClientA.GetAsync($"/api/v1/banks/pg-private/signals?limit=10&cursor={page["next_cursor"]}").Expect(HttpStatusCode.OK);
        Assert.Equal(10, next["items"]!.AsArray().Count);
        await node.ClientB.GetAsync($"/api/v1/banks/pg-private/signals?limit=10&cursor={page["next_cursor"]}").ExpectProblem(HttpStatusCode.NotFound);
        using var export = await node.ClientA.GetAsync("/api/v1/banks/pg-private/export");
        Assert.Equal(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(), (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        string first = lines[4..68];
        Assert.Single(Http.MatchedIds(await node.ClientA.Match(first)));
        Assert.Empty(Http.MatchedIds(await node.ClientB.Match(first)));
        var matched = await node.ClientB.PostAsync("/api/v1/match/upload", Http.Upload(TestImages.Bytes("bridge-mods/high-saturation.jpg"))).Expect(HttpStatusCode.OK);
        Assert.Single(Http.MatchedIds(matched["results"]!.AsArray().Single(r => (string?)r!["signal_type"] == "pdq")!));
        await node.ClientA.PostJson("/api/v1/banks/pg-private/signals", new { signal_type = "pdq", value = first }).ExpectProblem(HttpStatusCode.Conflict);
    }
}
