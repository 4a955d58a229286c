using System.CommandLine;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Node;

/// <summary>
/// Where the node's data lives, shared by <c>serve</c> and the operator commands (<c>member</c>, <c>bank</c>,
/// <c>import</c>, <c>export</c>): a SQLite data directory (the embedded default), or a PostgreSQL database given by
/// <c>--db</c> or <see cref="DatabaseVariable"/>. The data directory also holds the cursor key, whichever the store.
/// </summary>
internal sealed class StoreOptions
{
    /// <summary>Environment variable naming the PostgreSQL database when <c>--db</c> is not given.</summary>
    public const string DatabaseVariable = "CLEARINGHOUSE_DB";

    public const string DefaultDataDirectory = "clearinghouse-data";

    public Option<string> Data { get; } = new("--data")
    {
        Description = $"The node's data directory: the SQLite database (unless --db) and the cursor key (default ./{DefaultDataDirectory})",
        DefaultValueFactory = _ => DefaultDataDirectory,
    };

    public Option<string?> Database { get; } = new("--db")
    {
        Description = $"Use PostgreSQL instead of SQLite: a postgres://user:password@host:port/database URL or an Npgsql connection string (default: ${DatabaseVariable})",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(Database);
    }

    public StoreLocation Read(ParseResult parse)
    {
        string data = parse.GetValue(Data)!;
        if (string.IsNullOrWhiteSpace(data))
        {
            throw new UsageException("--data needs a directory");
        }

        string? database = parse.GetValue(Database);
        if (string.IsNullOrWhiteSpace(database))
        {
            database = Environment.GetEnvironmentVariable(DatabaseVariable);
        }

        if (!string.IsNullOrWhiteSpace(database) && !PostgresConnectionString.IsPostgres(database))
        {
            throw new UsageException("--db must be a postgres:// (or postgresql://) URL or an Npgsql connection string such as 'Host=…;Database=…' (without --db the node uses SQLite in --data)");
        }

        return new StoreLocation(Path.GetFullPath(data), string.IsNullOrWhiteSpace(database) ? null : database);
    }
}

/// <summary>The data directory, and the PostgreSQL database when one is used instead of SQLite in it.</summary>
internal sealed record StoreLocation(string DataDirectory, string? PostgresDatabase)
{
    public bool IsPostgres => PostgresDatabase is not null;

    /// <summary>For messages: where the signals are kept (never the PostgreSQL password).</summary>
    public string Describe() => IsPostgres ? "PostgreSQL (--db)" : $"SQLite in {DataDirectory}";
}
