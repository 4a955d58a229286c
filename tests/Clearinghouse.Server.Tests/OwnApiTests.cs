using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Clearinghouse.Server.Tests;

/// <summary>The node's own API (/api/v1): happy paths, route by route.</summary>
public sealed class OwnApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private readonly NodeHarness _node = fixture.Node;

    private static string Bank(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    [Fact]
    public async Task Signal_types_are_listed_with_defaults()
    {
        var types = (await _node.ClientA.GetAsync("/api/v1/signal-types").Expect(HttpStatusCode.OK)).AsArray();
        var pdq = types.Single(t => (string?)t!["name"] == "pdq")!;
        Assert.Equal(31, (int)pdq["default_threshold"]!);
        Assert.False((bool)pdq["exact"]!);
        Assert.Equal(["photo"], pdq["content_types"]!.AsArray().Select(c => (string?)c));
        Assert.True((bool)types.Single(t => (string?)t!["name"] == "md5")!["exact"]!);
    }

    [Fact]
    public async Task A_photo_upload_gives_pdq_md5_and_sha256_equal_to_the_reference()
    {
        foreach (var name in new[] { TestImages.Bridge, "misc-images/c.png" })
        {
            byte[] bytes = TestImages.Bytes(name);
            var result = await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload(bytes)).Expect(HttpStatusCode.OK);
            Assert.Equal("photo", (string?)result["content_type"]);
            var signals = result["signals"]!.AsArray().ToDictionary(s => (string)s!["signal_type"]!, s => s!);
            Assert.Equal(TestImages.Pdq(name), (string?)signals["pdq"]["value"]);
            Assert.Equal(TestImages.Quality(name), (int)signals["pdq"]["quality"]!);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes)), (string?)signals["md5"]["value"]);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), (string?)signals["sha256"]["value"]);
        }

        // Not an image: a file, digests only; types narrows the selection.
        var file = await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload(Encoding.UTF8.GetBytes("plain text"))).Expect(HttpStatusCode.OK);
        Assert.Equal("file", (string?)file["content_type"]);
        Assert.Equal(["md5", "sha256"], file["signals"]!.AsArray().Select(s => (string?)s!["signal_type"]));
        var narrowed = await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload(TestImages.Bytes(TestImages.Bridge), fields: ("types", "pdq"))).Expect(HttpStatusCode.OK);
        Assert.Single(narrowed["signals"]!.AsArray());
    }

    [Fact]
    public async Task A_text_upload_gives_the_reference_tlsh()
    {
        // The reference digests of trendmicro/tlsh's example data (../shared/testdata/tlsh/exp).
        var expected = File.ReadLines(Clearinghouse.Tests.TestData.PathOf("tlsh", "exp", "example_data.128.1.len.out_EXP"))
            .Select(l => l.Split('\t')).Take(3).ToList();
        string bank = Bank("text");
        await _node.ClientA.CreateBank(bank, category: "attacker-manifesto");
        foreach (var line in expected)
        {
            byte[] text = File.ReadAllBytes(Clearinghouse.Tests.TestData.PathOf("tlsh", line[1]));
            var result = await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload(text, fields: ("content_type", "text"))).Expect(HttpStatusCode.OK);
            Assert.Equal("text", (string?)result["content_type"]);
            var signals = result["signals"]!.AsArray();
            Assert.Equal(line[0], (string?)signals.Single(s => (string?)s!["signal_type"] == "text_tlsh")!["value"]);
            Assert.Equal(3, signals.Count);
        }

        // Banked, then matched by an upload of the same text.
        byte[] first = File.ReadAllBytes(Clearinghouse.Tests.TestData.PathOf("tlsh", expected[0][1]));
        long id = await _node.ClientA.AddSignal(bank, expected[0][0], "text_tlsh");
        var match = await _node.ClientA.PostAsync("/api/v1/match/upload", Http.Upload(first, fields: ("content_type", "text"))).Expect(HttpStatusCode.OK);
        Assert.Equal([id], Http.MatchedIds(match["results"]!.AsArray().Single(r => (string?)r!["signal_type"] == "text_tlsh")!));
    }

    [Fact]
    public async Task A_given_value_is_validated_and_canonicalised()
    {
        var result = await _node.ClientA.GetAsync($"/api/v1/hash?signal_type=pdq&value={Http.PdqA.ToUpperInvariant()}").Expect(HttpStatusCode.OK);
        Assert.Equal(Http.PdqA, (string?)result["value"]);
        Assert.Equal("pdq", (string?)result["signal_type"]);
    }

    [Fact]
    public async Task Matching_by_value_batch_and_upload_returns_the_signal_details()
    {
        string bank = Bank("match");
        await _node.ClientA.CreateBank(bank, category: "designated-entity");
        string image = TestImages.Bridge;
        long id = await _node.ClientA.AddSignal(bank, TestImages.Pdq(image), designation: "un:QDe.115");

        var single = await _node.ClientA.Match(TestImages.Pdq(image));
        var match = single["matches"]![0]!;
        Assert.Equal(id, (long)match["signal_id"]!);
        Assert.Equal(bank, (string?)match["bank"]);
        Assert.Equal("designated-entity", (string?)match["category"]);
        Assert.Equal("un:QDe.115", (string?)match["designation"]);
        Assert.Equal(0, (int)match["distance"]!);
        Assert.Equal("active", (string?)match["status"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"positive":0,"negative":0,"investigation_seed":0}"""), match["opinions"]));
        Assert.False(string.IsNullOrEmpty((string?)match["public_id"]));
        Assert.False((bool)single["suppressed"]!);

        var batch = await _node.ClientA.PostJson("/api/v1/match", new
        {
            signals = new[] { new { signal_type = "pdq", value = TestImages.Pdq(image) }, new { signal_type = "pdq", value = Http.RandomPdq() } },
        }).Expect(HttpStatusCode.OK);
        var results = batch["results"]!.AsArray();
        Assert.Equal([id], Http.MatchedIds(results[0]!));
        Assert.Empty(Http.MatchedIds(results[1]!));

        // Upload: the hashes and the matches in one call (the other reference images of the bridge are within 31).
        var upload = await _node.ClientA.PostAsync("/api/v1/match/upload", Http.Upload(TestImages.Bytes("bridge-mods/high-saturation.jpg"))).Expect(HttpStatusCode.OK);
        Assert.Equal(3, upload["signals"]!.AsArray().Count);
        var pdqResult = upload["results"]!.AsArray().Single(r => (string?)r!["signal_type"] == "pdq")!;
        Assert.Equal(TestImages.Pdq("bridge-mods/high-saturation.jpg"), (string?)pdqResult["value"]);
        Assert.Equal([id], Http.MatchedIds(pdqResult));
        Assert.Empty(Http.MatchedIds(upload["results"]!.AsArray().Single(r => (string?)r!["signal_type"] == "md5")!));

        // The matches were recorded for the member (signal and distance, no content).
        var records = await _node.ClientA.GetAsync("/api/v1/matches?limit=1000").Expect(HttpStatusCode.OK);
        Assert.Contains(records["items"]!.AsArray(), r => (long)r!["signal_id"]! == id);
    }

    [Fact]
    public async Task Banks_are_created_read_updated_listed_and_deleted()
    {
        string name = Bank("crud");
        var created = await _node.ClientA.CreateBank(name, thresholds: new() { ["pdq"] = 20 });
        Assert.Equal(name, (string?)created["name"]);
        Assert.Equal("attack-footage", (string?)created["category"]);
        Assert.Equal("all_members", (string?)created["scope"]);
        Assert.Equal(_node.A.Id, (long)created["owner_member_id"]!);
        Assert.Equal(20, (int)created["thresholds"]!["pdq"]!);
        Assert.True((bool)created["enabled"]!);

        var read = await _node.ClientB.GetAsync($"/api/v1/banks/{name}").Expect(HttpStatusCode.OK);
        Assert.Equal((long)created["id"]!, (long)read["id"]!);

        var updated = await _node.ClientA.PatchJson($"/api/v1/banks/{name}", new { name = name + "-x", enabled = false, description = "renamed" }).Expect(HttpStatusCode.OK);
        Assert.Equal(name + "-x", (string?)updated["name"]);
        Assert.False((bool)updated["enabled"]!);
        Assert.Equal("renamed", (string?)updated["description"]);

        await _node.ClientA.DeleteAsync($"/api/v1/banks/{name}-x").Expect(HttpStatusCode.NoContent);
        await _node.ClientA.GetAsync($"/api/v1/banks/{name}-x").ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bank_and_signal_lists_page_with_opaque_cursors()
    {
        await using var node = await NodeHarness.StartAsync();
        string bank = Bank("pages");
        await node.ClientA.CreateBank(bank);
        var added = new List<long>();
        for (int i = 0; i < 7; i++)
        {
            added.Add(await node.ClientA.AddSignal(bank, Http.RandomPdq()));
        }

        var seen = new List<long>();
        string? cursor = null;
        int pages = 0;
        do
        {
            var page = await node.ClientA.GetAsync($"/api/v1/banks/{bank}/signals?limit=3" + (cursor is null ? "" : $"&cursor={cursor}")).Expect(HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(s => (long)s!["id"]!));
            cursor = (string?)page["next_cursor"];
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(added, seen);
        Assert.Equal(3, pages);

        for (int i = 0; i < 4; i++)
        {
            await node.ClientA.CreateBank(Bank("more"));
        }

        var first = await node.ClientA.GetAsync("/api/v1/banks?limit=2").Expect(HttpStatusCode.OK);
        Assert.Equal(2, first["items"]!.AsArray().Count);
        var second = await node.ClientA.GetAsync($"/api/v1/banks?limit=2&cursor={first["next_cursor"]}").Expect(HttpStatusCode.OK);
        Assert.True((long)second["items"]![0]!["id"]! > (long)first["items"]![1]!["id"]!);
    }

    [Fact]
    public async Task Bulk_imports_in_three_formats_report_per_line_and_export_round_trips()
    {
        string bank = Bank("bulk");
        await _node.ClientA.CreateBank(bank);
        string[] pdqs = [Http.RandomPdq(), Http.RandomPdq(), Http.RandomPdq()];
        string md5 = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

        var localFile = new StringContent($"# a comment\npdq {pdqs[0]}\n\nmd5 {md5.ToUpperInvariant()}\n", Encoding.UTF8, "text/plain");
        var report = await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import", localFile).Expect(HttpStatusCode.OK);
        Assert.Equal(2, (int)report["added"]!);
        Assert.Equal(0, (int)report["rejected"]!);
        Assert.Equal("local_file", (string?)report["format"]);

        var csv = new StringContent($"signal_type,value\npdq,{pdqs[1]}\npdq,{pdqs[0]}\n", Encoding.UTF8, "text/csv");
        report = await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import", csv).Expect(HttpStatusCode.OK);
        Assert.Equal(1, (int)report["added"]!);
        var duplicate = report["rejections"]!.AsArray().Single()!;
        Assert.Equal(3, (int)duplicate["line"]!);
        Assert.Equal("duplicate", (string?)duplicate["code"]);
        Assert.True((long)duplicate["existing_signal_id"]! > 0);

        var jsonl = new StringContent($$$"""{"signal_type":"pdq","value":"{{{pdqs[2]}}}","metadata":{"source":"test"}}""" + "\n", Encoding.UTF8, "application/x-ndjson");
        report = await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import", jsonl).Expect(HttpStatusCode.OK);
        Assert.Equal(1, (int)report["added"]!);

        // Export, both formats; the local_file export imports into another bank as the same signals.
        using var exported = await _node.ClientA.GetAsync($"/api/v1/banks/{bank}/export");
        string lines = await exported.Content.ReadAsStringAsync();
        var expected = pdqs.Select(p => $"pdq {p}").Append($"md5 {md5}").Order(StringComparer.Ordinal);
        Assert.Equal(expected, lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        using var exportedJson = await _node.ClientA.GetAsync($"/api/v1/banks/{bank}/export?format=jsonl");
        var objects = (await exportedJson.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, objects.Count);
        Assert.Contains(objects, o => (string?)o["metadata"]?["source"] == "test");

        string copy = Bank("copy");
        await _node.ClientA.CreateBank(copy);
        report = await _node.ClientA.PostAsync($"/api/v1/banks/{copy}/signals/import?format=local_file", new StringContent(lines)).Expect(HttpStatusCode.OK);
        Assert.Equal(4, (int)report["added"]!);
    }

    [Fact]
    public async Task Opinions_make_a_signal_disputed_and_withdrawal_stops_matching()
    {
        string bank = Bank("opinions");
        await _node.ClientA.CreateBank(bank);
        string pdq = Http.RandomPdq();
        long id = await _node.ClientA.AddSignal(bank, pdq);

        var positive = await _node.ClientB.PostJson($"/api/v1/signals/{id}/opinions", new { kind = "positive" }).Expect(HttpStatusCode.OK);
        Assert.Equal(1, (int)positive["opinions"]!["positive"]!);
        Assert.Equal("active", (string?)positive["status"]);
        var mixed = await _node.ClientC.PostJson($"/api/v1/signals/{id}/opinions", new { kind = "negative", note = "benign meme" }).Expect(HttpStatusCode.OK);
        Assert.Equal("disputed", (string?)mixed["status"]);
        var opinions = (await _node.ClientA.GetAsync($"/api/v1/signals/{id}/opinions").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Equal(2, opinions.Count);
        Assert.Contains(opinions, o => (string?)o!["kind"] == "negative" && (string?)o["note"] == "benign meme");

        // Disputed signals still match, flagged.
        var match = await _node.ClientA.Match(pdq);
        Assert.Equal("disputed", (string?)match["matches"]![0]!["status"]);
        Assert.Equal(1, (int)match["matches"]![0]!["opinions"]!["negative"]!);

        var withdrawn = await _node.ClientA.DeleteAsync($"/api/v1/signals/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal("withdrawn", (string?)withdrawn["status"]);
        Assert.Empty(Http.MatchedIds(await _node.ClientA.Match(pdq)));
        Assert.Equal("withdrawn", (string?)(await _node.ClientA.GetAsync($"/api/v1/signals/{id}").Expect(HttpStatusCode.OK))["status"]);
    }

    [Fact]
    public async Task The_operator_creates_members_issues_and_revokes_keys()
    {
        string name = "Org " + Guid.NewGuid();
        var created = await _node.OperatorClient.PostJson("/api/v1/members", new { name, scopes = "match,hash" }).Expect(HttpStatusCode.Created);
        string key = (string)created["key"]!["key"]!;
        Assert.StartsWith("chk_", key, StringComparison.Ordinal);
        Assert.Equal("hash, match", (string?)created["key"]!["scopes"]);
        var client = _node.Client(key);
        await client.GetAsync($"/api/v1/match?signal_type=pdq&value={Http.PdqA}").Expect(HttpStatusCode.OK);

        long memberId = (long)created["member"]!["id"]!;
        var keys = (await _node.OperatorClient.GetAsync($"/api/v1/members/{memberId}/keys").Expect(HttpStatusCode.OK)).AsArray();
        Assert.Single(keys);
        Assert.DoesNotContain("secret", keys.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        await _node.OperatorClient.DeleteAsync($"/api/v1/keys/{keys[0]!["key_id"]}").Expect(HttpStatusCode.NoContent);
        await client.GetAsync($"/api/v1/match?signal_type=pdq&value={Http.PdqA}").ExpectProblem(HttpStatusCode.Unauthorized, "revoked");
        Assert.Contains((await _node.OperatorClient.GetAsync("/api/v1/members").Expect(HttpStatusCode.OK)).AsArray(), m => (string?)m!["name"] == name);
    }

    [Fact]
    public async Task Api_keys_are_accepted_in_the_x_api_key_header_too()
    {
        var client = _node.Client(_node.KeyA, useApiKeyHeader: true);
        await client.GetAsync("/api/v1/banks").Expect(HttpStatusCode.OK);
    }
}
