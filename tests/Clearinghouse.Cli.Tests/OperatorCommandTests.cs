using System.Text.Json;

namespace Clearinghouse.Cli.Tests;

public sealed class OperatorCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-ops-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CliRunner.Result Run(params string[] args) => CliRunner.Run([.. args, "--data", _dir]);

    [Fact]
    public void Member_add_prints_its_key_once_list_shows_only_its_id_and_revoke_key_revokes_it()
    {
        var added = Run("member", "add", "Platform A", "--scopes", "match,hash", "--json");
        Assert.Equal(0, added.ExitCode);
        using var created = JsonDocument.Parse(Assert.Single(added.OutLines));
        string key = created.RootElement.GetProperty("key").GetProperty("key").GetString()!;
        string keyId = created.RootElement.GetProperty("key").GetProperty("key_id").GetString()!;
        Assert.Matches(RunningNode.KeyPattern(), key);
        Assert.Equal("hash, match", created.RootElement.GetProperty("key").GetProperty("scopes").GetString());
        Assert.Equal("Platform A", created.RootElement.GetProperty("member").GetProperty("name").GetString());

        var list = Run("member", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains($"key {keyId}  active  [hash, match]", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list.Out, StringComparison.Ordinal);

        var revoked = Run("member", "revoke-key", keyId);
        Assert.Equal(0, revoked.ExitCode);
        Assert.Equal($"API key {keyId} revoked", revoked.Out.Trim());
        Assert.Contains($"key {keyId}  REVOKED", Run("member", "list").Out, StringComparison.Ordinal);

        var twice = Run("member", "revoke-key", keyId);
        Assert.Equal(ExitCodes.Refused, twice.ExitCode);
        Assert.StartsWith($"clearinghouse: API key '{keyId}' was already revoked at ", twice.Error, StringComparison.Ordinal);

        var unknown = Run("member", "revoke-key", "AAAAAAAAAAAA");
        Assert.Equal(ExitCodes.Refused, unknown.ExitCode);
        Assert.Contains("no API key with id 'AAAAAAAAAAAA'", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Member_add_key_issues_a_second_working_key_by_name_or_id_so_the_first_can_be_rotated_out()
    {
        var added = Run("member", "add", "Platform R", "--json");
        using var created = JsonDocument.Parse(Assert.Single(added.OutLines));
        string firstId = created.RootElement.GetProperty("key").GetProperty("key_id").GetString()!;
        long memberId = created.RootElement.GetProperty("member").GetProperty("id").GetInt64();

        var second = Run("member", "add-key", "Platform R", "--scopes", "match", "--label", "rotation", "--json");
        Assert.Equal(0, second.ExitCode);
        using var issued = JsonDocument.Parse(Assert.Single(second.OutLines));
        string secondId = issued.RootElement.GetProperty("key").GetProperty("key_id").GetString()!;
        Assert.NotEqual(firstId, secondId);
        Assert.Matches(RunningNode.KeyPattern(), issued.RootElement.GetProperty("key").GetProperty("key").GetString()!);
        Assert.Equal("match", issued.RootElement.GetProperty("key").GetProperty("scopes").GetString());

        var byId = Run("member", "add-key", memberId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, byId.ExitCode);
        Assert.Contains($"new key for member {memberId} 'Platform R'", byId.Out, StringComparison.Ordinal);

        Assert.Equal(0, Run("member", "revoke-key", firstId).ExitCode);
        string list = Run("member", "list").Out;
        Assert.Contains($"key {firstId}  REVOKED", list, StringComparison.Ordinal);
        Assert.Contains($"key {secondId}  active  [match]  \"rotation\"", list, StringComparison.Ordinal);

        var unknown = Run("member", "add-key", "Nobody");
        Assert.Equal(ExitCodes.Refused, unknown.ExitCode);
        Assert.Contains("no member named 'Nobody'", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Member_add_refuses_a_taken_name_and_unknown_scopes()
    {
        Assert.Equal(0, Run("member", "add", "Platform B").ExitCode);

        var taken = Run("member", "add", "Platform B");
        Assert.Equal(ExitCodes.Refused, taken.ExitCode);
        Assert.Contains("a member named 'Platform B' already exists", taken.Error, StringComparison.Ordinal);

        var scopes = Run("member", "add", "Platform C", "--scopes", "match,fly");
        Assert.Equal(ExitCodes.UsageError, scopes.ExitCode);
        Assert.Contains("--scopes: unknown scope 'fly'", scopes.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Platform C", Run("member", "list").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Bank_create_show_disable_enable_delete_round_trip()
    {
        Assert.Equal(0, Run("member", "add", "owner-org").ExitCode);
        var created = Run("bank", "create", "tv-footage", "--category", "attack-footage", "--scope", "private", "--negative", "--threshold", "pdq=20", "--owner", "owner-org", "--json");
        Assert.Equal(0, created.ExitCode);
        using (var bank = JsonDocument.Parse(Assert.Single(created.OutLines)))
        {
            Assert.Equal("attack-footage", bank.RootElement.GetProperty("category").GetString());
            Assert.Equal("private", bank.RootElement.GetProperty("scope").GetString());
            Assert.True(bank.RootElement.GetProperty("negative").GetBoolean());
            Assert.Equal(20, bank.RootElement.GetProperty("thresholds").GetProperty("pdq").GetInt32());
        }

        var show = Run("bank", "show", "tv-footage");
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("owner:       owner-org", show.Out, StringComparison.Ordinal);
        Assert.Contains("state:       enabled, negative", show.Out, StringComparison.Ordinal);
        Assert.Contains("thresholds:  pdq=20", show.Out, StringComparison.Ordinal);

        Assert.Equal(0, Run("bank", "disable", "tv-footage").ExitCode);
        Assert.Contains("\"enabled\":false", Run("bank", "show", "tv-footage", "--json").Out, StringComparison.Ordinal);
        Assert.Equal(0, Run("bank", "enable", "tv-footage").ExitCode);
        Assert.Contains("\"enabled\":true", Run("bank", "show", "tv-footage", "--json").Out, StringComparison.Ordinal);
        Assert.Equal("tv-footage  attack-footage  enabled, negative  owner owner-org", Run("bank", "list").Out.Trim());

        var deleted = Run("bank", "delete", "tv-footage");
        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal("", Run("bank", "list").Out);
        var gone = Run("bank", "show", "tv-footage");
        Assert.Equal(ExitCodes.Refused, gone.ExitCode);
        Assert.Equal("clearinghouse: no bank named 'tv-footage' (banks: clearinghouse bank list)\n", gone.Error);
    }

    [Fact]
    public void Bank_create_refuses_bad_input_with_a_precise_line_and_creates_nothing()
    {
        Assert.Equal(0, Run("member", "add", "admin").ExitCode);
        var cases = new (string[] Args, int Code, string Message)[]
        {
            (["bank", "create", "b1", "--category", "protest"], ExitCodes.Refused, "unknown category \"protest\""),
            (["bank", "create", "b1", "--category", "attack-footage", "--threshold", "pdq=99"], ExitCodes.UsageError, "the pdq threshold must be between 0 and 62"),
            (["bank", "create", "b1", "--category", "attack-footage", "--threshold", "md5=1"], ExitCodes.UsageError, "md5 matches exactly"),
            (["bank", "create", "b1", "--category", "attack-footage", "--threshold", "pdq"], ExitCodes.UsageError, "--threshold 'pdq' is not TYPE=N"),
            (["bank", "create", "b1", "--category", "attack-footage", "--scope", "world"], ExitCodes.UsageError, "scope 'world' is not one of"),
            (["bank", "create", "b1", "--category", "attack-footage", "--scope", "group"], ExitCodes.UsageError, "--scope group needs --group ID"),
            (["bank", "create", "-x", "--category", "attack-footage"], ExitCodes.UsageError, ""),
            (["bank", "create", "b1", "--category", "attack-footage", "--owner", "nobody"], ExitCodes.Refused, "no member named 'nobody'"),
        };
        foreach (var (args, code, message) in cases)
        {
            var result = Run(args);
            Assert.True(code == result.ExitCode, $"{string.Join(' ', args)}: exit {result.ExitCode}, {result.Error}");
            Assert.Contains(message, result.Error, StringComparison.Ordinal);
        }

        Assert.Equal("", Run("bank", "list").Out);
    }
}
