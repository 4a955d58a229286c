using System.Data.Common;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Node;

/// <summary>Opens the node's store for <c>serve</c> and the operator commands: migrated, with the taxonomy loaded.</summary>
internal static class NodeStore
{
    /// <summary>
    /// Opens (creating the data directory and database when missing), applies pending migrations and the built-in
    /// taxonomy (a no-op when that version is loaded). A store that cannot be opened is one precise line, exit 4.
    /// </summary>
    public static async Task<IClearinghouseStore> OpenAsync(StoreLocation location, CancellationToken cancellationToken)
    {
        IClearinghouseStore? store = null;
        try
        {
            Directory.CreateDirectory(location.DataDirectory);
            store = StoreFactory.Open(location.PostgresDatabase ?? location.DataDirectory);
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            await store.ApplyTaxonomyAsync(TaxonomyFile.LoadDefault(), cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch (Exception ex) when (IsStoreUnavailable(ex))
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            throw new CommandFailedException(ExitCodes.Unavailable, $"cannot open the store ({location.Describe()}): {ex.Message}");
        }
    }

    /// <summary>Failures of the database or the file system, as opposed to bugs.</summary>
    public static bool IsStoreUnavailable(Exception ex) =>
        ex is DbException or IOException or UnauthorizedAccessException or TimeoutException
        || (ex is InvalidOperationException && ex.InnerException is DbException or IOException or System.Net.Sockets.SocketException);

    /// <summary>Runs an operator command against the store: refusals (no such bank, name taken) exit 5, an unusable store 4.</summary>
    public static async Task<int> RunAsync(StoreLocation location, Func<IClearinghouseStore, Task<int>> work, CancellationToken cancellationToken)
    {
        var store = await OpenAsync(location, cancellationToken).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            try
            {
                return await work(store).ConfigureAwait(false);
            }
            catch (StoreException ex)
            {
                throw new CommandFailedException(ExitCodes.Refused, ex.Message);
            }
            catch (Exception ex) when (IsStoreUnavailable(ex))
            {
                throw new CommandFailedException(ExitCodes.Unavailable, $"the store ({location.Describe()}) failed: {ex.Message}");
            }
        }
    }
}
