using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

/// <summary>The same commands against PostgreSQL (the throwaway test cluster) instead of SQLite.</summary>
public sealed class PostgresCommandTests : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-pg-cli-").FullName;
    private readonly string _database;

    public PostgresCommandTests(PostgresDatabase database) => _database = database.ConnectionString;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Serve_import_export_and_match_work_on_postgres()
    {
        await using (var node = await RunningNode.StartAsync(_dir, demo: true, postgres: _database))
        {
            string key = node.PrintedKey!;
            Assert.Contains("store:    PostgreSQL (--db)", node.Banner, StringComparison.Ordinal);
            Assert.Equal(
                ExitCodes.Matched,
                CliRunner.Run("match", TestData.PathOf("pdq", "images", "bridge-mods", "aaa-orig.jpg"), "--server", node.Address.ToString(), "--key", key).ExitCode);

            // An operator import on the node's machine reaches the running node through the store's change feed.
            Assert.Equal(0, CliRunner.Run("bank", "create", "pg-bank", "--category", "attack-footage", "--data", _dir, "--db", _database).ExitCode);
            string input = Path.Combine(_dir, "in.txt");
            await File.WriteAllTextAsync(input, "md5 0123456789abcdef0123456789abcdef\npdq 0000000000000000000000000000000000000000000000000000000000000001\n");
            Assert.Equal(0, CliRunner.Run("import", input, "--bank", "pg-bank", "--data", _dir, "--db", _database).ExitCode);
            Assert.Equal(
                ["md5 0123456789abcdef0123456789abcdef", "pdq 0000000000000000000000000000000000000000000000000000000000000001"],
                CliRunner.Run("export", "--bank", "pg-bank", "--data", _dir, "--db", _database).OutLines.Order(StringComparer.Ordinal));

            CliRunner.Result match = null!;
            var deadline = DateTime.UtcNow.AddSeconds(5);
            do
            {
                match = CliRunner.Run("match", "--type", "md5", "0123456789ABCDEF0123456789ABCDEF", "--server", node.Address.ToString(), "--key", key);
            }
            while (match.ExitCode != ExitCodes.Matched && DateTime.UtcNow < deadline);
            Assert.Equal(ExitCodes.Matched, match.ExitCode);
            Assert.Contains("bank pg-bank", match.Out, StringComparison.Ordinal);
        }

        await using var again = await RunningNode.StartAsync(_dir, postgres: _database);
        Assert.Null(again.PrintedKey);
    }
}
