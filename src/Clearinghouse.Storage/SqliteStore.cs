using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

/// <summary>
/// The embedded default: one SQLite database file, <see cref="DatabaseFileName"/>, in a data directory (created
/// when missing). WAL mode, <c>synchronous=FULL</c>, foreign keys on, writers serialised by SQLite's write lock.
/// </summary>
public sealed class SqliteStore : SqlStore
{
    public const string DatabaseFileName = "clearinghouse.db";

    public SqliteStore(string dataDirectory, TimeProvider? timeProvider = null)
        : this(new SqliteDialect(Prepare(dataDirectory)), timeProvider)
    {
    }

    private SqliteStore(SqliteDialect dialect, TimeProvider? timeProvider)
        : base(dialect, timeProvider) => DatabasePath = dialect.DatabasePath;

    /// <summary>The database file's full path.</summary>
    public string DatabasePath { get; }

    private static string Prepare(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        string directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, DatabaseFileName);
    }
}
