using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

/// <summary>
/// The shared store for several nodes: PostgreSQL through Npgsql. Takes an Npgsql connection string
/// (<c>Host=…;Database=…</c>) or a <c>postgres://user:password@host:port/database</c> URL.
/// </summary>
public sealed class PostgresStore : SqlStore
{
    public PostgresStore(string connectionStringOrUrl, TimeProvider? timeProvider = null)
        : base(new PostgresDialect(PostgresConnectionString.Normalize(connectionStringOrUrl)), timeProvider)
    {
    }
}
