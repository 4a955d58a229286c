using System.Data.Common;
using Clearinghouse.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace Clearinghouse.Storage.Tests;

/// <summary>The contract on SQLite (a data directory per test, under one temp directory per class), and what only SQLite has.</summary>
public sealed class SqliteStoreTests(TempDirectory root) : StoreContractTests, IClassFixture<TempDirectory>
{
    protected override Task<TestDatabase> CreateDatabaseAsync() =>
        Task.FromResult<TestDatabase>(new SqliteTestDatabase(root.Sub(Guid.NewGuid().ToString("N"))));

    [Fact]
    public async Task Committed_data_is_there_after_closing_and_reopening_the_store()
    {
        string directory = root.Sub("reopen-" + Guid.NewGuid().ToString("N"));
        long bankId;
        long[] ids;
        await using (var store = new SqliteStore(directory))
        {
            await store.MigrateAsync();
            await store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault());
            Member owner = await store.CreateMemberAsync("owner");
            bankId = (await store.CreateBankAsync(new NewBank("B", NoDesignationCategory, owner.Id))).Id;
            ids = [.. (await store.AddSignalsAsync(bankId, owner.Id, [Sig(1), Sig(2)])).Select(r => r.SignalId)];
            await store.WithdrawSignalAsync(ids[0]);
        }

        Assert.True(File.Exists(Path.Combine(directory, SqliteStore.DatabaseFileName)));
        await using (var reopened = new SqliteStore(directory))
        {
            await reopened.MigrateAsync();
            Assert.Equal("B", (await reopened.GetBankAsync(bankId))!.Name);
            IReadOnlyList<Signal> signals = await reopened.GetSignalsAsync(ids);
            Assert.Equal([SignalStatus.Withdrawn, SignalStatus.Active], signals.Select(s => s.Status));
            Assert.Equal(4, await reopened.GetChangePositionAsync());
            Assert.Equal(1, (await reopened.GetTaxonomyAsync())!.Version);
        }
    }

    [Fact]
    public async Task The_data_directory_is_created_and_connections_are_durable_wal_with_foreign_keys()
    {
        string directory = root.Sub("fresh-" + Guid.NewGuid().ToString("N"), "nested");
        await using var store = new SqliteStore(directory);
        Assert.True(Directory.Exists(directory));
        await store.MigrateAsync();

        await using var dialect = new SqliteDialect(store.DatabasePath);
        await using DbConnection connection = await dialect.OpenAsync(CancellationToken.None);
        Assert.Equal("wal", await Pragma(connection, "journal_mode"));
        Assert.Equal("2", await Pragma(connection, "synchronous")); // FULL
        Assert.Equal("1", await Pragma(connection, "foreign_keys"));
        Assert.Equal("60000", await Pragma(connection, "busy_timeout"));
    }

    private static async Task<string> Pragma(DbConnection connection, string name)
    {
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + name;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private sealed class SqliteTestDatabase(string directory) : TestDatabase
    {
        private string DatabasePath => Path.Combine(directory, SqliteStore.DatabaseFileName);

        public override IClearinghouseStore OpenStore() => new SqliteStore(directory);

        public override async Task ExecuteAsync(string sql)
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
            await connection.OpenAsync();
            await using SqliteCommand command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }

        public override Task FailWritesOfSignalValueAsync(string value) => ExecuteAsync($"""
            CREATE TRIGGER fail_insert BEFORE INSERT ON signals WHEN NEW.value = '{value}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
            CREATE TRIGGER fail_update BEFORE UPDATE ON signals WHEN NEW.value = '{value}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
            """);

        public override ValueTask DisposeAsync()
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }

            return ValueTask.CompletedTask;
        }
    }
}
