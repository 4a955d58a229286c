using System.Net;
using System.Text.Json.Nodes;

namespace Clearinghouse.Server.Tests;

/// <summary>
/// Action rules, webhook endpoints and the review queue through the real node's JSON API: uploads for review with a
/// kept copy, filters, sorting and cursors, decisions and their effects on banks and signals, privacy between
/// members, scopes, retention.
/// </summary>
public sealed class ReviewApiTests
{
    private static readonly string Pdq = TestImages.Pdq(TestImages.Bridge);

    /// <summary>A bank of A holding the bridge image's PDQ, a bank of A to confirm into, and a review rule on the first.</summary>
    private static async Task<(string Matched, long SignalId, string Confirmed, long RuleId)> SetUpAsync(NodeHarness node, int priority = 60)
    {
        string matched = Http.UniqueName("REVIEWED");
        string confirmed = Http.UniqueName("CONFIRMED");
        await node.ClientA.CreateBank(matched);
        await node.ClientA.CreateBank(confirmed, scope: "private");
        long signalId = await node.ClientA.AddSignal(matched, Pdq);
        var rule = await node.ClientA.PostJson("/api/v1/rules", new { name = "review bridge", banks = new[] { matched }, signal_types = new[] { "pdq" }, review_priority = priority }).Expect(HttpStatusCode.Created);
        return (matched, signalId, confirmed, (long)rule["id"]!);
    }

    private static async Task<JsonArray> QueueAsync(HttpClient client, string query = "") =>
        (await client.GetAsync("/api/v1/review/items" + query).Expect(HttpStatusCode.OK))["items"]!.AsArray();

    private static Task<JsonNode> UploadAsync(NodeHarness node, bool reviewCopy) =>
        node.ClientA.PostAsync("/api/v1/match/upload", reviewCopy
            ? Http.Upload(TestImages.Bytes(TestImages.Bridge), fields: ("review_copy", "true"))
            : Http.Upload(TestImages.Bytes(TestImages.Bridge))).Expect(HttpStatusCode.OK);

    [Fact]
    public async Task An_upload_for_review_is_queued_with_its_copy_which_only_its_member_sees_and_a_confirm_adds_it_to_a_bank()
    {
        await using var node = await NodeHarness.StartAsync();
        var (matched, signalId, confirmed, ruleId) = await SetUpAsync(node);

        var upload = await UploadAsync(node, reviewCopy: true);
        Assert.Contains(upload["results"]!.AsArray(), r => Http.MatchedIds(r!).Contains(signalId));
        var item = Assert.Single(await QueueAsync(node.ClientA))!;
        long itemId = (long)item["id"]!;
        Assert.Equal((60, "open", ruleId, 1), ((int)item["priority"]!, (string?)item["state"], (long)item["rule_id"]!, (int)item["match_count"]!));
        Assert.Equal([matched], item["banks"]!.AsArray().Select(b => (string)b!));
        Assert.Equal("image/jpeg", (string?)item["content"]!["media_type"]);
        var contentSignals = item["content_signals"]!.AsArray();
        Assert.Contains(contentSignals, s => (string?)s!["signal_type"] == "pdq" && (string?)s["value"] == Pdq);
        Assert.Contains(contentSignals, s => (string?)s!["signal_type"] == "md5");

        using (var content = await node.ClientA.GetAsync($"/api/v1/review/items/{itemId}/content"))
        {
            Assert.Equal(HttpStatusCode.OK, content.StatusCode);
            Assert.Equal(TestImages.Bytes(TestImages.Bridge), await content.Content.ReadAsByteArrayAsync());
            Assert.Equal("image/jpeg", content.Content.Headers.ContentType?.MediaType);
            Assert.True(content.Headers.CacheControl?.NoStore);
            Assert.Equal("nosniff", content.Headers.GetValues("X-Content-Type-Options").Single());
        }

        // Private to the member; the review scope is needed.
        await node.ClientB.GetAsync($"/api/v1/review/items/{itemId}").ExpectProblem(HttpStatusCode.NotFound);
        await node.ClientB.GetAsync($"/api/v1/review/items/{itemId}/content").ExpectProblem(HttpStatusCode.NotFound);
        Assert.Empty(await QueueAsync(node.ClientB));
        await node.Client(node.MatchOnlyKeyA).GetAsync("/api/v1/review/items").ExpectProblem(HttpStatusCode.Forbidden);

        var detail = await node.ClientA.GetAsync($"/api/v1/review/items/{itemId}").Expect(HttpStatusCode.OK);
        var signal = Assert.Single(detail["matches"]!.AsArray())!;
        Assert.Equal((signalId, matched, "attack-footage", "active", 0), ((long)signal["signal_id"]!, (string?)signal["bank"], (string?)signal["category"], (string?)signal["status"], (int)signal["opinions"]!["negative"]!));

        // Confirm into the member's own bank: the content's signals are added and its copy deleted.
        await node.ClientA.PostJson($"/api/v1/review/items/{itemId}/decision", new { decision = "confirm", bank = matched + "X" }).ExpectProblem(HttpStatusCode.NotFound);
        await node.ClientA.PostJson($"/api/v1/review/items/{itemId}/decision", new { decision = "approve" }).ExpectProblem(HttpStatusCode.BadRequest, "confirm, overturn or escalate");
        var decided = await node.ClientA.PostJson($"/api/v1/review/items/{itemId}/decision", new { decision = "confirm", bank = confirmed, reviewer = "alice", note = "attack footage" }).Expect(HttpStatusCode.OK);
        Assert.Equal(("confirm", "alice"), ((string?)decided["decision"]!["decision"], (string?)decided["decision"]!["reviewer"]));
        Assert.Equal(contentSignals.Count, decided["added_signal_ids"]!.AsArray().Count);
        var inConfirmed = Http.MatchedIds(await node.ClientA.Match(Pdq, banks: confirmed));
        Assert.Single(inConfirmed);
        Assert.Contains((long)inConfirmed[0], decided["added_signal_ids"]!.AsArray().Select(i => (long)i!));
        await node.ClientA.GetAsync($"/api/v1/review/items/{itemId}/content").ExpectProblem(HttpStatusCode.NotFound);
        Assert.Empty(await QueueAsync(node.ClientA, "?state=open"));
        var after = await node.ClientA.GetAsync($"/api/v1/review/items/{itemId}").Expect(HttpStatusCode.OK);
        Assert.Equal("decided", (string?)after["item"]!["state"]);
        Assert.Null(after["item"]!["content"]);
        Assert.Equal("alice", (string?)after["decisions"]![0]!["reviewer"]);
        await node.ClientA.PostJson($"/api/v1/review/items/{itemId}/decision", new { decision = "overturn" }).ExpectProblem(HttpStatusCode.Conflict, "already decided");
    }

    [Fact]
    public async Task The_queue_filters_sorts_and_pages_and_overturn_and_escalate_do_what_they_say()
    {
        await using var node = await NodeHarness.StartAsync();
        var (matched, signalId, _, _) = await SetUpAsync(node, priority: 20);
        string urgent = Http.UniqueName("URGENT");
        await node.ClientA.CreateBank(urgent, category: "attacker-manifesto");
        string other = Http.RandomPdq();
        await node.ClientA.AddSignal(urgent, other);
        await node.ClientA.PostJson("/api/v1/rules", new { name = "urgent", banks = new[] { urgent }, review_priority = 90 }).Expect(HttpStatusCode.Created);

        await UploadAsync(node, reviewCopy: false);                       // item 1: priority 20, no copy
        await node.ClientA.Match(other);                                  // item 2: priority 90
        await node.ClientA.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={Pdq}").Expect(HttpStatusCode.OK); // item 3 (HMA route)
        long[] ids = [.. (await QueueAsync(node.ClientA)).Select(i => (long)i!["id"]!)];
        Assert.Equal(3, ids.Length);
        Assert.Null((await QueueAsync(node.ClientA))[0]!["content"]);

        Assert.Equal(ids.Reverse(), (await QueueAsync(node.ClientA, "?sort=newest")).Select(i => (long)i!["id"]!));
        Assert.Equal([ids[1], ids[0], ids[2]], (await QueueAsync(node.ClientA, "?sort=priority")).Select(i => (long)i!["id"]!));
        Assert.Equal([ids[1]], (await QueueAsync(node.ClientA, "?min_priority=50")).Select(i => (long)i!["id"]!));
        Assert.Equal([ids[1]], (await QueueAsync(node.ClientA, "?category=attacker-manifesto")).Select(i => (long)i!["id"]!));
        Assert.Equal([ids[0], ids[2]], (await QueueAsync(node.ClientA, $"?bank={matched}")).Select(i => (long)i!["id"]!));
        Assert.Empty(await QueueAsync(node.ClientA, "?min_age_seconds=3600"));
        Assert.Equal(3, (await QueueAsync(node.ClientA, "?max_age_seconds=3600")).Count);
        await node.ClientA.GetAsync("/api/v1/review/items?sort=random").ExpectProblem(HttpStatusCode.BadRequest, "sort");
        await node.ClientA.GetAsync("/api/v1/review/items?bank=NO_SUCH_BANK").ExpectProblem(HttpStatusCode.NotFound);

        // Pages of one, by priority, following next_cursor; a cursor is bound to its list.
        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await node.ClientA.GetAsync("/api/v1/review/items?sort=priority&limit=1" + (cursor is null ? "" : "&cursor=" + cursor)).Expect(HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(i => (long)i!["id"]!));
            cursor = (string?)page["next_cursor"];
            if (cursor is not null)
            {
                await node.ClientA.GetAsync("/api/v1/review/items?sort=newest&cursor=" + cursor).ExpectProblem(HttpStatusCode.BadRequest, "cursor");
            }
        }
        while (cursor is not null);
        Assert.Equal([ids[1], ids[0], ids[2]], seen);

        // Overturn: a negative opinion on the matched signal (a shared effect, through the store's logged call).
        var overturned = await node.ClientA.PostJson($"/api/v1/review/items/{ids[0]}/decision", new { decision = "overturn", reviewer = "bob" }).Expect(HttpStatusCode.OK);
        Assert.Single(overturned["overturned_signals"]!.AsArray());
        var opinions = await node.ClientA.GetAsync($"/api/v1/signals/{signalId}").Expect(HttpStatusCode.OK);
        Assert.Equal(1, (int)opinions["opinions"]!["negative"]!);

        // Escalate: stays in the queue as escalated.
        await node.ClientA.PostJson($"/api/v1/review/items/{ids[1]}/decision", new { decision = "escalate", reviewer = "bob" }).Expect(HttpStatusCode.OK);
        Assert.Equal([ids[1]], (await QueueAsync(node.ClientA, "?state=escalated")).Select(i => (long)i!["id"]!));
        Assert.Equal([ids[1], ids[2]], (await QueueAsync(node.ClientA)).Select(i => (long)i!["id"]!));
        await node.ClientA.PostJson($"/api/v1/review/items/{ids[1]}/decision", new { decision = "overturn", bank = urgent }).ExpectProblem(HttpStatusCode.BadRequest, "only a confirm");
    }

    [Fact]
    public async Task A_review_copy_is_deleted_when_its_retention_runs_out()
    {
        await using var node = await NodeHarness.StartAsync(o => o with { ReviewRetention = TimeSpan.FromSeconds(1), ReviewSweepInterval = TimeSpan.FromMilliseconds(200) });
        await SetUpAsync(node);
        await UploadAsync(node, reviewCopy: true);
        long itemId = (long)(await QueueAsync(node.ClientA))[0]!["id"]!;
        using (var kept = await node.ClientA.GetAsync($"/api/v1/review/items/{itemId}/content"))
        {
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        }

        await Http.Eventually(async () =>
        {
            using var response = await node.ClientA.GetAsync($"/api/v1/review/items/{itemId}/content");
            return response.StatusCode == HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(10));
        Assert.Null((await QueueAsync(node.ClientA))[0]!["content"]);

        // The sweeper deletes the expired copy from the database itself.
        await Http.Eventually(async () => await CountContentRowsAsync(node) == 0, TimeSpan.FromSeconds(10));
    }

    private static async Task<long> CountContentRowsAsync(NodeHarness node)
    {
        string path = Path.Combine(node.Directory, Clearinghouse.Storage.SqliteStore.DatabaseFileName);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM review_content";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Rules_and_webhook_endpoints_are_validated_audited_private_and_need_the_contribute_scope()
    {
        await using var node = await NodeHarness.StartAsync();
        string bank = Http.UniqueName("RULES");
        await node.ClientA.CreateBank(bank);
        string privateOfB = Http.UniqueName("PRIVB");
        await node.ClientB.CreateBank(privateOfB, scope: "private");

        await node.Client(node.MatchOnlyKeyA).GetAsync("/api/v1/rules").ExpectProblem(HttpStatusCode.Forbidden);
        await node.ClientA.PostJson("/api/v1/rules", new { name = "r", signal_types = new[] { "pdq9" } }).ExpectProblem(HttpStatusCode.BadRequest, "unknown signal type");
        await node.ClientA.PostJson("/api/v1/rules", new { name = "r", banks = new[] { privateOfB } }).ExpectProblem(HttpStatusCode.NotFound);
        await node.ClientA.PostJson("/api/v1/rules", new { name = "r", categories = new[] { "cats" } }).ExpectProblem(HttpStatusCode.UnprocessableEntity);
        await node.ClientA.PostJson("/api/v1/rules", new { name = "r", review_priority = 101 }).ExpectProblem(HttpStatusCode.BadRequest, "priority");
        await node.ClientA.PostJson("/api/v1/rules", new { name = "r", colour = "red" }).ExpectProblem(HttpStatusCode.BadRequest);
        await node.ClientA.PostJson("/api/v1/webhooks", new { url = "ftp://example.org/hook" }).ExpectProblem(HttpStatusCode.BadRequest, "http");

        var hook = await node.ClientA.PostJson("/api/v1/webhooks", new { url = "https://hooks.example.org/a" }).Expect(HttpStatusCode.Created);
        long hookId = (long)hook["id"]!;
        string secret = (string)hook["secret"]!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Null((await node.ClientA.GetAsync($"/api/v1/webhooks/{hookId}").Expect(HttpStatusCode.OK))["secret"]);
        Assert.Null((await node.ClientA.GetAsync("/api/v1/webhooks").Expect(HttpStatusCode.OK))[0]!["secret"]);
        var rotated = await node.ClientA.PatchJson($"/api/v1/webhooks/{hookId}", new { rotate_secret = true }).Expect(HttpStatusCode.OK);
        Assert.NotEqual(secret, (string?)rotated["secret"]);
        await node.ClientB.GetAsync($"/api/v1/webhooks/{hookId}").ExpectProblem(HttpStatusCode.NotFound);
        await node.ClientB.PostJson("/api/v1/rules", new { name = "steal", webhook_endpoint_id = hookId }).ExpectProblem(HttpStatusCode.NotFound);

        var rule = await node.ClientA.PostJson("/api/v1/rules", new { name = "notify", banks = new[] { bank }, max_distance = 10, review_priority = 5, webhook_endpoint_id = hookId }).Expect(HttpStatusCode.Created);
        long ruleId = (long)rule["id"]!;
        Assert.Equal([bank], rule["banks"]!.AsArray().Select(b => (string)b!));
        Assert.Equal((10, false), ((int)rule["max_distance"]!, (bool)rule["record_only"]!));
        await node.ClientB.GetAsync($"/api/v1/rules/{ruleId}").ExpectProblem(HttpStatusCode.NotFound);
        await node.ClientA.DeleteAsync($"/api/v1/webhooks/{hookId}").ExpectProblem(HttpStatusCode.Conflict, "named by");

        var replaced = await node.ClientA.PutJson($"/api/v1/rules/{ruleId}", new { name = "record only", enabled = false }).Expect(HttpStatusCode.OK);
        Assert.True((bool)replaced["record_only"]!);
        Assert.Empty(replaced["banks"]!.AsArray());
        await node.ClientA.DeleteAsync($"/api/v1/rules/{ruleId}").Expect(HttpStatusCode.NoContent);
        await node.ClientA.GetAsync($"/api/v1/rules/{ruleId}").ExpectProblem(HttpStatusCode.NotFound);
        await node.ClientA.DeleteAsync($"/api/v1/webhooks/{hookId}").Expect(HttpStatusCode.NoContent);

        var audit = (await node.ClientA.GetAsync($"/api/v1/rules/audit?rule_id={ruleId}").Expect(HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(["created", "updated", "deleted"], audit.Select(a => (string)a!["change"]!));
        Assert.All(audit, a => Assert.StartsWith("key:", (string)a!["actor"]!, StringComparison.Ordinal));
        Assert.Equal(5, (int)audit[0]!["rule"]!["review_priority"]!);
        Assert.Empty((await node.ClientB.GetAsync("/api/v1/rules/audit").Expect(HttpStatusCode.OK))["items"]!.AsArray());

        var openApi = await node.Anonymous.GetAsync("/openapi/v1.json").Expect(HttpStatusCode.OK);
        foreach (string path in new[] { "/api/v1/rules", "/api/v1/webhooks/deliveries/{id}/redrive", "/api/v1/review/items", "/api/v1/review/items/{id}/decision", "/api/v1/review/items/{id}/content" })
        {
            Assert.NotNull(openApi["paths"]![path]);
        }
    }
}
