namespace Clearinghouse.Storage;

/// <summary>Opens the store an operator names: a PostgreSQL URL or connection string, otherwise a SQLite data directory.</summary>
public static class StoreFactory
{
    /// <summary>
    /// A <see cref="PostgresStore"/> for <c>postgres://…</c>/<c>postgresql://…</c> or an Npgsql <c>Host=…</c>
    /// string; otherwise a <see cref="SqliteStore"/> in that directory (created when missing). Not yet migrated.
    /// </summary>
    public static IClearinghouseStore Open(string dataDirectoryOrConnectionString, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectoryOrConnectionString);
        return PostgresConnectionString.IsPostgres(dataDirectoryOrConnectionString)
            ? new PostgresStore(dataDirectoryOrConnectionString, timeProvider)
            : new SqliteStore(dataDirectoryOrConnectionString, timeProvider);
    }

    /// <summary><see cref="Open"/>, then <see cref="IClearinghouseStore.MigrateAsync"/>.</summary>
    public static async Task<IClearinghouseStore> OpenMigratedAsync(string dataDirectoryOrConnectionString, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        IClearinghouseStore store = Open(dataDirectoryOrConnectionString, timeProvider);
        try
        {
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
