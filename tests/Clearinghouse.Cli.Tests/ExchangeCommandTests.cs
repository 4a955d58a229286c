using System.Text.Json;
using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

/// <summary><c>clearinghouse exchange</c>: every sample file under samples/exchanges imported through the CLI, bad
/// files refused, and a configured exchange added, listed, synced and removed.</summary>
public sealed class ExchangeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-exchange-").FullName;

    public ExchangeCommandTests()
    {
        Assert.Equal(0, Run("member", "add", "admin").ExitCode);
        Assert.Equal(0, Run("bank", "create", "footage", "--category", "attack-footage").ExitCode);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Data => Path.Combine(_dir, "data");

    private CliRunner.Result Run(params string[] args) => CliRunner.Run([.. args, "--data", Data]);

    private static string Sample(string file) => Path.Combine(TestData.RepositoryRoot, "samples", "exchanges", file);

    public static TheoryData<string, string, int> Samples => new()
    {
        { "tcap", "tcap-hash-list.json", 2 },
        { "threatexchange", "threatexchange-threat-updates.json", 2 },
        { "ncmec", "ncmec-entries.xml", 3 },
        { "stopncii", "stopncii-fetch-hashes.json", 2 },
        { "hma", "hma-bank-content.json", 3 },
        { "local_file", "local-file.txt", 2 },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Each_sample_file_imports_through_the_cli_and_a_second_import_changes_nothing(string program, string file, int expected)
    {
        CliRunner.Result first = Run("exchange", "import", "--program", program, Sample(file), "--bank", "footage", "--json");
        Assert.True(first.ExitCode == 0, first.Error);
        using (JsonDocument report = JsonDocument.Parse(first.Out))
        {
            Assert.Equal(expected, report.RootElement.GetProperty("added").GetInt32());
            Assert.Equal($"{program}-file-footage", report.RootElement.GetProperty("exchange").GetString());
            Assert.Equal(0, report.RootElement.GetProperty("skipped").GetInt32());
        }

        Assert.Equal(expected, Run("export", "--bank", "footage").OutLines.Length);

        CliRunner.Result again = Run("exchange", "import", "--program", program, Sample(file), "--bank", "footage");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains(" 0 added", again.Out, StringComparison.Ordinal);
        Assert.Equal(expected, Run("export", "--bank", "footage").OutLines.Length);
    }

    [Fact]
    public void A_file_not_in_the_format_imports_nothing_and_a_corrupt_record_is_reported()
    {
        string bad = Path.Combine(_dir, "bad.json");
        File.WriteAllText(bad, "{\"count\": 1, \"results\": [ {\"id\": 1,");
        CliRunner.Result refused = Run("exchange", "import", "--program", "tcap", bad, "--bank", "footage");
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("bad.json: not valid JSON at line 1", refused.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", refused.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, Run("export", "--bank", "footage").Out);

        string corrupt = Path.Combine(_dir, "corrupt.jsonl");
        File.WriteAllLines(corrupt, [
            """{"id": 7, "hash_digest": "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3", "algorithm": "MD5", "ideology": "islamist", "file_type": "mp4", "deleted": false, "updated_on": 1700000001}""",
            """{"id": 8, "hash_digest": "nope", "algorithm": "MD5", "ideology": "islamist", "file_type": "mp4", "deleted": false, "updated_on": 1700000002}""",
        ]);
        CliRunner.Result partial = Run("exchange", "import", "--program", "tcap", corrupt, "--bank", "footage");
        Assert.Equal(1, partial.ExitCode);
        Assert.Contains("record 2 (record 8): invalid_value: invalid MD5 hash", partial.Error, StringComparison.Ordinal);
        Assert.Single(Run("export", "--bank", "footage").OutLines);
    }

    [Fact]
    public void A_configured_exchange_is_added_listed_synced_and_removed()
    {
        string list = Path.Combine(_dir, "list.txt");
        File.Copy(Sample("local-file.txt"), list);
        Assert.Equal(2, Run("exchange", "add", "feed", "--program", "tcap", "--bank", "footage").ExitCode); // no credentials configured
        Assert.Equal(5, Run("exchange", "add", "feed", "--program", "local_file", "--bank", "nope", "--set", "path=" + list).ExitCode);

        CliRunner.Result added = Run("exchange", "add", "feed", "--program", "local_file", "--bank", "footage", "--set", "path=" + list, "--json");
        Assert.True(added.ExitCode == 0, added.Error);
        Assert.Contains("\"program\":\"local_file\"", added.Out, StringComparison.Ordinal);

        CliRunner.Result synced = Run("exchange", "sync", "feed", "--json");
        Assert.True(synced.ExitCode == 0, synced.Error);
        using (JsonDocument report = JsonDocument.Parse(synced.Out))
        {
            Assert.Equal(2, report.RootElement.GetProperty("added").GetInt32());
            Assert.True(report.RootElement.GetProperty("full_fetch").GetBoolean());
        }

        // The file loses a line: the next sync withdraws that signal.
        File.WriteAllLines(list, File.ReadAllLines(list).Where(l => !l.StartsWith("video_md5", StringComparison.Ordinal)));
        CliRunner.Result resynced = Run("exchange", "sync", "feed");
        Assert.Equal(0, resynced.ExitCode);
        Assert.Contains("1 withdrawn", resynced.Out, StringComparison.Ordinal);
        Assert.Single(Run("export", "--bank", "footage").OutLines);

        CliRunner.Result listed = Run("exchange", "list");
        Assert.Contains("feed\tlocal_file -> footage\tenabled, 1 imported", listed.Out, StringComparison.Ordinal);

        Assert.Equal(0, Run("exchange", "remove", "feed").ExitCode);
        Assert.Equal(5, Run("exchange", "sync", "feed").ExitCode);
        Assert.Single(Run("export", "--bank", "footage").OutLines); // its signals stay
    }
}
