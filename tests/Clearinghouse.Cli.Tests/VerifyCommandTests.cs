using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Clearinghouse.Cli.Node;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Tiles;
using Clearinghouse.Storage;
using Clearinghouse.Tests;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Clearinghouse.Cli.Tests;

/// <summary>
/// <c>clearinghouse verify</c> and <c>clearinghouse log</c> against a node started with <c>serve</c>: a clean log
/// verifies, and every kind of tampering done directly in the database is caught with a precise message.
/// </summary>
public abstract class VerifyCommandTests : IAsyncLifetime
{
    private RunningNode _node = null!;

    protected string DataDirectory { get; } = Directory.CreateTempSubdirectory("ch-verify-").FullName;

    /// <summary>The PostgreSQL database, or null for SQLite.</summary>
    protected abstract string? Postgres { get; }

    private string StateDirectory => Path.Combine(DataDirectory, "audit-state");

    private string NodeUrl => _node.Address.ToString();

    protected abstract Task CreateDatabaseAsync();

    /// <summary>A raw connection to the node's database, for tampering with it.</summary>
    protected abstract DbConnection OpenRaw();

    public async Task InitializeAsync()
    {
        await CreateDatabaseAsync();
        _node = await RunningNode.StartAsync(DataDirectory, postgres: Postgres);
        await SeedAsync(20);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_clean_log_verifies_and_the_next_audit_checks_consistency_with_the_first()
    {
        CliRunner.Result first = Verify();
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("first audit", first.Out, StringComparison.Ordinal);
        Assert.Contains("trusting and pinning the log's verifier key", first.Error, StringComparison.Ordinal);

        await SeedAsync(5, "second-bank");
        CliRunner.Result second = Verify();
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("consistent with size", second.Out, StringComparison.Ordinal);
        CliRunner.Result newOnly = Verify("--new-only");
        Assert.True(newOnly.ExitCode == 0, newOnly.Error);
    }

    [Fact]
    public async Task An_edited_entry_is_caught_and_pinned_to_its_index()
    {
        Assert.Equal(0, Verify().ExitCode);
        await EditEntryAsync(3, body => body.Replace("\"member\":\"Org One\"", "\"member\":\"Org Two\"", StringComparison.Ordinal));

        CliRunner.Result again = Verify();
        Assert.Equal(ExitCodes.VerificationFailed, again.ExitCode);
        Assert.Contains("EditedEntry, entry 3", again.Error, StringComparison.Ordinal);

        CliRunner.Result fresh = CliRunner.Run("verify", "--node", NodeUrl, "--state", Path.Combine(DataDirectory, "fresh-state"));
        Assert.Equal(ExitCodes.VerificationFailed, fresh.ExitCode);
        Assert.Contains("RootMismatch", fresh.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dropped_entry_is_caught()
    {
        await ExecuteAsync("DELETE FROM log_entries WHERE idx = 5");
        CliRunner.Result result = Verify();
        Assert.Equal(ExitCodes.VerificationFailed, result.ExitCode);
        Assert.Contains("DroppedEntry, entry 5", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reordered_entry_is_caught()
    {
        byte[] five = await ReadEntryAsync(5);
        byte[] six = await ReadEntryAsync(6);
        await WriteEntryAsync(5, six);
        await WriteEntryAsync(6, five);
        CliRunner.Result result = Verify();
        Assert.Equal(ExitCodes.VerificationFailed, result.ExitCode);
        Assert.Contains("ReorderedEntry, entry 5", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rewritten_history_is_caught_as_a_fork()
    {
        Assert.Equal(0, Verify().ExitCode);

        // Rewrite entry 2 and rebuild the whole tree so the log is self-consistent, then let it grow on top.
        await EditEntryAsync(2, body => body.Replace("\"member\":\"Org One\"", "\"member\":\"Org Forked\"", StringComparison.Ordinal));
        await RebuildTreeAsync();
        await SeedAsync(2, "after-fork");

        CliRunner.Result result = Verify();
        Assert.Equal(ExitCodes.VerificationFailed, result.ExitCode);
        Assert.Contains("(Fork", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_signed_by_another_key_is_refused()
    {
        Assert.Equal(0, Verify().ExitCode);
        string pinned = (await File.ReadAllTextAsync(Path.Combine(StateDirectory, "verifier-key"))).Trim();

        // The operator's key is replaced (stolen machine, careless restore): the node signs with a new key.
        await _node.StopAsync();
        File.Delete(Path.Combine(DataDirectory, LogKeyFile.FileName));
        await _node.DisposeAsync();
        _node = await RunningNode.StartAsync(DataDirectory, postgres: Postgres);

        CliRunner.Result changed = Verify();
        Assert.Equal(ExitCodes.VerificationFailed, changed.ExitCode);
        Assert.Contains("now publishes verifier key", changed.Error, StringComparison.Ordinal);

        CliRunner.Result withKey = Verify("--key", pinned);
        Assert.Equal(ExitCodes.VerificationFailed, withKey.ExitCode);
        Assert.Contains("BadSignature", withKey.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newcomer_proves_a_signals_inclusion_and_audits_an_export_offline()
    {
        await using var store = await NodeStore.OpenAsync(new StoreLocation(DataDirectory, Postgres), CancellationToken.None);
        Signal signal = (await store.ListSignalsAsync(new SignalQuery(Limit: 1))).Items[0];
        SignalCommitment commitment = (await store.GetSignalCommitmentAsync(signal.PublicId))!;

        CliRunner.Result inclusion = CliRunner.Run("log", "inclusion", "--node", NodeUrl, signal.PublicId, "--value", signal.Value, "--salt", Convert.ToHexStringLower(commitment.Salt));
        Assert.True(inclusion.ExitCode == 0, inclusion.Error);
        Assert.Contains($"included: entry {commitment.LogIndex} (signal-added)", inclusion.Out, StringComparison.Ordinal);
        Assert.Contains("opened: the commitment", inclusion.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(signal.Value, inclusion.OutLines[0], StringComparison.Ordinal);

        CliRunner.Result wrongValue = CliRunner.Run("log", "inclusion", "--node", NodeUrl, signal.PublicId, "--value", (signal.Value[0] == '0' ? "1" : "0") + signal.Value[1..], "--salt", Convert.ToHexStringLower(commitment.Salt));
        Assert.Equal(ExitCodes.VerificationFailed, wrongValue.ExitCode);

        string export = Path.Combine(DataDirectory, "export");
        CliRunner.Result exported = CliRunner.Run("log", "export", "--node", NodeUrl, export);
        Assert.True(exported.ExitCode == 0, exported.Error);
        CliRunner.Result offline = CliRunner.Run("verify", "--dir", export, "--state", Path.Combine(DataDirectory, "offline-state"));
        Assert.True(offline.ExitCode == 0, offline.Error);

        string entries = Path.Combine(export, "entries.jsonl");
        string[] lines = await File.ReadAllLinesAsync(entries);
        lines[4] = lines[4].Replace("\"v\":1", "\"v\":1 ", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(entries, lines);
        CliRunner.Result tampered = CliRunner.Run("verify", "--dir", export, "--state", Path.Combine(DataDirectory, "offline-state"));
        Assert.Equal(ExitCodes.VerificationFailed, tampered.ExitCode);
        Assert.Contains("entry 4", tampered.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Done_when_a_newcomer_adds_a_signal_proves_it_disputes_it_and_sees_it_in_the_report()
    {
        using var http = new HttpClient { BaseAddress = _node.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _node.PrintedKey!);
        using var anonymous = new HttpClient { BaseAddress = _node.Address };

        // Add a signal through the API, then prove its inclusion with the CLI.
        string pdq = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/banks", new { name = "newcomer", category = "attack-footage", scope = "all_members" })).StatusCode);
        JsonNode added = (await (await http.PostAsJsonAsync("/api/v1/banks/newcomer/signals", new { signal_type = "pdq", value = pdq })).Content.ReadFromJsonAsync<JsonNode>())!;
        long id = (long)added["id"]!;
        string publicId = (string)added["public_id"]!;
        string checkpoint = await anonymous.GetStringAsync("/log/checkpoint");
        Assert.StartsWith("clearinghouse.localhost/log\n", checkpoint, StringComparison.Ordinal);
        CliRunner.Result inclusion = CliRunner.Run("log", "inclusion", "--node", NodeUrl, publicId);
        Assert.True(inclusion.ExitCode == 0, inclusion.Error);

        // A proof bundle checks offline; a forged value does not.
        string bundleFile = Path.Combine(DataDirectory, "bundle.json");
        await File.WriteAllTextAsync(bundleFile, await http.GetStringAsync($"/api/v1/signals/{id}/proof-bundle"));
        string verifierKey = (await anonymous.GetStringAsync("/log/verifier-key")).Trim();
        CliRunner.Result bundle = CliRunner.Run("verify", "--bundle", bundleFile, "--key", verifierKey);
        Assert.True(bundle.ExitCode == 0, bundle.Error);
        Assert.Contains($"was listed as {publicId} under category attack-footage", bundle.Out, StringComparison.Ordinal);
        await File.WriteAllTextAsync(bundleFile, (await File.ReadAllTextAsync(bundleFile)).Replace(pdq, (pdq[0] == '0' ? "1" : "0") + pdq[1..], StringComparison.Ordinal));
        Assert.Equal(ExitCodes.VerificationFailed, CliRunner.Run("verify", "--bundle", bundleFile, "--key", verifierKey).ExitCode);

        // Anyone files a dispute; the operator upholds it; the signal stops matching within a second.
        using HttpResponseMessage filing = await anonymous.PostAsJsonAsync("/disputes", new { signal_id = publicId, statement = "This is footage from a news broadcast.", contact = "newsroom@example.org" });
        Assert.Equal(HttpStatusCode.Created, filing.StatusCode);
        string disputeId = (string)(await filing.Content.ReadFromJsonAsync<JsonNode>())!["dispute_id"]!;
        Assert.Equal("open", (string)(await anonymous.GetFromJsonAsync<JsonNode>($"/disputes/{disputeId}"))!["status"]!);
        Assert.True(await MatchesAsync(http, pdq, id));
        using HttpResponseMessage resolved = await http.PostAsJsonAsync($"/api/v1/disputes/{disputeId}/resolve", new { outcome = "upheld", reason = "The footage is a news broadcast." });
        Assert.True(resolved.IsSuccessStatusCode, await resolved.Content.ReadAsStringAsync());
        var clock = Stopwatch.StartNew();
        while (await MatchesAsync(http, pdq, id))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "the withdrawn signal still matched after a second");
            await Task.Delay(20);
        }

        JsonNode notifications = (await http.GetFromJsonAsync<JsonNode>("/api/v1/notifications"))!;
        Assert.Equal(["dispute-filed", "dispute-upheld"], notifications["items"]!.AsArray().Select(n => (string)n!["kind"]!));

        // The report shows it, and the auditor's recomputation from the log agrees.
        JsonNode report = (await anonymous.GetFromJsonAsync<JsonNode>("/transparency/report.json"))!;
        JsonNode disputes = report["disputes"]!.AsArray().Single()!;
        Assert.Equal((1, 1, 0), ((int)disputes["filed"]!, (int)disputes["upheld"]!, (int)disputes["rejected"]!));
        Assert.NotNull(report["median_seconds_to_resolution"]);
        string page = await anonymous.GetStringAsync("/transparency");
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", page.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("disputes,", await anonymous.GetStringAsync("/transparency/report.csv"), StringComparison.Ordinal);
        CliRunner.Result audit = Verify();
        Assert.True(audit.ExitCode == 0, audit.Error);
        Assert.Contains("matches the node's published report", audit.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_creates_the_signing_key_once_owner_only_and_publishes_its_verifier_key()
    {
        string path = Path.Combine(DataDirectory, LogKeyFile.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Contains("Created the transparency log's signing key", _node.Banner, StringComparison.Ordinal);
        using var key = Clearinghouse.Ledger.Keys.NodeSigningKey.Load(path);
        using var http = new HttpClient { BaseAddress = _node.Address };
        Assert.Equal(key.VerifierKey, (await http.GetStringAsync("/log/verifier-key")).Trim());

        await _node.DisposeAsync();
        _node = await RunningNode.StartAsync(DataDirectory, postgres: Postgres);
        Assert.DoesNotContain("Created the transparency log's signing key", _node.Banner, StringComparison.Ordinal);
        using var again = new HttpClient { BaseAddress = _node.Address };
        Assert.Equal(key.VerifierKey, (await again.GetStringAsync("/log/verifier-key")).Trim());
    }

    [Fact]
    public void Bad_command_lines_are_usage_errors()
    {
        Assert.Equal(ExitCodes.UsageError, CliRunner.Run("verify").ExitCode);
        Assert.Equal(ExitCodes.UsageError, CliRunner.Run("verify", "--node", NodeUrl, "--dir", DataDirectory).ExitCode);
        Assert.Equal(ExitCodes.BadInput, CliRunner.Run("verify", "--dir", DataDirectory).ExitCode);
    }

    private static async Task<bool> MatchesAsync(HttpClient http, string pdq, long id)
    {
        JsonNode result = (await http.GetFromJsonAsync<JsonNode>($"/api/v1/match?signal_type=pdq&value={pdq}"))!;
        return result["matches"]!.AsArray().Any(m => (long)m!["signal_id"]! == id);
    }

    private CliRunner.Result Verify(params string[] extra) =>
        CliRunner.Run(["verify", "--node", NodeUrl, "--state", StateDirectory, .. extra]);

    private async Task SeedAsync(int signals, string bankName = "audit-bank")
    {
        await using var store = await NodeStore.OpenAsync(new StoreLocation(DataDirectory, Postgres), CancellationToken.None);
        Member member = await store.FindMemberAsync("Org One") ?? await store.CreateMemberAsync("Org One");
        Bank bank = await store.CreateBankAsync(new NewBank(bankName, "attack-footage", member.Id));
        IReadOnlyList<AddSignalResult> added = await store.AddSignalsAsync(bank.Id, member.Id, [.. Enumerable.Range(0, signals).Select(_ => new NewSignal("pdq", Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())))]);
        await store.WithdrawSignalAsync(added[0].SignalId);
    }

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using DbConnection connection = OpenRaw();
        await connection.OpenAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach ((string name, object value) in parameters)
        {
            DbParameter parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }

    private async Task<byte[]> ReadEntryAsync(long index)
    {
        await using DbConnection connection = OpenRaw();
        await connection.OpenAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT body FROM log_entries WHERE idx = {index}";
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    private Task WriteEntryAsync(long index, byte[] body) =>
        ExecuteAsync($"UPDATE log_entries SET body = @body WHERE idx = {index}", ("@body", body));

    private async Task EditEntryAsync(long index, Func<string, string> edit)
    {
        string before = Encoding.UTF8.GetString(await ReadEntryAsync(index));
        string after = edit(before);
        Assert.NotEqual(before, after);
        await WriteEntryAsync(index, Encoding.UTF8.GetBytes(after));
    }

    /// <summary>Recomputes every tile and the head from the stored entries, as an operator rewriting history would.</summary>
    private async Task RebuildTreeAsync()
    {
        var leaves = new List<MerkleHash>();
        await using (DbConnection connection = OpenRaw())
        {
            await connection.OpenAsync();
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = "SELECT body FROM log_entries ORDER BY idx";
            await using DbDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                leaves.Add(Rfc6962.HashLeaf(reader.GetFieldValue<byte[]>(0)));
            }
        }

        PendingAppend tree = MerkleLog.Create(new InMemoryTileStore()).PrepareAppend([.. leaves]);
        await ExecuteAsync("DELETE FROM log_tiles");
        foreach (Tile tile in tree.Tiles)
        {
            await ExecuteAsync(
                "INSERT INTO log_tiles (level, idx, width, hashes) VALUES (@level, @idx, @width, @hashes)",
                ("@level", tile.Id.Level), ("@idx", tile.Id.Index), ("@width", tile.Width), ("@hashes", tile.Rows.ToArray()));
        }

        await ExecuteAsync("UPDATE log_head SET size = @size, root = @root WHERE id = 1", ("@size", tree.NewSize), ("@root", tree.NewRoot.ToArray()));
    }
}

/// <summary>The verify tests on the embedded SQLite store.</summary>
public sealed class SqliteVerifyCommandTests : VerifyCommandTests
{
    protected override string? Postgres => null;

    protected override Task CreateDatabaseAsync() => Task.CompletedTask;

    protected override DbConnection OpenRaw() =>
        new SqliteConnection($"Data Source={Path.Combine(DataDirectory, SqliteStore.DatabaseFileName)};Pooling=False");
}

/// <summary>The verify tests on PostgreSQL (a database per test in the throwaway cluster).</summary>
public sealed class PostgresVerifyCommandTests : VerifyCommandTests
{
    private string _database = null!;

    protected override string? Postgres => _database;

    protected override async Task CreateDatabaseAsync() => _database = await PostgresCluster.Instance.CreateDatabaseAsync("verify");

    protected override DbConnection OpenRaw() => new NpgsqlConnection(_database);
}
