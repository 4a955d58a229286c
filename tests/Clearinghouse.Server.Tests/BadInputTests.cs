using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Clearinghouse.Server.Tests;

/// <summary>Bad input gets a precise 4xx problem+json, and nothing is partially written.</summary>
public sealed class BadInputTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private readonly NodeHarness _node = fixture.Node;

    private async Task<string> NewBankAsync(string category = "attack-footage")
    {
        string name = "bad-" + Guid.NewGuid().ToString("N")[..10];
        await _node.ClientA.CreateBank(name, category);
        return name;
    }

    private async Task<int> CountAsync(string bank)
    {
        var id = (await _node.Store.FindBankAsync(bank))!.Id;
        return (await _node.Store.ListSignalsAsync(new Storage.SignalQuery(BankId: id, Limit: 1000))).Items.Count;
    }

    [Fact]
    public async Task Malformed_hashes_and_unknown_types_are_refused_with_the_reason()
    {
        await _node.ClientA.GetAsync("/api/v1/match?signal_type=pdq&value=abc").ExpectProblem(HttpStatusCode.BadRequest, "64 hex digits; got 3 characters");
        await _node.ClientA.GetAsync($"/api/v1/match?signal_type=pdq&value={new string('g', 64)}").ExpectProblem(HttpStatusCode.BadRequest, "character 1 ('g') is not a hex digit");
        await _node.ClientA.GetAsync($"/api/v1/match?signal_type=sha1&value={Http.PdqA}").ExpectProblem(HttpStatusCode.BadRequest, "unknown signal type 'sha1' (known: md5, ");
        await _node.ClientA.GetAsync("/api/v1/match?value=x").ExpectProblem(HttpStatusCode.BadRequest, "signal_type is required");
        await _node.ClientA.PostJson("/api/v1/match", new { signals = new[] { new { signal_type = "pdq", value = Http.PdqA }, new { signal_type = "pdq", value = "zz" } } })
            .ExpectProblem(HttpStatusCode.BadRequest, "signals[1]: invalid pdq value");

        string bank = await NewBankAsync();
        await _node.ClientA.PostJson($"/api/v1/banks/{bank}/signals", new { signal_type = "pdq", value = "0123" }).ExpectProblem(HttpStatusCode.BadRequest, "invalid pdq value");
        await _node.ClientA.PostJson($"/api/v1/banks/{bank}/signals", new { signal_type = "tlsh", value = "0123" }).ExpectProblem(HttpStatusCode.BadRequest, "unknown signal type 'tlsh'");
        Assert.Equal(0, await CountAsync(bank));
    }

    [Fact]
    public async Task Json_errors_say_what_and_where()
    {
        string bank = await NewBankAsync();
        await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals", Http.Json("{\"signal_type\": \"pdq\", ")).ExpectProblem(HttpStatusCode.BadRequest, "Invalid JSON");
        await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals", Http.Json("{\"signal_type\": \"pdq\"}")).ExpectProblem(HttpStatusCode.BadRequest, "value");
        await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals", Http.Json($"{{\"signal_type\": \"pdq\", \"value\": \"{Http.PdqA}\", \"designaton\": \"un:1\"}}"))
            .ExpectProblem(HttpStatusCode.BadRequest, "designaton");
        await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals", Http.Json("{\"signal_type\": 5, \"value\": \"x\"}")).ExpectProblem(HttpStatusCode.BadRequest, "$.signal_type");
        await _node.ClientA.PostJson($"/api/v1/banks/{bank}/signals", new { signal_type = "pdq", value = Http.RandomPdq(), metadata = new[] { 1 } }).ExpectProblem(HttpStatusCode.BadRequest, "metadata must be a JSON object");
        await _node.ClientA.PostJson($"/api/v1/banks/{bank}/signals", new { signal_type = "pdq", value = Http.RandomPdq(), designation = "not a designation" }).ExpectProblem(HttpStatusCode.BadRequest, "list:id");
        Assert.Equal(0, await CountAsync(bank));
    }

    [Fact]
    public async Task Bank_settings_are_validated()
    {
        await _node.ClientA.PostJson("/api/v1/banks", new { name = "ok-name", category = "protest-content" }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "protest-content");
        await _node.ClientA.PostJson("/api/v1/banks", new { name = "bad name!", category = "attack-footage" }).ExpectProblem(HttpStatusCode.BadRequest, "bank name 'bad name!' is not valid");
        await _node.ClientA.PostJson("/api/v1/banks", new { name = "t1", category = "attack-footage", thresholds = new { pdq = 100 } }).ExpectProblem(HttpStatusCode.BadRequest, "between 0 and 62");
        await _node.ClientA.PostJson("/api/v1/banks", new { name = "t2", category = "attack-footage", thresholds = new { md5 = 3 } }).ExpectProblem(HttpStatusCode.BadRequest, "only be 0");
        await _node.ClientA.PostJson("/api/v1/banks", new { name = "t3", category = "attack-footage", thresholds = new { vpdq_x = 3 } }).ExpectProblem(HttpStatusCode.BadRequest, "unknown signal type 'vpdq_x'");
        await _node.ClientA.PostJson("/api/v1/banks", new { name = "t4", category = "attack-footage", scope = "everyone" }).ExpectProblem(HttpStatusCode.BadRequest, "scope 'everyone'");
        await _node.ClientA.PostJson("/api/v1/banks", new { name = "t5", category = "attack-footage", scope = "group" }).ExpectProblem(HttpStatusCode.BadRequest, "sharing_group_id");
        string bank = await NewBankAsync();
        await _node.ClientA.PostJson("/api/v1/banks", new { name = bank, category = "attack-footage" }).ExpectProblem(HttpStatusCode.Conflict, "already exists");
        await _node.ClientA.GetAsync("/api/v1/banks?limit=0").ExpectProblem(HttpStatusCode.BadRequest, "limit must be between 1 and 1000");
        foreach (var name in new[] { "ok-name", "t1", "t2", "t3", "t4", "t5" })
        {
            Assert.Null(await _node.Store.FindBankAsync(name));
        }
    }

    [Fact]
    public async Task Duplicates_and_missing_designations_are_refused_precisely()
    {
        string bank = await NewBankAsync();
        string pdq = Http.RandomPdq();
        long id = await _node.ClientA.AddSignal(bank, pdq);
        var problem = await _node.ClientA.PostJson($"/api/v1/banks/{bank}/signals", new { signal_type = "pdq", value = pdq.ToUpperInvariant() }).ExpectProblem(HttpStatusCode.Conflict, $"signal {id}");
        Assert.Equal(id, (long)problem["existing_signal_id"]!);

        string designated = await NewBankAsync("designated-entity");
        await _node.ClientA.PostJson($"/api/v1/banks/{designated}/signals", new { signal_type = "pdq", value = Http.RandomPdq() }).ExpectProblem(HttpStatusCode.UnprocessableEntity, "requires a designation");
        Assert.Equal(0, await CountAsync(designated));
        Assert.Equal(1, await CountAsync(bank));
    }

    [Fact]
    public async Task A_strict_import_with_a_bad_line_writes_nothing_and_reports_every_line()
    {
        string bank = await NewBankAsync();
        string body = $"pdq {Http.RandomPdq()}\npdq nothex\nsha1 {new string('a', 40)}\njustonefield\npdq {Http.RandomPdq()}\n";
        var problem = await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import", new StringContent(body, Encoding.UTF8, "text/plain"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity, "nothing was imported");
        var report = problem["report"]!;
        Assert.False((bool)report["applied"]!);
        Assert.Equal(0, (int)report["added"]!);
        var rejections = report["rejections"]!.AsArray();
        Assert.Equal([2, 3, 4], rejections.Select(r => (int)r!["line"]!));
        Assert.Equal(["invalid_value", "unknown_signal_type", "malformed_line"], rejections.Select(r => (string?)r!["code"]));
        Assert.Equal(0, await CountAsync(bank));

        // partial=true: the valid lines go in, the others are reported.
        var partial = await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import?partial=true", new StringContent(body, Encoding.UTF8, "text/plain")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, (int)partial["added"]!);
        Assert.Equal(3, (int)partial["rejected"]!);
        Assert.Equal(2, await CountAsync(bank));
    }

    [Fact]
    public async Task Malformed_csv_and_json_lines_are_reported_by_line()
    {
        string bank = await NewBankAsync();
        var badHeader = await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import", new StringContent("type,hash\npdq,00\n", Encoding.UTF8, "text/csv"))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("unknown column", (string?)badHeader["report"]!["rejections"]![0]!["reason"], StringComparison.Ordinal);

        var csv = $"signal_type,value,designation\npdq,{Http.RandomPdq()},\npdq,{Http.RandomPdq()},un:QDe.115,extra\n";
        var csvProblem = await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import", new StringContent(csv, Encoding.UTF8, "text/csv")).ExpectProblem(HttpStatusCode.UnprocessableEntity);
        var csvRejection = csvProblem["report"]!["rejections"]!.AsArray().Single()!;
        Assert.Equal(3, (int)csvRejection["line"]!);
        Assert.Contains("expected 3 fields", (string?)csvRejection["reason"], StringComparison.Ordinal);

        string pdq = Http.RandomPdq();
        var jsonl = $"{{\"signal_type\":\"pdq\",\"value\":\"{pdq}\"}}\n{{\"signal_type\":\"pdq\"\n[1]\n{{\"signal_type\":\"pdq\",\"value\":\"{pdq}\"}}\n{{\"signal_type\":\"pdq\",\"value\":\"{Http.RandomPdq()}\",\"colour\":1}}\n";
        var jsonProblem = await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import?format=jsonl", new StringContent(jsonl)).ExpectProblem(HttpStatusCode.UnprocessableEntity);
        var codes = jsonProblem["report"]!["rejections"]!.AsArray().Select(r => ((int)r!["line"]!, (string?)r["code"])).ToList();
        Assert.Equal([(2, "malformed_line"), (3, "malformed_line"), (4, "duplicate_in_import"), (5, "malformed_line")], codes);
        Assert.Equal(0, await CountAsync(bank));

        await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import", new StringContent("x", Encoding.UTF8, "application/pdf")).ExpectProblem(HttpStatusCode.BadRequest, "unknown import format");
        await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import?format=local_file", new StringContent("\n\n")).ExpectProblem(HttpStatusCode.BadRequest, "no signals");
    }

    [Fact]
    public async Task An_import_into_a_designated_category_needs_designations_on_every_line()
    {
        string bank = await NewBankAsync("designated-entity");
        string body = $"pdq {Http.RandomPdq()}\npdq {Http.RandomPdq()}\n";
        var problem = await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import", new StringContent(body, Encoding.UTF8, "text/plain")).ExpectProblem(HttpStatusCode.UnprocessableEntity);
        Assert.All(problem["report"]!["rejections"]!.AsArray(), r => Assert.Equal("designation_required", (string?)r!["code"]));
        Assert.Equal(0, await CountAsync(bank));
        var report = await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import?designation=un:QDe.115", new StringContent(body, Encoding.UTF8, "text/plain")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, (int)report["added"]!);
        await _node.ClientA.PostAsync($"/api/v1/banks/{bank}/signals/import?designation=nope", new StringContent(body, Encoding.UTF8, "text/plain")).ExpectProblem(HttpStatusCode.BadRequest, "list:id");
    }

    [Fact]
    public async Task Corrupt_and_empty_uploads_are_refused()
    {
        byte[] jpeg = TestImages.Bytes(TestImages.Bridge);
        await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload(jpeg[..(jpeg.Length / 3)], fields: ("content_type", "photo"))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "cannot be decoded");
        byte[] garbage = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        await _node.ClientA.PostAsync("/api/v1/match/upload", Http.Upload(garbage)).ExpectProblem(HttpStatusCode.UnprocessableEntity, "cannot be decoded");
        await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload([])).ExpectProblem(HttpStatusCode.BadRequest, "empty");
        await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload([1, 2, 3], fields: ("content_type", "hologram"))).ExpectProblem(HttpStatusCode.BadRequest, "no such content_type");
        // Video is hashed (vPDQ via FFmpeg): bytes that are no video are 422 with FFmpeg's reason, and text is not a video.
        await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload([1, 2, 3], fields: ("content_type", "video"))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "video cannot be hashed");
        await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload("plain words, not frames\n"u8.ToArray(), fields: ("content_type", "video"))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "video cannot be hashed");
        await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload([1, 2, 3], fields: ("types", "pdq"))).ExpectProblem(HttpStatusCode.BadRequest, "cannot be computed from file content");
        await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload("too short"u8.ToArray(), fields: ("content_type", "text"))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "no TLSH digest");
        await _node.ClientA.PostAsync("/api/v1/hash", Http.Upload("%PDF-1.4 broken"u8.ToArray(), fields: ("content_type", "text"))).ExpectProblem(HttpStatusCode.UnprocessableEntity, "not a readable PDF");

        string bank = "HMA_CORRUPT_" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        await _node.ClientA.CreateBank(bank);
        await _node.ClientA.PostAsync($"/c/bank/{bank}/content", Http.Upload(garbage, "photo")).ExpectProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await CountAsync(bank));
    }

    [Fact]
    public async Task Oversize_bodies_and_uploads_get_413()
    {
        await using var node = await NodeHarness.StartAsync(o => o with { MaxUploadBytes = 64 * 1024, MaxBodyBytes = 4 * 1024, MaxImportBytes = 8 * 1024 });
        byte[] big = new byte[100 * 1024];
        await node.ClientA.PostAsync("/api/v1/hash", Http.Upload(big)).ExpectProblem(HttpStatusCode.RequestEntityTooLarge);
        await node.ClientA.PostAsync("/h/hash", Http.Upload(big, "photo")).ExpectProblem(HttpStatusCode.RequestEntityTooLarge);

        // A chunked body (no Content-Length) is cut off at the limit as it is read.
        var chunked = new StreamContent(new MemoryStream(big));
        chunked.Headers.ContentType = new("multipart/form-data") { Parameters = { new("boundary", "x") } };
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/hash") { Content = chunked })
        {
            request.Headers.TransferEncodingChunked = true;
            await node.ClientA.SendAsync(request).ExpectProblem(HttpStatusCode.RequestEntityTooLarge);
        }

        await node.ClientA.CreateBank("big");
        string json = $"{{\"signal_type\":\"pdq\",\"value\":\"{Http.PdqA}\",\"metadata\":{{\"pad\":\"{new string('x', 8 * 1024)}\"}}}}";
        await node.ClientA.PostAsync("/api/v1/banks/big/signals", Http.Json(json)).ExpectProblem(HttpStatusCode.RequestEntityTooLarge);
        var lines = string.Concat(Enumerable.Range(0, 200).Select(_ => $"pdq {Http.RandomPdq()}\n"));
        await node.ClientA.PostAsync("/api/v1/banks/big/signals/import", new StringContent(lines, Encoding.UTF8, "text/plain")).ExpectProblem(HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty((await node.Store.ListSignalsAsync(new Storage.SignalQuery(BankId: (await node.Store.FindBankAsync("big"))!.Id))).Items);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_with_problems()
    {
        await _node.ClientA.GetAsync("/api/v1/nothing-here").ExpectProblem(HttpStatusCode.NotFound);
        await _node.ClientA.PutAsync("/api/v1/match", Http.Json("{}")).ExpectProblem(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Opinion_and_status_words_are_checked()
    {
        string bank = await NewBankAsync();
        long id = await _node.ClientA.AddSignal(bank, Http.RandomPdq());
        await _node.ClientA.PostJson($"/api/v1/signals/{id}/opinions", new { kind = "maybe" }).ExpectProblem(HttpStatusCode.BadRequest, "opinion kind 'maybe'");
        await _node.ClientA.GetAsync($"/api/v1/banks/{bank}/signals?status=gone").ExpectProblem(HttpStatusCode.BadRequest, "status 'gone'");
        var signal = await _node.ClientA.GetAsync($"/api/v1/signals/{id}").Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"positive":0,"negative":0,"investigation_seed":0}"""), signal["opinions"]));
    }
}
