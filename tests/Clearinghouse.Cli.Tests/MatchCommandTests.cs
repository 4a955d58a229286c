using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

public sealed class MatchCommandTests : IAsyncLifetime
{
    private const string Orig = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-match-").FullName;
    private RunningNode _node = null!;
    private string _admin = null!;

    private string Server => _node.Address.ToString();

    public async Task InitializeAsync()
    {
        _node = await RunningNode.StartAsync(_dir, demo: true);
        _admin = _node.PrintedKey!;
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Image(params string[] parts) => TestData.PathOf(["pdq", "images", .. parts]);

    [Fact]
    public void A_matching_file_exits_10_a_non_matching_value_exits_0()
    {
        var hit = CliRunner.Run("match", Image("bridge-mods", "aaa-orig.jpg"), "--server", Server, "--key", _admin);
        Assert.Equal(ExitCodes.Matched, hit.ExitCode);
        Assert.StartsWith($"{Image("bridge-mods", "aaa-orig.jpg")}: MATCH\n", hit.Out, StringComparison.Ordinal);
        Assert.Contains("pdq     distance 0   bank demo-attack-footage (attack-footage)", hit.Out, StringComparison.Ordinal);

        string far = string.Concat(Orig.Select(c => c == '0' ? 'f' : '0'));
        var miss = CliRunner.Run("match", "--type", "pdq", far, "--server", Server, "--key", _admin);
        Assert.Equal(ExitCodes.Success, miss.ExitCode);
        Assert.Equal($"{far}: no match\n", miss.Out);
    }

    [Fact]
    public void Json_gives_one_line_per_input_in_order_with_the_matches_and_failed_inputs()
    {
        string broken = Path.Combine(_dir, "broken.jpg");
        File.WriteAllBytes(broken, [0xFF, 0xD8, 0xFF, 0x00]);

        var result = CliRunner.Run("match", "--json", Image("misc-images", "c.png"), broken, "--server", Server, "--key", _admin);

        Assert.Equal(ExitCodes.SomeInputsFailed, result.ExitCode);
        Assert.Equal(2, result.OutLines.Length);
        using var first = JsonDocument.Parse(result.OutLines[0]);
        Assert.Equal(Image("misc-images", "c.png"), first.RootElement.GetProperty("input").GetString());
        Assert.True(first.RootElement.GetProperty("matched").GetBoolean());
        var types = first.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("signal_type").GetString()!).ToArray();
        Assert.Equal(["pdq", "md5", "sha256"], types);
        using var second = JsonDocument.Parse(result.OutLines[1]);
        Assert.False(second.RootElement.GetProperty("matched").GetBoolean());
        Assert.False(string.IsNullOrEmpty(second.RootElement.GetProperty("error").GetString()));
    }

    [Fact]
    public void A_wrong_key_a_revoked_key_and_a_key_without_the_match_scope_are_precise_errors()
    {
        string wrong = _admin[..^5] + "AAAAA";
        var refused = CliRunner.Run("match", "--type", "pdq", Orig, "--server", Server, "--key", wrong);
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.StartsWith($"clearinghouse: the node at {Server} refused the API key (401): ", refused.Error, StringComparison.Ordinal);
        Assert.Single(refused.ErrorLines);
        Assert.Equal("", refused.Out);

        var hashOnly = CliRunner.Run("member", "add", "hasher", "--scopes", "hash", "--json", "--data", _dir);
        using var created = JsonDocument.Parse(hashOnly.Out);
        string hashKey = created.RootElement.GetProperty("key").GetProperty("key").GetString()!;
        var forbidden = CliRunner.Run("match", "--type", "pdq", Orig, "--server", Server, "--key", hashKey);
        Assert.Equal(ExitCodes.Refused, forbidden.ExitCode);
        Assert.StartsWith($"clearinghouse: the node at {Server} refused the request (403): ", forbidden.Error, StringComparison.Ordinal);
        Assert.Contains("match", forbidden.Error, StringComparison.Ordinal);

        var member = CliRunner.Run("member", "add", "matcher", "--scopes", "match", "--json", "--data", _dir);
        using var matcher = JsonDocument.Parse(member.Out);
        string key = matcher.RootElement.GetProperty("key").GetProperty("key").GetString()!;
        Assert.Equal(ExitCodes.Matched, CliRunner.Run("match", "--type", "pdq", Orig, "--server", Server, "--key", key).ExitCode);
        Assert.Equal(0, CliRunner.Run("member", "revoke-key", matcher.RootElement.GetProperty("key").GetProperty("key_id").GetString()!, "--data", _dir).ExitCode);

        // The node re-reads a key after its cache time (one second).
        CliRunner.Result afterRevoke = null!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            Thread.Sleep(200);
            afterRevoke = CliRunner.Run("match", "--type", "pdq", Orig, "--server", Server, "--key", key);
        }
        while (afterRevoke.ExitCode != ExitCodes.Refused && DateTime.UtcNow < deadline);
        Assert.Equal(ExitCodes.Refused, afterRevoke.ExitCode);
        Assert.Contains("(401)", afterRevoke.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_node_is_exit_4_and_a_missing_key_or_type_is_a_usage_error()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var down = CliRunner.Run("match", "--type", "pdq", Orig, "--server", $"http://127.0.0.1:{port}", "--key", _admin);
        Assert.Equal(ExitCodes.Unavailable, down.ExitCode);
        Assert.StartsWith($"clearinghouse: cannot reach the node at http://127.0.0.1:{port}/: ", down.Error, StringComparison.Ordinal);
        Assert.Single(down.ErrorLines);

        string? saved = Environment.GetEnvironmentVariable("CLEARINGHOUSE_API_KEY");
        try
        {
            Environment.SetEnvironmentVariable("CLEARINGHOUSE_API_KEY", null);
            var noKey = CliRunner.Run("match", "--type", "pdq", Orig, "--server", Server);
            Assert.Equal(ExitCodes.UsageError, noKey.ExitCode);
            Assert.Contains("no API key: give --key or set CLEARINGHOUSE_API_KEY", noKey.Error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CLEARINGHOUSE_API_KEY", saved);
        }

        var noType = CliRunner.Run("match", Orig, "--server", Server, "--key", _admin);
        Assert.Equal(ExitCodes.UsageError, noType.ExitCode);
        Assert.Contains("is not an existing file or directory; to match it as a value, give its signal type with --type", noType.Error, StringComparison.Ordinal);
    }
}
