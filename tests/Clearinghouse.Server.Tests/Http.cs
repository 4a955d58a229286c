using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clearinghouse.Server.Tests;

/// <summary>Request and assertion helpers for the node's HTTP API.</summary>
internal static class Http
{
    public const string PdqA = "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95";
    public const string PdqB = "b062eb9d2ab170c0567fcb672d9a5548c5612982dd5e374a7424ebbc8b135cb5";

    /// <summary>A random PDQ hash (far from any other with overwhelming probability).</summary>
    public static string RandomPdq() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary><paramref name="hash"/> with its first <paramref name="bits"/> bits flipped (Hamming distance = bits).</summary>
    public static string FlipBits(string hash, int bits)
    {
        var bytes = Convert.FromHexString(hash);
        for (int i = 0; i < bits; i++)
        {
            bytes[i / 8] ^= (byte)(0x80 >> (i % 8));
        }

        return Convert.ToHexStringLower(bytes);
    }

    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)].ToUpperInvariant();

    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static StringContent Json(string raw) => new(raw, Encoding.UTF8, "application/json");

    /// <summary>Asserts the status and returns the JSON body.</summary>
    public static async Task<JsonNode> Expect(this Task<HttpResponseMessage> request, HttpStatusCode status)
    {
        using var response = await request;
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>Asserts a problem+json response with this status whose detail contains <paramref name="detailPart"/>.</summary>
    public static async Task<JsonObject> ExpectProblem(this Task<HttpResponseMessage> request, HttpStatusCode status, string? detailPart = null)
    {
        using var response = await request;
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]));
        if (detailPart is not null)
        {
            string detail = (string?)problem["detail"] ?? "";
            Assert.True(detail.Contains(detailPart, StringComparison.OrdinalIgnoreCase), $"problem detail '{detail}' lacks '{detailPart}'");
        }

        return problem;
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string path, object body) => client.PostAsync(path, Json(body));

    public static Task<HttpResponseMessage> PatchJson(this HttpClient client, string path, object body) => client.PatchAsync(path, Json(body));

    public static Task<HttpResponseMessage> PutJson(this HttpClient client, string path, object body) => client.PutAsync(path, Json(body));

    /// <summary>Creates a bank through the own API and returns its JSON.</summary>
    public static Task<JsonNode> CreateBank(this HttpClient client, string name, string category = "attack-footage", string scope = "all_members", long? group = null, bool negative = false, Dictionary<string, int>? thresholds = null)
    {
        var body = new Dictionary<string, object?> { ["name"] = name, ["category"] = category, ["scope"] = scope };
        if (group is not null)
        {
            body["sharing_group_id"] = group;
        }

        if (negative)
        {
            body["negative"] = true;
        }

        if (thresholds is not null)
        {
            body["thresholds"] = thresholds;
        }

        return client.PostJson("/api/v1/banks", body).Expect(HttpStatusCode.Created);
    }

    /// <summary>Adds a signal through the own API and returns its id.</summary>
    public static async Task<long> AddSignal(this HttpClient client, string bank, string value, string type = "pdq", string? designation = null)
    {
        var body = new Dictionary<string, object?> { ["signal_type"] = type, ["value"] = value };
        if (designation is not null)
        {
            body["designation"] = designation;
        }

        var json = await client.PostJson($"/api/v1/banks/{Uri.EscapeDataString(bank)}/signals", body).Expect(HttpStatusCode.Created);
        return (long)json["id"]!;
    }

    /// <summary>Matches a value through the own API.</summary>
    public static Task<JsonNode> Match(this HttpClient client, string value, string type = "pdq", string? banks = null) =>
        client.GetAsync($"/api/v1/match?signal_type={type}&value={Uri.EscapeDataString(value)}" + (banks is null ? "" : $"&banks={Uri.EscapeDataString(banks)}")).Expect(HttpStatusCode.OK);

    /// <summary>The signal ids of a match result's matches.</summary>
    public static List<long> MatchedIds(JsonNode result) => [.. result["matches"]!.AsArray().Select(m => (long)m!["signal_id"]!)];

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="within"/> passes; returns the time it took.</summary>
    public static async Task<TimeSpan> Eventually(Func<Task<bool>> condition, TimeSpan within)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"condition not met within {within.TotalMilliseconds} ms");
            }

            await Task.Delay(10);
        }
    }

    public static MultipartFormDataContent Upload(byte[] bytes, string field = "file", string fileName = "upload.bin", params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, field, fileName);
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    public static Task<T?> Read<T>(this HttpResponseMessage response) => response.Content.ReadFromJsonAsync<T>();
}
