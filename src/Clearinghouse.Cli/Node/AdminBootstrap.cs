using Clearinghouse.Server.Auth;
using Clearinghouse.Storage;

namespace Clearinghouse.Cli.Node;

/// <summary>
/// The operator's first key: on a node's first start there is no member yet, so <c>serve</c> creates the
/// <see cref="AdminMemberName"/> member with an all-scopes key and prints it once. Later starts find the key and
/// print nothing.
/// </summary>
internal static class AdminBootstrap
{
    public const string AdminMemberName = "admin";

    /// <summary>
    /// The new admin key when one had to be issued: the member did not exist, or it holds no unrevoked admin-scope
    /// key (a first start that stopped between creating the member and its key); null otherwise.
    /// </summary>
    public static async Task<IssuedApiKey?> EnsureAsync(IClearinghouseStore store, CancellationToken cancellationToken)
    {
        var admin = await store.FindMemberAsync(AdminMemberName, cancellationToken).ConfigureAwait(false);
        if (admin is null)
        {
            try
            {
                admin = await store.CreateMemberAsync(AdminMemberName, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreException ex) when (ex.Error == StoreError.Conflict)
            {
                // Another process (a replica on the same PostgreSQL) created it first.
                admin = await store.FindMemberAsync(AdminMemberName, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("The admin member was reported taken but cannot be found.", ex);
            }
        }

        var keys = await store.ListApiKeysAsync(admin.Id, cancellationToken).ConfigureAwait(false);
        if (keys.Any(k => !k.IsRevoked && (k.Scopes & ApiScopes.Admin) != 0))
        {
            return null;
        }

        return await new ApiKeyIssuer(store).IssueAsync(admin.Id, ApiScopes.All, "first start", cancellationToken).ConfigureAwait(false);
    }
}
