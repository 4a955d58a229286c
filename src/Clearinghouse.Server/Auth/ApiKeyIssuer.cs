using Clearinghouse.Storage;

namespace Clearinghouse.Server.Auth;

/// <summary>A key as just issued: its stored record and the full key text, which is shown once and never kept.</summary>
public sealed record IssuedApiKey(ApiKey Record, string Key);

/// <summary>Generates API keys and stores their salted hashes (used by the node and by <c>clearinghouse member add</c>).</summary>
public sealed class ApiKeyIssuer(IClearinghouseStore store)
{
    private const int Attempts = 5;

    /// <summary>Creates a key for <paramref name="memberId"/> with <paramref name="scopes"/>.</summary>
    public async Task<IssuedApiKey> IssueAsync(long memberId, ApiScopes scopes, string? label = null, CancellationToken cancellationToken = default)
    {
        if (scopes == ApiScopes.None || (scopes & ~ApiScopes.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scopes), scopes, "A key needs at least one known scope.");
        }

        for (int attempt = 1; ; attempt++)
        {
            string keyId = ApiKeyFormat.NewKeyId();
            byte[] secret = ApiKeyFormat.NewSecret();
            byte[] salt = ApiKeyFormat.NewSalt();
            try
            {
                var record = await store.AddApiKeyAsync(memberId, keyId, salt, ApiKeyFormat.HashSecret(salt, secret), scopes, label, cancellationToken).ConfigureAwait(false);
                return new IssuedApiKey(record, ApiKeyFormat.Format(keyId, secret));
            }
            catch (StoreException ex) when (ex.Error == StoreError.Conflict && attempt < Attempts)
            {
                // 62^12 key ids: a collision is astronomically unlikely, but cheap to survive.
            }
            finally
            {
                Array.Clear(secret);
            }
        }
    }
}
