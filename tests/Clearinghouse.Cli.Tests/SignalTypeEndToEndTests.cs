using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

/// <summary>
/// Every signal type end to end on a running node (<c>clearinghouse serve</c>, real SQLite, real FFmpeg): a real
/// sample hashed by the CLI and by the API, imported into a bank by the CLI and by the API, matched by
/// <c>clearinghouse match --server</c> and by the API, and exported by both; then bad input of that type refused
/// by each path with its reason.
/// </summary>
public sealed class SignalTypeEndToEndTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-e2e-").FullName;
    private RunningNode _node = null!;
    private HttpClient _http = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _node = await RunningNode.StartAsync(_dir);
        _key = _node.PrintedKey ?? throw new InvalidOperationException("serve printed no key:\n" + _node.Banner);
        _http = new HttpClient { BaseAddress = _node.Address };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _key);
    }

    public void Dispose() => _http?.Dispose();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, string, string, bool, string?, string?> Samples => new()
    {
        // type, category, sample (a file, or a value), is a file, designation, a content type for the API's hash route
        { "pdq", "attack-footage", TestData.PathOf("pdq", "images", "bridge-mods", "aaa-orig.jpg"), true, null, "photo" },
        { "md5", "attack-footage", TestData.PathOf("pdq", "images", "misc-images", "c.png"), true, null, "file" },
        { "sha256", "branded-publication", TestData.PathOf("tlsh", "example_data", "42nd_street.txt"), true, "un:QDe.004", "file" },
        { "vpdq", "attack-footage", TestData.PathOf("vpdq", "videos", "doorknob-hd-no-bar.mp4"), true, null, "video" },
        { "text_tlsh", "attacker-manifesto", TestData.PathOf("tlsh", "example_data", "0Alice.txt"), true, null, "text" },
        { "url", "attack-footage", "HTTPS://Example.COM/a/../media/clip?utm_source=x&z=1#t=3", false, null, null },
        { "payment", "terrorist-fundraising", "bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.1", false, "un:QDe.115", null },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Each_type_hashes_imports_matches_and_exports_through_the_CLI_and_the_API(string type, string category, string sample, bool isFile, string? designation, string? contentType)
    {
        // Hash: the CLI, and the API (an upload for content, the value route for values) give the same value.
        var hashed = Cli("hash", "--type", type, "--json", sample);
        Assert.True(hashed.ExitCode == 0, hashed.Error);
        string value = ValueOf(JsonDocument.Parse(hashed.OutLines.Single()).RootElement.GetProperty(type));
        string apiValue = isFile
            ? await HashUploadAsync(sample, contentType!, type)
            : (string)(await GetJsonAsync($"/api/v1/hash?signal_type={type}&value={Uri.EscapeDataString(sample)}"))["value"]!;
        Assert.Equal(value, apiValue);

        // Import: by the CLI into one bank, by the API into another.
        string cliBank = $"{type}-cli", apiBank = $"{type}-api";
        Assert.Equal(0, Cli("bank", "create", cliBank, "--category", category, "--data", _dir).ExitCode);
        Assert.Equal(0, Cli("bank", "create", apiBank, "--category", category, "--data", _dir).ExitCode);
        string lines = Path.Combine(_dir, $"{type}.txt");
        File.WriteAllText(lines, $"{type} {value}\n");
        string[] designationArgs = designation is null ? [] : ["--designation", designation];
        var imported = Cli(["import", lines, "--bank", cliBank, "--data", _dir, .. designationArgs]);
        Assert.True(imported.ExitCode == 0, imported.Error);
        using (var response = await _http.PostAsync(
            $"/api/v1/banks/{apiBank}/signals/import" + (designation is null ? "" : $"?designation={designation}"),
            new StringContent($"{type} {value}\n", Encoding.UTF8, "text/plain")))
        {
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            Assert.Equal(1, JsonDocument.Parse(body).RootElement.GetProperty("added").GetInt32());
        }

        // Match: the CLI (hashing the file itself, or the value) finds both banks; so does the API.
        string[] matchArgs = ["match", sample, "--type", type, "--server", _node.Address.ToString(), "--key", _key, "--json"];
        CliRunner.Result match = null!;
        await Eventually(() => (match = Cli(matchArgs)).ExitCode == ExitCodes.Matched && BanksIn(match).Count == 2);
        Assert.Equal([apiBank, cliBank], BanksIn(match).Order(StringComparer.Ordinal));
        var hit = JsonDocument.Parse(match.OutLines.Single()).RootElement.GetProperty("results")[0].GetProperty("matches")[0];
        Assert.Equal(0, hit.GetProperty("distance").GetInt32());
        Assert.Equal(category, hit.GetProperty("category").GetString());
        if (designation is not null)
        {
            Assert.Equal(designation, hit.GetProperty("designation").GetString());
        }

        var apiMatch = await GetJsonAsync($"/api/v1/match?signal_type={type}&value={Uri.EscapeDataString(value)}");
        Assert.Equal([apiBank, cliBank], apiMatch["matches"]!.AsArray().Select(m => (string)m!["bank"]!).Order(StringComparer.Ordinal));

        // Export: both give back the canonical line.
        var exported = Cli("export", "--bank", apiBank, "--data", _dir);
        Assert.Equal($"{type} {value}\n", exported.Out);
        using (var response = await _http.GetAsync($"/api/v1/banks/{cliBank}/export"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"{type} {value}\n", await response.Content.ReadAsStringAsync());
        }
    }

    public static TheoryData<string, string, string, string?, string?> BadValues => new()
    {
        // type, a bad value, a part of its reason, for file types a bad file (its text) and a part of its reason
        { "pdq", "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b2", "64", "\u00ff\u00d8\u00ff\u00e0 not a JPEG", "image" },
        { "md5", "d35c785545392755e7e416445765726z", "hex", null, null },
        { "sha256", "b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd729", "64", null, null },
        { "vpdq", "[\"not-a-frame\"]", "frame", "ftyp not really a video", "video" },
        { "text_tlsh", "T1" + new string('Z', 70), "hex", "too short for TLSH", "too short" },
        { "url", "javascript:alert(1)", "javascript", null, null },
        { "payment", "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "checksum", null, null },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task A_bad_value_of_each_type_is_refused_with_its_reason_by_the_CLI_and_the_API(string type, string bad, string reason, string? badFile, string? fileReason)
    {
        // Hashing: value types canonicalise values; file types hash files, so a bad file is what can fail.
        if (type is "url" or "payment")
        {
            var hash = Cli("hash", "--type", type, bad);
            Assert.Equal(ExitCodes.SomeInputsFailed, hash.ExitCode);
            Assert.Contains(reason, hash.Error, StringComparison.OrdinalIgnoreCase);
        }
        else if (badFile is not null)
        {
            string path = Path.Combine(_dir, $"bad-{type}.bin");
            File.WriteAllText(path, badFile, Encoding.Latin1);
            var hash = Cli("hash", "--type", type, path);
            Assert.Equal(ExitCodes.SomeInputsFailed, hash.ExitCode);
            Assert.Contains(fileReason!, hash.Error, StringComparison.OrdinalIgnoreCase);
        }

        string bank = $"bad-{type}";
        Assert.Equal(0, Cli("bank", "create", bank, "--category", "attack-footage", "--data", _dir).ExitCode);
        string lines = Path.Combine(_dir, $"bad-{type}.txt");
        File.WriteAllText(lines, $"{type} {bad}\n");
        var imported = Cli("import", lines, "--bank", bank, "--data", _dir);
        Assert.Equal(ExitCodes.BadInput, imported.ExitCode);
        Assert.Contains($"{lines}:1: invalid_value: invalid {type} value: ", imported.Error, StringComparison.Ordinal);

        using (var response = await _http.PostAsync($"/api/v1/banks/{bank}/signals/import", new StringContent($"{type} {bad}\n", Encoding.UTF8, "text/plain")))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("invalid_value", problem.RootElement.GetProperty("report").GetProperty("rejections")[0].GetProperty("code").GetString());
        }

        using (var response = await _http.GetAsync($"/api/v1/match?signal_type={type}&value={Uri.EscapeDataString(bad)}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        var match = Cli("match", bad, "--type", type, "--server", _node.Address.ToString(), "--key", _key);
        Assert.Equal(ExitCodes.SomeInputsFailed, match.ExitCode);
        Assert.Contains($"not a valid {type} value", match.Out + match.Error, StringComparison.Ordinal);
        Assert.Equal("", Cli("export", "--bank", bank, "--data", _dir).Out);
    }

    [Fact]
    public async Task Domain_and_prefix_url_banks_match_the_urls_they_cover_through_the_CLI_and_the_API()
    {
        Assert.Equal(0, Cli("bank", "create", "url-domains", "--category", "attack-footage", "--data", _dir).ExitCode);
        string lines = Path.Combine(_dir, "patterns.txt");
        File.WriteAllText(lines, "url domain:Example.ORG.\nurl prefix:https://videos.example.net/user/abc\n");
        Assert.Equal(0, Cli("import", lines, "--bank", "url-domains", "--data", _dir).ExitCode);
        Assert.Equal(["url domain:example.org", "url prefix:https://videos.example.net/user/abc"], Cli("export", "--bank", "url-domains", "--data", _dir).OutLines.Order(StringComparer.Ordinal));

        string server = _node.Address.ToString();
        await Eventually(() => Cli("match", "--type", "url", "https://cdn.example.org/x/y?utm_medium=z", "--server", server, "--key", _key).ExitCode == ExitCodes.Matched);
        Assert.Equal(ExitCodes.Matched, Cli("match", "--type", "url", "https://videos.example.net/user/abc/posts/1", "--server", server, "--key", _key).ExitCode);
        Assert.Equal(ExitCodes.Success, Cli("match", "--type", "url", "https://notexample.org/", "--server", server, "--key", _key).ExitCode);
        Assert.Equal(ExitCodes.Success, Cli("match", "--type", "url", "https://videos.example.net/user/abcdef", "--server", server, "--key", _key).ExitCode);

        var covered = await GetJsonAsync($"/api/v1/match?signal_type=url&value={Uri.EscapeDataString("HTTP://www.EXAMPLE.org:80/page")}");
        Assert.Equal("url-domains", (string?)covered["matches"]!.AsArray().Single()!["bank"]);
        var notCovered = await GetJsonAsync($"/api/v1/match?signal_type=url&value={Uri.EscapeDataString("https://videos.example.net/user/other")}");
        Assert.Empty(notCovered["matches"]!.AsArray());
    }

    [Fact]
    public async Task A_near_duplicate_text_and_a_re_encoded_video_match_within_their_thresholds()
    {
        Assert.Equal(0, Cli("bank", "create", "near", "--category", "attacker-manifesto", "--data", _dir).ExitCode);
        string text = TestData.PathOf("tlsh", "example_data", "0Alice.txt");
        string video = TestData.PathOf("vpdq", "videos", "pattern-hd-no-bar.mp4");
        var hashes = Cli("hash", "--type", "text_tlsh,vpdq", "--json", text, video);
        Assert.True(hashes.ExitCode == 0, hashes.Error);
        string lines = Path.Combine(_dir, "near.txt");
        File.WriteAllLines(lines, hashes.OutLines.Select(l => JsonDocument.Parse(l).RootElement).Select(e =>
            e.TryGetProperty("vpdq", out var v) ? $"vpdq {ValueOf(v)}" : $"text_tlsh {e.GetProperty("text_tlsh").GetString()}"));
        Assert.Equal(0, Cli("import", lines, "--bank", "near", "--data", _dir).ExitCode);

        // The text with one sentence changed; the video's grey-bar SD variant.
        string edited = Path.Combine(_dir, "edited.txt");
        byte[] bytes = File.ReadAllBytes(text);
        for (int at = 1000; at < 1003; at++)
        {
            bytes[at] = (byte)'#';
        }

        File.WriteAllBytes(edited, bytes);
        string server = _node.Address.ToString();
        CliRunner.Result result = null!;
        await Eventually(() => (result = Cli("match", edited, "--type", "text_tlsh", "--server", server, "--key", _key, "--json")).ExitCode == ExitCodes.Matched, () => result.Out + result.Error);
        int textDistance = JsonDocument.Parse(result.OutLines.Single()).RootElement.GetProperty("results")[0].GetProperty("matches")[0].GetProperty("distance").GetInt32();
        Assert.InRange(textDistance, 1, 30);

        // A re-encoding (smaller, lower quality) matches; the grey-bar SD cut, which shares no frame with the HD
        // video by the reference's own matcher, does not.
        string reencoded = Path.Combine(_dir, "reencoded.mp4");
        Ffmpeg.Run("-v", "error", "-i", video, "-vf", "scale=640:-2", "-c:v", "libx264", "-crf", "32", "-an", "-y", reencoded);
        var variant = Cli("match", reencoded, "--type", "vpdq", "--server", server, "--key", _key, "--json");
        Assert.True(variant.ExitCode == ExitCodes.Matched, variant.Out + variant.Error);
        Assert.InRange(JsonDocument.Parse(variant.OutLines.Single()).RootElement.GetProperty("results")[0].GetProperty("matches")[0].GetProperty("distance").GetInt32(), 0, 20);
        var other = Cli("match", TestData.PathOf("vpdq", "videos", "pattern-sd-grey-bar.mp4"), "--type", "vpdq", "--server", server, "--key", _key);
        Assert.Equal(ExitCodes.Success, other.ExitCode);
    }

    private static CliRunner.Result Cli(params string[] args) => CliRunner.Run(args);

    /// <summary>A hash's value from <c>hash --json</c>: a string, or an object's "hash" (pdq) or "value" (vpdq).</summary>
    private static string ValueOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()!
        : element.TryGetProperty("hash", out var hash) ? hash.GetString()!
        : element.GetProperty("value").GetString()!;

    private static List<string> BanksIn(CliRunner.Result match)
    {
        if (match.OutLines.Length != 1)
        {
            return [];
        }

        var results = JsonDocument.Parse(match.OutLines[0]).RootElement.GetProperty("results");
        return results.GetArrayLength() == 0 ? [] : [.. results[0].GetProperty("matches").EnumerateArray().Select(m => m.GetProperty("bank").GetString()!)];
    }

    private async Task<string> HashUploadAsync(string path, string contentType, string type)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "file", Path.GetFileName(path) },
            { new StringContent(contentType), "content_type" },
            { new StringContent(type), "types" },
        };
        using var response = await _http.PostAsync("/api/v1/hash", form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var signal = JsonDocument.Parse(body).RootElement.GetProperty("signals").EnumerateArray().Single(s => s.GetProperty("signal_type").GetString() == type);
        return signal.GetProperty("value").GetString()!;
    }

    private async Task<System.Text.Json.Nodes.JsonNode> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return System.Text.Json.Nodes.JsonNode.Parse(body)!;
    }

    /// <summary>Waits for the node's index to follow a write made directly in the store (it polls the change feed).</summary>
    private static async Task Eventually(Func<bool> condition, Func<string>? last = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the node did not show the change within 15 s: " + last?.Invoke());
            await Task.Delay(100);
        }
    }
}
