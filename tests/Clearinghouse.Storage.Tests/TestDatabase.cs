namespace Clearinghouse.Storage.Tests;

/// <summary>One fresh, empty database for one test, and raw access to it for setting up what the store's API cannot.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    /// <summary>A new store object on this database (not migrated: that is the caller's step).</summary>
    public abstract IClearinghouseStore OpenStore();

    /// <summary>Runs SQL on the database directly, outside the store.</summary>
    public abstract Task ExecuteAsync(string sql);

    /// <summary>
    /// Installs a trigger that makes the database itself refuse (raise an error on) any insert or update of a
    /// signal row with this value: a constraint violation in the middle of a store transaction.
    /// </summary>
    public abstract Task FailWritesOfSignalValueAsync(string value);

    public abstract ValueTask DisposeAsync();
}
