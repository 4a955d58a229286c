using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Clearinghouse.Cli.Node;
using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

public sealed class ServeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-serve-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_first_start_prints_a_working_admin_key_once_and_a_restart_prints_none()
    {
        string key;
        await using (var node = await RunningNode.StartAsync(_dir))
        {
            key = node.PrintedKey ?? throw new Xunit.Sdk.XunitException($"no key printed:\n{node.Banner}");
            Assert.Contains("First start", node.Banner, StringComparison.Ordinal);
            using var http = Client(node, key);
            using var members = await http.GetAsync("api/v1/members");
            Assert.Equal(HttpStatusCode.OK, members.StatusCode);
            Assert.Equal(0, await node.StopAsync());
        }

        Assert.True(File.Exists(Path.Combine(_dir, "clearinghouse.db")));
        var cursorKey = Path.Combine(_dir, CursorKeyFile.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cursorKey));
        Assert.Equal(32, new FileInfo(cursorKey).Length);
        byte[] firstCursorKey = await File.ReadAllBytesAsync(cursorKey);

        await using (var again = await RunningNode.StartAsync(_dir))
        {
            Assert.Null(again.PrintedKey);
            Assert.DoesNotContain("First start", again.Banner, StringComparison.Ordinal);
            using var http = Client(again, key);
            using var members = await http.GetAsync("api/v1/members");
            Assert.Equal(HttpStatusCode.OK, members.StatusCode);
        }

        Assert.Equal(firstCursorKey, await File.ReadAllBytesAsync(cursorKey));
        var list = CliRunner.Run("member", "list", "--json", "--data", _dir);
        Assert.Equal(0, list.ExitCode);
        Assert.Single(list.OutLines, l => l.Contains("\"name\":\"admin\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pagination_cursor_issued_before_a_restart_is_accepted_after_it()
    {
        string key;
        string cursor;
        await using (var node = await RunningNode.StartAsync(_dir, demo: true))
        {
            key = node.PrintedKey!;
            using var http = Client(node, key);
            using var page = await http.GetAsync("api/v1/banks/demo-attack-footage/signals?limit=5");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            cursor = Regex.Match(await page.Content.ReadAsStringAsync(), "\"next_cursor\":\"([^\"]+)\"").Groups[1].Value;
            Assert.NotEmpty(cursor);
        }

        await using var restarted = await RunningNode.StartAsync(_dir);
        using var again = Client(restarted, key);
        using var next = await again.GetAsync($"api/v1/banks/demo-attack-footage/signals?limit=5&cursor={cursor}");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Demo_seeds_the_sample_bank_once_and_a_sample_image_matches_through_the_cli()
    {
        await using var node = await RunningNode.StartAsync(_dir, demo: true);
        Assert.Matches(@"demo:\s+bank 'demo-attack-footage' holds \d+ PDQ signals from 49 sample images \(\d+ added now\)", node.Banner);
        string key = node.PrintedKey!;
        string image = TestData.PathOf("pdq", "images", "bridge-mods", "aaa-orig.jpg");

        var match = CliRunner.Run("match", image, "--server", node.Address.ToString(), "--key", key, "--json");

        Assert.Equal(ExitCodes.Matched, match.ExitCode);
        var line = Assert.Single(match.OutLines);
        Assert.Contains("\"matched\":true", line, StringComparison.Ordinal);
        Assert.Contains("\"bank\":\"demo-attack-footage\"", line, StringComparison.Ordinal);
        Assert.Contains("\"distance\":0", line, StringComparison.Ordinal);
        await node.StopAsync();

        // Idempotent: a second --demo start adds nothing.
        await using var again = await RunningNode.StartAsync(_dir, demo: true);
        Assert.Contains("(0 added now)", again.Banner, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_without_the_sample_images_is_a_clear_error_before_anything_listens()
    {
        var result = CliRunner.Run("serve", "--data", _dir, "--urls", "http://127.0.0.1:0", "--demo", "--demo-data", Path.Combine(_dir, "missing"));

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith("clearinghouse: --demo: no sample images at ", result.Error, StringComparison.Ordinal);
        Assert.Contains("--demo-data", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_addresses_and_databases_are_usage_errors()
    {
        var urls = CliRunner.Run("serve", "--data", _dir, "--urls", "ftp://127.0.0.1:1");
        Assert.Equal(ExitCodes.UsageError, urls.ExitCode);
        Assert.Contains("--urls: 'ftp://127.0.0.1:1' is not an http://", urls.Error, StringComparison.Ordinal);

        var db = CliRunner.Run("serve", "--data", _dir, "--db", "mysql://x");
        Assert.Equal(ExitCodes.UsageError, db.ExitCode);
        Assert.Contains("--db must be a postgres://", db.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_postgres_is_one_line_and_exit_4()
    {
        var result = CliRunner.Run("member", "list", "--data", _dir, "--db", "postgres://nobody:x@127.0.0.1:1/none");

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.StartsWith("clearinghouse: cannot open the store (PostgreSQL (--db)): ", result.Error, StringComparison.Ordinal);
        Assert.Single(result.ErrorLines);
        Assert.DoesNotContain("nobody:x", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_published_executable_stops_cleanly_on_sigterm_with_exit_0()
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "clearinghouse.dll");
        string host = Path.GetFileName(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])[cli, "serve", "--data", _dir, "--urls", "http://127.0.0.1:0"])
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string? address = null;
        var lines = new List<string>();
        var readTask = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Add(line);
                if (line.StartsWith("Clearinghouse node listening on ", StringComparison.Ordinal))
                {
                    address = line["Clearinghouse node listening on ".Length..].Split(',')[0].Trim();
                }

                if (line.StartsWith("Give members", StringComparison.Ordinal))
                {
                    return;
                }
            }
        });
        await readTask.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotNull(address);
        Assert.Contains(lines, l => RunningNode.KeyPattern().IsMatch(l));

        using (var http = new HttpClient())
        {
            using var status = await http.GetAsync($"{address}/status/live");
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.True(process.WaitForExit(30_000), "serve did not stop within 30 s of SIGTERM");
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("clearinghouse: stopping", await stderr, StringComparison.Ordinal);
    }

    private static HttpClient Client(RunningNode node, string key)
    {
        var http = new HttpClient { BaseAddress = node.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
