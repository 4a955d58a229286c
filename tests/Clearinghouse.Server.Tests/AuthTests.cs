using System.Net;
using System.Text.Json.Nodes;
using Clearinghouse.Server.Auth;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Tests;

/// <summary>API keys: missing, malformed, wrong, revoked and out-of-scope keys on every route.</summary>
public sealed class AuthTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private readonly NodeHarness _node = fixture.Node;

    /// <summary>Every operation of the OpenAPI document that declares a key requirement, with a concrete path.</summary>
    private async Task<List<(string Method, string Path)>> SecuredOperationsAsync()
    {
        var document = await _node.Anonymous.GetAsync("/openapi/v1.json").Expect(HttpStatusCode.OK);
        var operations = new List<(string, string)>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (operation is JsonObject op && op["security"] is JsonArray { Count: > 0 })
                {
                    string concrete = path.Replace("{name}", "X", StringComparison.Ordinal).Replace("{bank_name}", "X", StringComparison.Ordinal)
                        .Replace("{content_id}", "1", StringComparison.Ordinal).Replace("{id}", "1", StringComparison.Ordinal)
                        .Replace("{memberId}", "1", StringComparison.Ordinal).Replace("{keyId}", "k", StringComparison.Ordinal);
                    operations.Add((method.ToUpperInvariant(), concrete));
                }
            }
        }

        return operations;
    }

    [Fact]
    public async Task Every_keyed_route_refuses_a_request_without_a_valid_key()
    {
        var operations = await SecuredOperationsAsync();
        Assert.True(operations.Count >= 35, $"only {operations.Count} secured operations in the OpenAPI document");
        string wrongSecret = _node.KeyA[..^4] + (_node.KeyA[^4..] == "AAAA" ? "BBBB" : "AAAA");
        string unknownId = "chk_" + ApiKeyFormat.NewKeyId() + _node.KeyA[16..];
        foreach (var (method, path) in operations)
        {
            foreach (var (key, detail) in new[] { ((string?)null, "API key is required"), ("not-a-key", "malformed"), (wrongSecret, "not valid"), (unknownId, "not valid") })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (key is not null)
                {
                    request.Headers.Authorization = new("Bearer", key);
                }

                var problem = await _node.Anonymous.SendAsync(request).ExpectProblem(HttpStatusCode.Unauthorized, detail);
                Assert.NotNull(problem);
            }
        }
    }

    [Fact]
    public async Task The_unauthorised_answer_names_the_scheme()
    {
        using var response = await _node.Anonymous.GetAsync("/api/v1/banks");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task A_key_without_the_route_scope_gets_403()
    {
        var matchOnly = _node.Client(_node.MatchOnlyKeyA);
        await matchOnly.GetAsync($"/api/v1/match?signal_type=pdq&value={Http.PdqA}").Expect(HttpStatusCode.OK);
        await matchOnly.GetAsync($"/m/raw_lookup?signal_type=pdq&signal={Http.PdqA}").Expect(HttpStatusCode.OK);

        await matchOnly.PostJson("/api/v1/banks", new { name = "NOPE", category = "attack-footage" }).ExpectProblem(HttpStatusCode.Forbidden, "'contribute' scope");
        await matchOnly.PostAsync("/api/v1/hash", Http.Upload([1, 2, 3])).ExpectProblem(HttpStatusCode.Forbidden, "'hash' scope");
        await matchOnly.PostAsync("/h/hash", Http.Upload([1, 2, 3], "photo")).ExpectProblem(HttpStatusCode.Forbidden, "'hash' scope");
        await matchOnly.PostJson("/c/banks", new { name = "NOPE" }).ExpectProblem(HttpStatusCode.Forbidden, "contribute");
        await matchOnly.GetAsync("/api/v1/members").ExpectProblem(HttpStatusCode.Forbidden, "'admin' scope");
        await matchOnly.GetAsync("/api/v1/banks/X/signals").ExpectProblem(HttpStatusCode.Forbidden, "one of: contribute, review");
        await _node.ClientA.GetAsync("/api/v1/members").ExpectProblem(HttpStatusCode.Forbidden, "admin");

        // HMA's lookup of an upload needs hashing too.
        await matchOnly.PostAsync("/m/lookup", Http.Upload(TestImages.Bytes("misc-images/c.png"), "photo")).ExpectProblem(HttpStatusCode.Forbidden, "hash");
    }

    [Fact]
    public async Task A_key_revoked_through_another_store_instance_is_refused_within_a_second()
    {
        var issued = await _node.IssueKeyAsync(_node.B, ApiScopes.Match);
        var client = _node.Client(issued.Key);
        await client.GetAsync($"/api/v1/match?signal_type=pdq&value={Http.PdqA}").Expect(HttpStatusCode.OK);

        // Another process (here another store instance on the same database) revokes it.
        await using (var other = _node.OpenReplicaStore())
        {
            Assert.True(await other.RevokeApiKeyAsync(issued.Record.KeyId));
        }

        var took = await Http.Eventually(async () =>
        {
            using var response = await client.GetAsync($"/api/v1/match?signal_type=pdq&value={Http.PdqA}");
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(3));
        Assert.True(took < TimeSpan.FromSeconds(1.2), $"revocation took {took.TotalMilliseconds:F0} ms to apply");
        await client.GetAsync($"/api/v1/match?signal_type=pdq&value={Http.PdqA}").ExpectProblem(HttpStatusCode.Unauthorized, "revoked");
    }

    [Fact]
    public async Task Keys_have_the_documented_format_and_only_a_salted_hash_is_stored()
    {
        var issued = await _node.IssueKeyAsync(_node.C, ApiScopes.Match);
        Assert.Matches("^chk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$", issued.Key);
        var stored = await _node.Store.FindApiKeyAsync(issued.Record.KeyId);
        Assert.NotNull(stored);
        Assert.Equal(16, stored.Salt.Length);
        Assert.Equal(32, stored.SecretHash.Length);
        Span<byte> secret = stackalloc byte[32];
        Assert.True(ApiKeyFormat.TryParse(issued.Key, out var keyId, secret));
        Assert.Equal(issued.Record.KeyId, keyId.ToString());
        Assert.Equal(stored.SecretHash, ApiKeyFormat.HashSecret(stored.Salt, secret));
    }

    [Fact]
    public async Task Public_routes_need_no_key()
    {
        await _node.Anonymous.GetAsync("/openapi/v1.json").Expect(HttpStatusCode.OK);
        using var status = await _node.Anonymous.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var metrics = await _node.Anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }
}
