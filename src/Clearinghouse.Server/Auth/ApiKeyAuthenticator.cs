using System.Collections.Concurrent;
using System.Security.Cryptography;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Auth;

/// <summary>Why a presented key was refused.</summary>
internal enum AuthFailure
{
    None,
    Missing,
    Malformed,
    Invalid,
    Revoked,
    MemberInactive,
}

/// <summary>The outcome of authenticating one request.</summary>
internal readonly record struct AuthResult(Caller? Caller, AuthFailure Failure);

/// <summary>
/// Verifies API keys against the store, caching what it read (key, member, groups) per key id for at most
/// <see cref="NodeOptions.KeyCacheTtl"/>: a revocation, a deactivated member or a group change made anywhere is seen
/// within that time. From half the TTL on, an entry is refreshed in the background, so steady traffic never waits
/// for the store. The secret is checked on every request (SHA-256 and a constant-time comparison).
/// </summary>
internal sealed class ApiKeyAuthenticator(IClearinghouseStore store, NodeOptions options)
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly long _ttlMs = Math.Max(1, (long)options.KeyCacheTtl.TotalMilliseconds);

    public async ValueTask<AuthResult> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return new AuthResult(null, AuthFailure.Missing);
        }

        Span<byte> secret = stackalloc byte[ApiKeyFormat.SecretBytes];
        if (!ApiKeyFormat.TryParse(presented, out var keyIdSpan, secret))
        {
            return new AuthResult(null, AuthFailure.Malformed);
        }

        var lookup = _slots.GetAlternateLookup<ReadOnlySpan<char>>();
        Entry? entry;
        if (lookup.TryGetValue(keyIdSpan, out var slot) && slot.Current is { } cached && Fresh(cached, slot))
        {
            entry = cached;
        }
        else
        {
            string keyId = keyIdSpan.ToString();
            byte[] secretCopy = secret.ToArray();
            return await AuthenticateSlowAsync(keyId, secretCopy, cancellationToken).ConfigureAwait(false);
        }

        return Verify(entry, secret);
    }

    /// <summary>Forgets what is cached for a key (after this node revoked it, so the change applies at once).</summary>
    public void Invalidate(string keyId) => _slots.TryRemove(keyId, out _);

    /// <summary>Forgets every cached key of a member (after a change to its groups or status made through this node).</summary>
    public void InvalidateMember(long memberId)
    {
        foreach (var (keyId, slot) in _slots)
        {
            if (slot.Current?.Key?.MemberId == memberId)
            {
                _slots.TryRemove(keyId, out _);
            }
        }
    }

    private static AuthResult Verify(Entry entry, ReadOnlySpan<byte> secret)
    {
        if (entry.Key is null)
        {
            return new AuthResult(null, AuthFailure.Invalid);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        ApiKeyFormat.HashSecret(entry.Key.Salt, secret, hash);
        if (!CryptographicOperations.FixedTimeEquals(hash, entry.Key.SecretHash))
        {
            return new AuthResult(null, AuthFailure.Invalid);
        }

        // Only a holder of the right secret learns that the key was revoked.
        if (entry.Key.IsRevoked)
        {
            return new AuthResult(null, AuthFailure.Revoked);
        }

        return entry.Caller is null ? new AuthResult(null, AuthFailure.MemberInactive) : new AuthResult(entry.Caller, AuthFailure.None);
    }

    /// <summary>Whether a cached entry may be used now; starts a background refresh when it is getting old.</summary>
    private bool Fresh(Entry entry, Slot slot)
    {
        long age = Environment.TickCount64 - entry.ReadAt;
        if (age >= _ttlMs)
        {
            return false;
        }

        if (age >= _ttlMs / 2)
        {
            _ = slot.RefreshAsync(this, CancellationToken.None);
        }

        return true;
    }

    private async Task<AuthResult> AuthenticateSlowAsync(string keyId, byte[] secret, CancellationToken cancellationToken)
    {
        try
        {
            var slot = _slots.GetOrAdd(keyId, static id => new Slot(id));
            var entry = slot.Current;
            if (entry is null || Environment.TickCount64 - entry.ReadAt >= _ttlMs)
            {
                entry = await slot.RefreshAsync(this, cancellationToken).ConfigureAwait(false);
            }

            if (entry.Key is null)
            {
                // Do not keep slots for key ids that do not exist: random ids must not grow the cache.
                _slots.TryRemove(keyId, out _);
            }

            return Verify(entry, secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private async Task<Entry> ReadAsync(string keyId, CancellationToken cancellationToken)
    {
        long readAt = Environment.TickCount64;
        var key = await store.FindApiKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return new Entry(null, null, readAt);
        }

        var member = await store.GetMemberAsync(key.MemberId, cancellationToken).ConfigureAwait(false);
        if (member is null || !member.Active || key.IsRevoked)
        {
            return new Entry(key, null, readAt);
        }

        var groups = await store.ListGroupsOfMemberAsync(member.Id, cancellationToken).ConfigureAwait(false);
        long[] groupIds = new long[groups.Count];
        for (int i = 0; i < groupIds.Length; i++)
        {
            groupIds[i] = groups[i].Id;
        }

        return new Entry(key, new Caller(key.KeyId, key.Scopes, member, groupIds), readAt);
    }

    /// <summary>What was read for one key id, at <see cref="ReadAt"/> (TickCount64).</summary>
    private sealed record Entry(ApiKey? Key, Caller? Caller, long ReadAt);

    /// <summary>The cache cell of one key id: the last entry and at most one refresh in flight.</summary>
    private sealed class Slot(string keyId)
    {
        private readonly Lock _lock = new();
        private Task<Entry>? _refresh;

        public Entry? Current { get; private set; }

        public Task<Entry> RefreshAsync(ApiKeyAuthenticator owner, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (_refresh is { IsCompleted: false } running)
                {
                    return running;
                }

                // Not tied to one request's cancellation: other requests may be waiting on the same read.
                _refresh = RunAsync(owner);
                return _refresh.WaitAsync(cancellationToken);
            }
        }

        private async Task<Entry> RunAsync(ApiKeyAuthenticator owner)
        {
            var entry = await owner.ReadAsync(keyId, CancellationToken.None).ConfigureAwait(false);
            Current = entry;
            return entry;
        }
    }
}
