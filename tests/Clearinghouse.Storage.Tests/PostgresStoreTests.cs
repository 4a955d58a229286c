using Clearinghouse.Tests;
using Npgsql;

namespace Clearinghouse.Storage.Tests;

/// <summary>The contract on PostgreSQL: the process's throwaway cluster, a new database for every test.</summary>
public sealed class PostgresStoreTests : StoreContractTests
{
    protected override async Task<TestDatabase> CreateDatabaseAsync() =>
        new PostgresTestDatabase(await PostgresCluster.Instance.CreateDatabaseAsync("store"));

    [Fact]
    public async Task A_postgres_url_opens_the_same_database_as_its_connection_string()
    {
        var builder = new NpgsqlConnectionStringBuilder(((PostgresTestDatabase)Database).ConnectionString);
        string url = $"postgres://{Uri.EscapeDataString(builder.Username!)}:{Uri.EscapeDataString(builder.Password!)}@{builder.Host}:{builder.Port}/{builder.Database}";
        Member member = await MemberAsync();

        await using IClearinghouseStore viaUrl = StoreFactory.Open(url);
        Assert.IsType<PostgresStore>(viaUrl);
        Assert.Equal(member, await viaUrl.GetMemberAsync(member.Id));
    }

    private sealed class PostgresTestDatabase(string connectionString) : TestDatabase
    {
        public string ConnectionString => connectionString;

        public override IClearinghouseStore OpenStore() => new PostgresStore(connectionString);

        public override async Task ExecuteAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        public override Task FailWritesOfSignalValueAsync(string value) => ExecuteAsync($"""
            CREATE FUNCTION fail_signal_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.value = '{value}' THEN RAISE EXCEPTION 'injected failure'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER fail_signal_write BEFORE INSERT OR UPDATE ON signals FOR EACH ROW EXECUTE FUNCTION fail_signal_write();
            """);

        public override async ValueTask DisposeAsync() => await PostgresCluster.Instance.DropDatabaseAsync(connectionString);
    }
}
