using Npgsql;

namespace Clearinghouse.Storage.Tests;

public sealed class StoreFactoryTests(TempDirectory root) : IClassFixture<TempDirectory>
{
    [Theory]
    [InlineData("postgres://ch:s%40cret@db.example:6543/clearing?sslmode=require", "db.example", 6543, "ch", "s@cret", "clearing")]
    [InlineData("postgresql://ch@localhost/clearing", "localhost", 5432, "ch", null, "clearing")]
    [InlineData("postgres://[::1]:5433/x", "::1", 5433, null, null, "x")]
    [InlineData("Host=10.0.0.5;Port=5433;Username=u;Password=p;Database=d", "10.0.0.5", 5433, "u", "p", "d")]
    public void Postgres_urls_and_connection_strings_become_npgsql_connection_strings(string text, string host, int port, string? user, string? password, string database)
    {
        Assert.True(PostgresConnectionString.IsPostgres(text));
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(text));
        Assert.Equal(host, builder.Host);
        Assert.Equal(port, builder.Port);
        Assert.Equal(user, builder.Username);
        Assert.Equal(password, builder.Password);
        Assert.Equal(database, builder.Database);
    }

    [Fact]
    public void A_url_option_npgsql_does_not_know_is_refused_precisely_and_the_password_is_not_shown()
    {
        FormatException e = Assert.Throws<FormatException>(() => PostgresConnectionString.Normalize("postgres://u:topsecret@h/d?frobnicate=1"));
        Assert.Contains("frobnicate", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data")]
    [InlineData("/var/lib/clearinghouse")]
    [InlineData("./dir=with=equals")]
    public void Anything_else_is_a_sqlite_data_directory(string text) => Assert.False(PostgresConnectionString.IsPostgres(text));

    [Fact]
    public async Task The_factory_opens_sqlite_in_a_directory_it_creates_and_postgres_without_connecting()
    {
        string directory = root.Sub("factory", "data");
        await using (IClearinghouseStore store = await StoreFactory.OpenMigratedAsync(directory))
        {
            Assert.IsType<SqliteStore>(store);
            Assert.True(File.Exists(Path.Combine(directory, SqliteStore.DatabaseFileName)));
        }

        await using IClearinghouseStore postgres = StoreFactory.Open("postgres://nobody@127.0.0.1:1/none");
        Assert.IsType<PostgresStore>(postgres);
    }
}
