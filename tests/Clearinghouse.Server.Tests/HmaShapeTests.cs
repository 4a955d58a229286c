using System.Net;
using System.Text.Json.Nodes;

namespace Clearinghouse.Server.Tests;

/// <summary>
/// HMA's request and response shapes, route by route, as HMA's own tests pin them
/// (hasher-matcher-actioner/src/OpenMediaMatch/tests and blueprints/*.py): field names, types, status codes.
/// </summary>
public sealed class HmaShapeTests(HmaNodeFixture fixture) : IClassFixture<HmaNodeFixture>
{
    private readonly NodeHarness _node = fixture.Node;

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}, got {actual.ToJsonString()}");

    [Fact]
    public async Task Banks_are_created_listed_updated_and_deleted_with_hma_shapes()
    {
        // On a node of its own: HMA banks are shared with all members, and a fresh node has none.
        await using var node = await NodeHarness.StartAsync(o => o with { HmaDefaultCategory = "attack-footage" });
        var client = node.ClientA;
        AssertJson("[]", await client.GetAsync("/c/banks").Expect(HttpStatusCode.OK));

        // Name rules: not starting with a digit, no lowercase.
        var bad = await client.PostJson("/c/banks", new { name = "01_TEST_BANK" }).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Equal("Bank names must be UPPER_WITH_UNDERSCORE", (string?)bad["message"]);
        await client.PostJson("/c/banks", new { name = "my_test_bank" }).ExpectProblem(HttpStatusCode.BadRequest);

        string name = "HMA_BANK_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var created = await client.PostJson("/c/banks", new { name }).Expect(HttpStatusCode.Created);
        AssertJson($$"""{"name":"{{name}}","matching_enabled_ratio":1.0}""", created);
        Assert.Equal(1.0, (double)created["matching_enabled_ratio"]!);
        AssertJson($$"""[{"name":"{{name}}","matching_enabled_ratio":1.0}]""", await client.GetAsync("/c/banks").Expect(HttpStatusCode.OK));
        AssertJson($$"""{"name":"{{name}}","matching_enabled_ratio":1.0}""", await client.GetAsync($"/c/bank/{name}").Expect(HttpStatusCode.OK));

        // Creating it again: HMA answers 403.
        var again = await client.PostJson("/c/banks", new { name }).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal("Bank already exists", (string?)again["message"]);

        // Updates: validation, rename, disable, ratio.
        await client.PutJson($"/c/bank/{name}", new { name = "1_invalid_name" }).ExpectProblem(HttpStatusCode.BadRequest);
        string renamed = name + "_RENAMED";
        Assert.Equal(renamed, (string?)(await client.PutJson($"/c/bank/{name}", new { name = renamed }).Expect(HttpStatusCode.OK))["name"]);
        var disabled = await client.PutJson($"/c/bank/{renamed}", new { enabled = false }).Expect(HttpStatusCode.OK);
        Assert.Equal(0, (double)disabled["matching_enabled_ratio"]!);
        var ratio = await client.PutJson($"/c/bank/{renamed}", new { enabled_ratio = 1.0 }).Expect(HttpStatusCode.OK);
        AssertJson($$"""{"name":"{{renamed}}","matching_enabled_ratio":1.0}""", ratio);

        // A partial ratio has no meaning here (banks match fully or not at all): refused, not rounded.
        await client.PutJson($"/c/bank/{renamed}", new { enabled_ratio = 0.5 }).ExpectProblem(HttpStatusCode.BadRequest, "enabled_ratio 0.5");
        await client.GetAsync($"/c/bank/{name}").ExpectProblem(HttpStatusCode.NotFound);
        await client.PutJson($"/c/bank/{name}", new { enabled = true }).ExpectProblem(HttpStatusCode.NotFound);

        // Delete, then delete again: both 200 {"message": "Done"}.
        AssertJson("""{"message":"Done"}""", await client.DeleteAsync($"/c/bank/{renamed}").Expect(HttpStatusCode.OK));
        AssertJson("""{"message":"Done"}""", await client.DeleteAsync($"/c/bank/{renamed}").Expect(HttpStatusCode.OK));
        AssertJson("[]", await client.GetAsync("/c/banks").Expect(HttpStatusCode.OK));
    }

    [Fact]
    public async Task Bank_creation_without_a_category_is_refused_when_the_operator_set_no_default()
    {
        await using var node = await NodeHarness.StartAsync();
        var problem = await node.ClientA.PostJson("/c/banks", new { name = "NO_CATEGORY" }).ExpectProblem(HttpStatusCode.BadRequest, "category is required");
        Assert.Contains("category", (string?)problem["message"], StringComparison.Ordinal);
        AssertJson("""{"name":"WITH_CATEGORY","matching_enabled_ratio":1.0}""",
            await node.ClientA.PostJson("/c/banks", new { name = "WITH_CATEGORY", category = "attacker-manifesto" }).Expect(HttpStatusCode.Created));
        var bank = await node.ClientA.GetAsync("/api/v1/banks/WITH_CATEGORY").Expect(HttpStatusCode.OK);
        Assert.Equal("attacker-manifesto", (string?)bank["category"]);
        await node.ClientA.PostJson("/c/banks", new { name = "BAD_CATEGORY", category = "protest" }).ExpectProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Signals_are_added_read_and_removed_as_hma_content()
    {
        var client = _node.ClientA;
        string bank = "HMA_CONTENT_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await client.PostJson("/c/banks", new { name = bank }).Expect(HttpStatusCode.Created);

        string pdq = Http.RandomPdq();
        var added = await client.PostJson($"/c/bank/{bank}/signal", new Dictionary<string, string> { ["pdq"] = pdq.ToUpperInvariant(), ["note"] = "Hash from campaign ABC" }).Expect(HttpStatusCode.OK);
        long id = (long)added["id"]!;
        AssertJson($$$"""{"id":{{{id}}},"signals":{"pdq":"{{{pdq}}}"}}""", added);

        // GET: signals only with include_signals=true; metadata absent when none; note when given.
        var content = await client.GetAsync($"/c/bank/{bank}/content/{id}").Expect(HttpStatusCode.OK);
        AssertJson($$"""{"id":{{id}},"disable_until_ts":1,"original_media_uri":null,"bank":{"name":"{{bank}}","matching_enabled_ratio":1.0},"note":"Hash from campaign ABC"}""", content);
        var withSignals = await client.GetAsync($"/c/bank/{bank}/content/{id}?include_signals=true").Expect(HttpStatusCode.OK);
        AssertJson($$"""{"pdq":"{{pdq}}"}""", withSignals["signals"]!);

        // Raw lookup: ids, then ids with distances (strings, as python-threatexchange's pretty_str).
        AssertJson($$"""{"matches":[{{id}}]}""", await client.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={pdq}").Expect(HttpStatusCode.OK));
        AssertJson($$"""{"matches":[{"bank_content_id":{{id}},"distance":"3"}]}""",
            await client.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={Http.FlipBits(pdq, 3)}&include_distance=true").Expect(HttpStatusCode.OK));
        AssertJson("""{"matches":[]}""", await client.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={pdq}&banks=NON_EXISTENT_BANK").Expect(HttpStatusCode.OK));
        AssertJson($$"""{"matches":[{{id}}]}""", await client.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={pdq}&banks={bank},OTHER").Expect(HttpStatusCode.OK));

        // Lookup: matches by bank.
        AssertJson($$"""{"{{bank}}":[{"bank_content_id":{{id}},"distance":"0"}]}""", await client.GetAsync($"/m/lookup?signal_type=pdq&signal={pdq}").Expect(HttpStatusCode.OK));
        AssertJson("{}", await client.GetAsync($"/m/lookup?signal_type=pdq&signal={pdq}&banks=NON_EXISTENT_BANK").Expect(HttpStatusCode.OK));

        // PUT: only what this node can honour; the answer is HMA's BankContentConfig.
        var put = await client.PutJson($"/c/bank/{bank}/content/{id}", new { disable_until_ts = 1 }).Expect(HttpStatusCode.OK);
        AssertJson($$"""{"id":{{id}},"disable_until_ts":1,"collab_metadata":{},"original_media_uri":null,"bank":{"name":"{{bank}}","matching_enabled_ratio":1.0},"user_metadata":null,"note":"Hash from campaign ABC"}""", put);
        await client.PutJson($"/c/bank/{bank}/content/{id}", new { disable_until_ts = 0 }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "withdraw");
        await client.PutJson($"/c/bank/{bank}/content/{id}", new { disable_until_ts = -1 }).ExpectProblem(HttpStatusCode.BadRequest);

        // Not found: wrong id, an id of another bank, an unknown bank.
        await client.GetAsync($"/c/bank/{bank}/content/999999999").ExpectProblem(HttpStatusCode.NotFound);
        await client.GetAsync($"/c/bank/NO_SUCH_BANK/content/{id}").ExpectProblem(HttpStatusCode.NotFound);
        string other = bank + "_OTHER";
        await client.PostJson("/c/banks", new { name = other }).Expect(HttpStatusCode.Created);
        await client.GetAsync($"/c/bank/{other}/content/{id}").ExpectProblem(HttpStatusCode.NotFound);

        // Delete: {"deleted": 1}, then 0; the signal no longer matches.
        AssertJson("""{"deleted":1}""", await client.DeleteAsync($"/c/bank/{bank}/content/{id}").Expect(HttpStatusCode.OK));
        AssertJson("""{"deleted":0}""", await client.DeleteAsync($"/c/bank/{bank}/content/{id}").Expect(HttpStatusCode.OK));
        AssertJson("""{"matches":[]}""", await client.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={pdq}").Expect(HttpStatusCode.OK));
        Assert.Equal(0, (long)(await client.GetAsync($"/c/bank/{bank}/content/{id}").Expect(HttpStatusCode.OK))["disable_until_ts"]!);
    }

    [Fact]
    public async Task Content_uploads_are_hashed_banked_and_looked_up()
    {
        var client = _node.ClientA;
        string bank = "HMA_UPLOAD_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await client.PostJson("/c/banks", new { name = bank }).Expect(HttpStatusCode.Created);
        byte[] image = TestImages.Bytes("misc-images/c.png");
        string expected = TestImages.Pdq("misc-images/c.png");

        // /h/hash: the field name is the content type; a photo gives pdq.
        AssertJson($$"""{"pdq":"{{expected}}"}""", await client.PostAsync("/h/hash", Http.Upload(image, "photo", "c.png")).Expect(HttpStatusCode.OK));
        var digests = await client.PostAsync("/h/hash?types=md5,sha256", Http.Upload(image, "photo", "c.png")).Expect(HttpStatusCode.OK);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(image)), (string?)digests["sha256"]);
        Assert.Equal(2, digests.AsObject().Count);
        var unknownType = await client.PostAsync("/h/hash", Http.Upload(image, "banana", "c.png")).ExpectProblem(HttpStatusCode.BadRequest, "no such content_type");
        Assert.Equal("no such content_type: 'banana'", (string?)unknownType["message"]);
        var two = Http.Upload(image, "photo", "c.png");
        two.Add(new ByteArrayContent(image), "photo", "c.jpg");
        await client.PostAsync("/h/hash", two).ExpectProblem(HttpStatusCode.BadRequest, "Only one file allowed per request");
        await client.PostAsync("/h/hash", Http.Json(new { })).ExpectProblem(HttpStatusCode.BadRequest, "Missing multipart/form-data file upload");

        // Bank it, with HMA metadata and a note; invalid metadata is refused.
        await client.PostAsync($"/c/bank/{bank}/content", Http.Upload(image, "photo", "c.png", ("metadata", """{"invalid_metadata": 5}"""))).ExpectProblem(HttpStatusCode.BadRequest, "Invalid metadata");
        var added = await client.PostAsync($"/c/bank/{bank}/content", Http.Upload(image, "photo", "c.png",
            ("metadata", """{"content_id": "1197433091", "content_uri": "https://example.com/item/1", "json": {"asdf": {}}}"""), ("note", "Reported"))).Expect(HttpStatusCode.OK);
        long id = (long)added["id"]!;
        AssertJson($$$"""{"id":{{{id}}},"signals":{"pdq":"{{{expected}}}"}}""", added);
        var content = await client.GetAsync($"/c/bank/{bank}/content/{id}").Expect(HttpStatusCode.OK);
        AssertJson("""{"content_id":"1197433091","content_uri":"https://example.com/item/1","json":{"asdf":{}}}""", content["metadata"]!);
        Assert.Equal("Reported", (string?)content["note"]);
        Assert.Null((await client.GetAsync($"/c/bank/{bank}/content/{id}?include_metadata=false").Expect(HttpStatusCode.OK))["metadata"]);
        await client.PostAsync($"/c/bank/{bank}/content", Http.Json(new { })).ExpectProblem(HttpStatusCode.BadRequest, "Neither `url` nor multipart file upload was received");

        // The same content again is a duplicate: refused, nothing added.
        await client.PostAsync($"/c/bank/{bank}/content", Http.Upload(image, "photo", "c.png")).ExpectProblem(HttpStatusCode.Conflict, "already in bank");

        // Lookup by upload: by signal type, then bank.
        var lookup = await client.PostAsync("/m/lookup", Http.Upload(image, "photo", "c.png")).Expect(HttpStatusCode.OK);
        AssertJson($$$"""{"pdq":{"{{{bank}}}":[{"bank_content_id":{{{id}}},"distance":"0"}]}}""", lookup);
        AssertJson("""{"pdq":{}}""", await client.PostAsync("/m/lookup?banks=NOT_THIS_ONE", Http.Upload(image, "photo", "c.png")).Expect(HttpStatusCode.OK));
    }

    [Fact]
    public async Task Exact_types_report_no_distance_as_python_threatexchange_does()
    {
        var client = _node.ClientA;
        string bank = "HMA_MD5_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await client.PostJson("/c/banks", new { name = bank }).Expect(HttpStatusCode.Created);
        string md5 = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        long id = (long)(await client.PostJson($"/c/bank/{bank}/signal", new { md5 }).Expect(HttpStatusCode.OK))["id"]!;
        AssertJson($$"""{"matches":[{"bank_content_id":{{id}},"distance":"-"}]}""",
            await client.GetAsync($"/m/raw_lookup?signal_type=md5&signal={md5.ToUpperInvariant()}&include_distance=1").Expect(HttpStatusCode.OK));
    }

    [Fact]
    public async Task Signal_route_refuses_bad_bodies_with_hma_messages()
    {
        var client = _node.ClientA;
        string bank = "HMA_BAD_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await client.PostJson("/c/banks", new { name = bank }).Expect(HttpStatusCode.Created);
        Assert.Equal("No signals given", (string?)(await client.PostJson($"/c/bank/{bank}/signal", new { note = "x" }).ExpectProblem(HttpStatusCode.BadRequest))["message"]);
        Assert.Equal("No such signal type banana", (string?)(await client.PostJson($"/c/bank/{bank}/signal", new { banana = "1" }).ExpectProblem(HttpStatusCode.BadRequest))["message"]);
        var invalid = await client.PostJson($"/c/bank/{bank}/signal", new { pdq = "abc" }).ExpectProblem(HttpStatusCode.BadRequest, "Invalid pdq signal");
        Assert.Contains("64 hex digits", (string?)invalid["message"], StringComparison.Ordinal);
        await client.PostJson($"/c/bank/{bank}/signal", new { pdq = Http.RandomPdq(), note = new string('x', 256) }).ExpectProblem(HttpStatusCode.BadRequest, "at most 255");
        await client.PostAsync($"/c/bank/{bank}/signal", Http.Json("[1,2]")).ExpectProblem(HttpStatusCode.BadRequest, "json object");
        await client.PostAsync($"/c/bank/{bank}/signal", Http.Json("{\"pdq\": ")).ExpectProblem(HttpStatusCode.BadRequest, "Invalid JSON");
        await client.PostJson("/c/bank/NO_SUCH_BANK/signal", new { pdq = Http.RandomPdq() }).ExpectProblem(HttpStatusCode.NotFound, "bank 'NO_SUCH_BANK' not found");
        var list = await _node.Store.ListSignalsAsync(new Storage.SignalQuery(BankId: (await _node.Store.FindBankAsync(bank))!.Id));
        Assert.Empty(list.Items);
    }

    [Fact]
    public async Task Compare_gives_match_and_distance_per_type()
    {
        const string specimen1 = "facd8bcb2a49bcebdec1985298d5fe84bcd006c187c598c720c3c087b3fdb318";
        const string specimen2 = "facd8bcb2a49bcebdec1985228d5ae84bcd006c187c598c720c2b087b3fdb318";
        var client = _node.ClientA;
        AssertJson("""{"pdq":[true,{"distance":9}]}""", await client.PostJson("/m/compare", new { pdq = new[] { specimen1, specimen2 } }).Expect(HttpStatusCode.OK));
        AssertJson("""{"pdq":[false,{"distance":256}]}""", await client.PostJson("/m/compare", new { pdq = new[] { new string('0', 64), new string('f', 64) } }).Expect(HttpStatusCode.OK));

        string[] bad =
        [
            """["banana"]""",
            """{"pdq": "banana"}""",
            """{"pdq": []}""",
            """{"pdq": ["banana", "banana"]}""",
            $$"""{"pdq": ["{{specimen1}}", "{{specimen2}}", "{{specimen1}}"]}""",
            """{"nope": ["a", "b"]}""",
        ];
        foreach (string body in bad)
        {
            await client.PostAsync("/m/compare", Http.Json(body)).ExpectProblem(HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task Raw_lookup_and_lookup_refuse_bad_queries()
    {
        var client = _node.ClientA;
        Assert.Equal("No such SignalType 'banana'", (string?)(await client.GetAsync("/m/raw_lookup?signal_type=banana&signal=x").ExpectProblem(HttpStatusCode.BadRequest))["message"]);
        await client.GetAsync("/m/raw_lookup?signal_type=pdq&signal=xyz").ExpectProblem(HttpStatusCode.BadRequest, "invalid signal");
        await client.GetAsync("/m/raw_lookup?signal_type=pdq").ExpectProblem(HttpStatusCode.BadRequest, "signal is required");
        await client.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={Http.PdqA}&include_distance=maybe").ExpectProblem(HttpStatusCode.BadRequest, "include_distance");
        Assert.Equal("Either url or both signal and signal_type are required",
            (string?)(await client.GetAsync("/m/lookup?signal=abc").ExpectProblem(HttpStatusCode.BadRequest))["message"]);
    }

    [Fact]
    public async Task Index_status_lists_every_signal_type()
    {
        var status = await _node.ClientA.GetAsync("/m/index/status").Expect(HttpStatusCode.OK);
        foreach (var type in new[] { "pdq", "md5", "sha256" })
        {
            var entry = status[type]!.AsObject();
            Assert.Equal(["present", "built_to", "size"], entry.Select(p => p.Key));
            Assert.True((bool)entry["present"]!);
            Assert.True((long)entry["built_to"]! > 1_700_000_000);
            Assert.True((int)entry["size"]! >= 0);
        }

        Assert.Single((await _node.ClientA.GetAsync("/m/index/status?signal_type=pdq").Expect(HttpStatusCode.OK)).AsObject());
        await _node.ClientA.GetAsync("/m/index/status?signal_type=nope").ExpectProblem(HttpStatusCode.BadRequest, "No such signal type 'nope'");
    }

    [Fact]
    public async Task Status_routes_answer_in_plain_text()
    {
        using var status = await _node.Anonymous.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal("I-AM-ALIVE", await status.Content.ReadAsStringAsync());
        using var live = await _node.Anonymous.GetAsync("/status/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("I-AM-ALIVE", await live.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Url_hashing_is_refused_without_an_operator_allow_list()
    {
        var problem = await _node.ClientA.GetAsync("/h/hash?url=http://127.0.0.1:1/image.jpg").ExpectProblem(HttpStatusCode.Forbidden, "not allow-listed any host");
        Assert.Contains("allow-listed", (string?)problem["message"], StringComparison.Ordinal);
        await _node.ClientA.GetAsync("/m/lookup?url=http://127.0.0.1:1/image.jpg").ExpectProblem(HttpStatusCode.Forbidden, "not allow-listed");
        await _node.ClientA.PostAsync("/c/bank/ANY/content?url=http://127.0.0.1:1/x.jpg", null).ExpectProblem(HttpStatusCode.NotFound);
    }
}
