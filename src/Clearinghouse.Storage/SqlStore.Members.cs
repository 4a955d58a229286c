using System.Data.Common;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// Members, their API keys, and sharing groups.
public abstract partial class SqlStore
{
    public Task<Member> CreateMemberAsync(string name, CancellationToken cancellationToken = default)
    {
        RequireName(name, "member");

        // Under the change lock: joining is a log entry.
        return WriteAsync(WriteLock.Changes, async session =>
        {
            try
            {
                long id = await session.ScalarAsync<long>(
                    "INSERT INTO members (name, created_us, active) VALUES (@name, @at, @active) RETURNING id",
                    cancellationToken,
                    ("@name", name),
                    ("@at", session.NowMicros),
                    ("@active", true)).ConfigureAwait(false);
                session.Log.Add(index => new MemberJoined(index, EntryTime(session), name));
                return new Member(id, name, Micros.ToTime(session.NowMicros), true);
            }
            catch (DbException e) when (Dialect.IsUniqueViolation(e))
            {
                throw Conflict($"a member named \"{name}\" already exists");
            }
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Logs member-left when a member becomes inactive and member-joined when it becomes active again;
    /// <see cref="StoreError.NotFound"/> for an unknown member.</remarks>
    public Task<Member> SetMemberActiveAsync(long memberId, bool active, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.Changes, async session =>
        {
            Member member = await session.QuerySingleAsync(
                $"SELECT {Rows.MemberColumns} FROM members WHERE id = @id", Rows.Member, cancellationToken, ("@id", memberId)).ConfigureAwait(false)
                ?? throw NotFound($"there is no member with id {memberId}");
            if (member.Active == active)
            {
                return member;
            }

            await session.ExecuteAsync("UPDATE members SET active = @active WHERE id = @id", cancellationToken, ("@active", active), ("@id", memberId)).ConfigureAwait(false);
            session.Log.Add(index => active
                ? new MemberJoined(index, EntryTime(session), member.Name)
                : new MemberLeft(index, EntryTime(session), member.Name));
            return member with { Active = active };
        }, cancellationToken);

    public Task<Member?> GetMemberAsync(long memberId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            $"SELECT {Rows.MemberColumns} FROM members WHERE id = @id", Rows.Member, cancellationToken, ("@id", memberId)), cancellationToken);

    public Task<Member?> FindMemberAsync(string name, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            $"SELECT {Rows.MemberColumns} FROM members WHERE name = @name", Rows.Member, cancellationToken, ("@name", name)), cancellationToken);

    public async Task<IReadOnlyList<Member>> ListMembersAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            $"SELECT {Rows.MemberColumns} FROM members ORDER BY id", Rows.Member, cancellationToken), cancellationToken).ConfigureAwait(false);

    public Task<ApiKey> AddApiKeyAsync(long memberId, string keyId, byte[] salt, byte[] secretHash, ApiScopes scopes, string? label, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(keyId))
        {
            throw Invalid("key id is empty");
        }

        if (salt is not { Length: > 0 } || secretHash is not { Length: > 0 })
        {
            throw Invalid("a key needs a non-empty salt and secret hash");
        }

        if (scopes == ApiScopes.None || (scopes & ~ApiScopes.All) != 0)
        {
            throw Invalid($"key scopes {(int)scopes} must be a non-empty combination of hash, match, contribute, review and admin");
        }

        return WriteAsync(WriteLock.None, async session =>
        {
            await RequireMemberAsync(session, memberId, cancellationToken).ConfigureAwait(false);
            try
            {
                long id = await session.ScalarAsync<long>(
                    "INSERT INTO api_keys (member_id, key_id, salt, secret_hash, scopes, label, created_us) VALUES (@member, @key, @salt, @hash, @scopes, @label, @at) RETURNING id",
                    cancellationToken,
                    ("@member", memberId),
                    ("@key", keyId),
                    ("@salt", salt),
                    ("@hash", secretHash),
                    ("@scopes", (int)scopes),
                    ("@label", label),
                    ("@at", session.NowMicros)).ConfigureAwait(false);
                return new ApiKey(id, memberId, keyId, [.. salt], [.. secretHash], scopes, label, Micros.ToTime(session.NowMicros), null);
            }
            catch (DbException e) when (Dialect.IsUniqueViolation(e))
            {
                throw Conflict($"an API key with id \"{keyId}\" already exists");
            }
        }, cancellationToken);
    }

    public Task<ApiKey?> FindApiKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            $"SELECT {Rows.ApiKeyColumns} FROM api_keys WHERE key_id = @key", Rows.ApiKey, cancellationToken, ("@key", keyId)), cancellationToken);

    public async Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(long memberId, CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            $"SELECT {Rows.ApiKeyColumns} FROM api_keys WHERE member_id = @member ORDER BY id", Rows.ApiKey, cancellationToken, ("@member", memberId)), cancellationToken).ConfigureAwait(false);

    public Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.None, async session =>
            await session.ExecuteAsync(
                "UPDATE api_keys SET revoked_us = @at WHERE key_id = @key AND revoked_us IS NULL",
                cancellationToken,
                ("@at", session.NowMicros),
                ("@key", keyId)).ConfigureAwait(false) == 1, cancellationToken);

    // --- sharing groups ----------------------------------------------------------------------------------------

    public Task<SharingGroup> CreateSharingGroupAsync(string name, CancellationToken cancellationToken = default)
    {
        RequireName(name, "sharing group");
        return WriteAsync(WriteLock.None, async session =>
        {
            try
            {
                long id = await session.ScalarAsync<long>(
                    "INSERT INTO sharing_groups (name, created_us) VALUES (@name, @at) RETURNING id",
                    cancellationToken,
                    ("@name", name),
                    ("@at", session.NowMicros)).ConfigureAwait(false);
                return new SharingGroup(id, name, Micros.ToTime(session.NowMicros));
            }
            catch (DbException e) when (Dialect.IsUniqueViolation(e))
            {
                throw Conflict($"a sharing group named \"{name}\" already exists");
            }
        }, cancellationToken);
    }

    /// <summary>Adds a member to a group; adding a member twice changes nothing.</summary>
    public Task AddGroupMemberAsync(long groupId, long memberId, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.None, async session =>
        {
            await RequireGroupAsync(session, groupId, cancellationToken).ConfigureAwait(false);
            await RequireMemberAsync(session, memberId, cancellationToken).ConfigureAwait(false);
            return await session.ExecuteAsync(
                "INSERT INTO group_members (group_id, member_id) VALUES (@group, @member) ON CONFLICT DO NOTHING",
                cancellationToken,
                ("@group", groupId),
                ("@member", memberId)).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Removes a member from a group; removing a member that is not in it changes nothing.</summary>
    public Task RemoveGroupMemberAsync(long groupId, long memberId, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.None, async session =>
        {
            await RequireGroupAsync(session, groupId, cancellationToken).ConfigureAwait(false);
            await RequireMemberAsync(session, memberId, cancellationToken).ConfigureAwait(false);
            return await session.ExecuteAsync(
                "DELETE FROM group_members WHERE group_id = @group AND member_id = @member",
                cancellationToken,
                ("@group", groupId),
                ("@member", memberId)).ConfigureAwait(false);
        }, cancellationToken);

    public async Task<IReadOnlyList<SharingGroup>> ListGroupsOfMemberAsync(long memberId, CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            "SELECT g.id, g.name, g.created_us FROM sharing_groups g JOIN group_members m ON m.group_id = g.id WHERE m.member_id = @member ORDER BY g.id",
            Rows.Group,
            cancellationToken,
            ("@member", memberId)), cancellationToken).ConfigureAwait(false);

    private static async Task RequireMemberAsync(Session session, long memberId, CancellationToken cancellationToken)
    {
        if (await session.ScalarAsync<long>("SELECT count(*) FROM members WHERE id = @id", cancellationToken, ("@id", memberId)).ConfigureAwait(false) == 0)
        {
            throw NotFound($"there is no member with id {memberId}");
        }
    }

    private static async Task RequireGroupAsync(Session session, long groupId, CancellationToken cancellationToken)
    {
        if (await session.ScalarAsync<long>("SELECT count(*) FROM sharing_groups WHERE id = @id", cancellationToken, ("@id", groupId)).ConfigureAwait(false) == 0)
        {
            throw NotFound($"there is no sharing group with id {groupId}");
        }
    }
}
