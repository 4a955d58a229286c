using System.Text.Json;

namespace Clearinghouse.Cli.Tests;

public sealed class ReviewerCommandTests : IDisposable
{
    private const string Password = "a long enough passphrase";

    private readonly string _dir = Directory.CreateTempSubdirectory("ch-reviewer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CliRunner.Result Run(string input, params string[] args) => CliRunner.RunWithInput(input, [.. args, "--data", _dir]);

    [Fact]
    public void Reviewer_add_list_disable_and_enable_work_and_never_show_the_password()
    {
        Assert.Equal(0, Run("", "member", "add", "Platform A").ExitCode);
        var added = Run(Password + "\n", "reviewer", "add", "--member", "Platform A", "--username", "alice", "--password-stdin", "--json");
        Assert.Equal(0, added.ExitCode);
        using (var json = JsonDocument.Parse(Assert.Single(added.OutLines)))
        {
            Assert.Equal("alice", json.RootElement.GetProperty("username").GetString());
            Assert.Equal("review", json.RootElement.GetProperty("scopes").GetString());
            Assert.True(json.RootElement.GetProperty("settings").GetProperty("blur_previews").GetBoolean());
            Assert.False(json.RootElement.TryGetProperty("password_hash", out _));
        }

        var list = Run("", "reviewer", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("alice  (Platform A)  active  [review]  last sign-in never", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("argon2id", list.Out, StringComparison.Ordinal);

        var disabled = Run("", "reviewer", "disable", "--member", "Platform A", "--username", "alice");
        Assert.Equal(0, disabled.ExitCode);
        Assert.Contains("'alice' disabled", disabled.Out, StringComparison.Ordinal);
        Assert.Contains("DISABLED", Run("", "reviewer", "list", "--member", "Platform A").Out, StringComparison.Ordinal);
        var twice = Run("", "reviewer", "disable", "--member", "Platform A", "--username", "alice");
        Assert.Equal(ExitCodes.Refused, twice.ExitCode);
        Assert.Contains("already disabled", twice.Error, StringComparison.Ordinal);
        Assert.Equal(0, Run("", "reviewer", "enable", "--member", "Platform A", "--username", "alice").ExitCode);
    }

    [Fact]
    public void Bad_reviewer_commands_fail_with_precise_messages_and_write_nothing()
    {
        Assert.Equal(0, Run("", "member", "add", "Platform B").ExitCode);

        var noStdin = Run("", "reviewer", "add", "--member", "Platform B", "--username", "bob");
        Assert.Equal(ExitCodes.UsageError, noStdin.ExitCode);
        Assert.Contains("--password-stdin is required", noStdin.Error, StringComparison.Ordinal);

        var shortPassword = Run("short\n", "reviewer", "add", "--member", "Platform B", "--username", "bob", "--password-stdin");
        Assert.Equal(ExitCodes.UsageError, shortPassword.ExitCode);
        Assert.Contains("at least 12 characters", shortPassword.Error, StringComparison.Ordinal);

        var unknownMember = Run(Password + "\n", "reviewer", "add", "--member", "Nobody", "--username", "bob", "--password-stdin");
        Assert.Equal(ExitCodes.Refused, unknownMember.ExitCode);
        Assert.Contains("no member named 'Nobody'", unknownMember.Error, StringComparison.Ordinal);

        var badName = Run(Password + "\n", "reviewer", "add", "--member", "Platform B", "--username", "bob smith", "--password-stdin");
        Assert.Equal(ExitCodes.Refused, badName.ExitCode);
        Assert.Contains("may contain only ASCII letters", badName.Error, StringComparison.Ordinal);

        Assert.Equal(0, Run(Password + "\n", "reviewer", "add", "--member", "Platform B", "--username", "bob", "--password-stdin").ExitCode);
        var duplicate = Run(Password + "\n", "reviewer", "add", "--member", "Platform B", "--username", "bob", "--password-stdin");
        Assert.Equal(ExitCodes.Refused, duplicate.ExitCode);
        Assert.Contains("already has a reviewer named \"bob\"", duplicate.Error, StringComparison.Ordinal);
        Assert.Single(Run("", "reviewer", "list", "--json").OutLines);

        var unknownReviewer = Run("", "reviewer", "disable", "--member", "Platform B", "--username", "carol");
        Assert.Equal(ExitCodes.Refused, unknownReviewer.ExitCode);
        Assert.Contains("has no reviewer 'carol'", unknownReviewer.Error, StringComparison.Ordinal);
    }
}
