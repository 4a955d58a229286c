using Clearinghouse.Ledger.Entries;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// Banks: created, changed and deleted under the change lock, each change taking a change-feed position.
public abstract partial class SqlStore
{
    private const string LiveBank = "deleted = FALSE";

    /// <inheritdoc />
    /// <remarks>
    /// Errors: <see cref="StoreError.UnknownCategory"/>; <see cref="StoreError.NotFound"/> for an unknown owner or
    /// group; <see cref="StoreError.Conflict"/> when a live bank has the name; <see cref="StoreError.Invalid"/> for
    /// a bad name, a Group scope without a group (or a group without the Group scope), or a negative threshold.
    /// </remarks>
    public Task<Bank> CreateBankAsync(NewBank bank, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bank);
        RequireName(bank.Name, "bank");
        RequireScope(bank.Scope, bank.SharingGroupId);
        string thresholds = RequireThresholds(bank.Thresholds);
        return WriteAsync(WriteLock.Changes, async session =>
        {
            await RequiresDesignationAsync(session, bank.Category, cancellationToken).ConfigureAwait(false);
            await RequireMemberAsync(session, bank.OwnerMemberId, cancellationToken).ConfigureAwait(false);
            if (bank.SharingGroupId is long group)
            {
                await RequireGroupAsync(session, group, cancellationToken).ConfigureAwait(false);
            }

            await RequireNameFreeAsync(session, bank.Name, 0, cancellationToken).ConfigureAwait(false);
            long seq = session.Clock.Next();
            long id = await session.ScalarAsync<long>(
                """
                INSERT INTO banks (name, category, owner_id, scope, group_id, enabled, negative, thresholds, description, created_us, deleted, change_seq)
                VALUES (@name, @category, @owner, @scope, @group, @enabled, @negative, @thresholds, @description, @at, FALSE, @seq) RETURNING id
                """,
                cancellationToken,
                ("@name", bank.Name),
                ("@category", bank.Category),
                ("@owner", bank.OwnerMemberId),
                ("@scope", (int)bank.Scope),
                ("@group", bank.SharingGroupId),
                ("@enabled", bank.Enabled),
                ("@negative", bank.Negative),
                ("@thresholds", thresholds),
                ("@description", bank.Description),
                ("@at", session.NowMicros),
                ("@seq", seq)).ConfigureAwait(false);
            string owner = await MemberNameAsync(session, bank.OwnerMemberId, cancellationToken).ConfigureAwait(false);
            string scope = await ScopeNameAsync(session, bank.Scope, bank.SharingGroupId, cancellationToken).ConfigureAwait(false);
            session.Log.Add(index => new BankCreated(index, EntryTime(session), bank.Name, owner, bank.Category, scope));
            return new Bank(
                id, bank.Name, bank.Category, bank.OwnerMemberId, bank.Scope, bank.SharingGroupId, bank.Enabled, bank.Negative,
                StoreJson.ReadThresholds(thresholds), bank.Description, Micros.ToTime(session.NowMicros), false, seq);
        }, cancellationToken);
    }

    /// <summary>The bank with this id, deleted or not.</summary>
    public Task<Bank?> GetBankAsync(long bankId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            $"SELECT {Rows.BankColumns} FROM banks WHERE id = @id", Rows.Bank, cancellationToken, ("@id", bankId)), cancellationToken);

    public Task<Bank?> FindBankAsync(string name, CancellationToken cancellationToken = default) =>
        ReadAsync(session => session.QuerySingleAsync(
            $"SELECT {Rows.BankColumns} FROM banks WHERE name = @name AND {LiveBank}", Rows.Bank, cancellationToken, ("@name", name)), cancellationToken);

    public async Task<IReadOnlyList<Bank>> ListBanksAsync(CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            $"SELECT {Rows.BankColumns} FROM banks WHERE {LiveBank} ORDER BY id", Rows.Bank, cancellationToken), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<Bank>> ListVisibleBanksAsync(long memberId, CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            $"""
            SELECT {Rows.BankColumns} FROM banks
            WHERE {LiveBank} AND (
                owner_id = @member
                OR scope = {(int)SharingScope.AllMembers}
                OR (scope = {(int)SharingScope.Group} AND group_id IN (SELECT group_id FROM group_members WHERE member_id = @member)))
            ORDER BY id
            """,
            Rows.Bank,
            cancellationToken,
            ("@member", memberId)), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>
    /// A scope other than Group clears the bank's group; Group keeps the bank's group unless a new one is given.
    /// Errors as for <see cref="CreateBankAsync"/>, and <see cref="StoreError.NotFound"/> for a missing or deleted bank.
    /// </remarks>
    public Task<Bank> UpdateBankAsync(long bankId, BankUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Name is not null)
        {
            RequireName(update.Name, "bank");
        }

        string? thresholds = update.Thresholds is null ? null : RequireThresholds(update.Thresholds);
        return WriteAsync(WriteLock.Changes, async session =>
        {
            Bank bank = await RequireLiveBankAsync(session, bankId, cancellationToken).ConfigureAwait(false);
            SharingScope scope = update.Scope ?? bank.Scope;
            long? group = scope == SharingScope.Group ? update.SharingGroupId ?? bank.SharingGroupId : update.SharingGroupId;
            RequireScope(scope, group);
            if (group is long groupId && groupId != bank.SharingGroupId)
            {
                await RequireGroupAsync(session, groupId, cancellationToken).ConfigureAwait(false);
            }

            string name = update.Name ?? bank.Name;
            if (name != bank.Name)
            {
                await RequireNameFreeAsync(session, name, bankId, cancellationToken).ConfigureAwait(false);
            }

            Bank updated = bank with
            {
                Name = name,
                Scope = scope,
                SharingGroupId = group,
                Enabled = update.Enabled ?? bank.Enabled,
                Negative = update.Negative ?? bank.Negative,
                Thresholds = thresholds is null ? bank.Thresholds : StoreJson.ReadThresholds(thresholds),
                Description = update.Description ?? bank.Description,
                ChangeSeq = session.Clock.Next(),
            };
            await session.ExecuteAsync(
                """
                UPDATE banks SET name = @name, scope = @scope, group_id = @group, enabled = @enabled, negative = @negative,
                    thresholds = @thresholds, description = @description, change_seq = @seq
                WHERE id = @id
                """,
                cancellationToken,
                ("@name", updated.Name),
                ("@scope", (int)updated.Scope),
                ("@group", updated.SharingGroupId),
                ("@enabled", updated.Enabled),
                ("@negative", updated.Negative),
                ("@thresholds", thresholds ?? StoreJson.WriteThresholds(bank.Thresholds)),
                ("@description", updated.Description),
                ("@seq", updated.ChangeSeq),
                ("@id", bankId)).ConfigureAwait(false);
            if (updated.Scope != bank.Scope || updated.SharingGroupId != bank.SharingGroupId)
            {
                string owner = await MemberNameAsync(session, bank.OwnerMemberId, cancellationToken).ConfigureAwait(false);
                string scopeName = await ScopeNameAsync(session, updated.Scope, updated.SharingGroupId, cancellationToken).ConfigureAwait(false);
                session.Log.Add(index => new BankScopeChanged(index, EntryTime(session), updated.Name, owner, scopeName));
            }

            return updated;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The bank and each withdrawn signal take their own change-feed positions. <see cref="StoreError.NotFound"/> for a missing or deleted bank.</remarks>
    public Task DeleteBankAsync(long bankId, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.Changes, async session =>
        {
            Bank bank = await RequireLiveBankAsync(session, bankId, cancellationToken).ConfigureAwait(false);
            List<string> live = await session.QueryAsync(
                $"SELECT public_id FROM signals WHERE bank_id = @id AND status <> {(int)SignalStatus.Withdrawn} ORDER BY id",
                r => r.GetString(0),
                cancellationToken,
                ("@id", bankId)).ConfigureAwait(false);
            await session.ExecuteAsync(
                "UPDATE banks SET deleted = TRUE, change_seq = @seq WHERE id = @id",
                cancellationToken,
                ("@seq", session.Clock.Next()),
                ("@id", bankId)).ConfigureAwait(false);

            // One statement for all the bank's live signals, numbered in id order after the current position.
            long before = session.Clock.Current;
            int withdrawn = await session.ExecuteAsync(
                $"""
                UPDATE signals SET status = {(int)SignalStatus.Withdrawn}, change_seq = @before + live.n
                FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM signals WHERE bank_id = @id AND status <> {(int)SignalStatus.Withdrawn}) AS live
                WHERE signals.id = live.id
                """,
                cancellationToken,
                ("@before", before),
                ("@id", bankId)).ConfigureAwait(false);
            session.Clock.Reserve(withdrawn);
            string owner = await MemberNameAsync(session, bank.OwnerMemberId, cancellationToken).ConfigureAwait(false);
            DateTimeOffset at = EntryTime(session);
            string reason = $"bank {bank.Name} deleted";
            foreach (string publicId in live)
            {
                session.Log.Add(index => new SignalWithdrawn(index, at, publicId, owner, reason));
            }

            return withdrawn;
        }, cancellationToken);

    private static async Task<Bank> RequireLiveBankAsync(Session session, long bankId, CancellationToken cancellationToken) =>
        await session.QuerySingleAsync(
            $"SELECT {Rows.BankColumns} FROM banks WHERE id = @id AND {LiveBank}", Rows.Bank, cancellationToken, ("@id", bankId)).ConfigureAwait(false)
        ?? throw NotFound($"there is no bank with id {bankId}");

    private static async Task RequireNameFreeAsync(Session session, string name, long exceptBankId, CancellationToken cancellationToken)
    {
        long taken = await session.ScalarAsync<long>(
            $"SELECT count(*) FROM banks WHERE name = @name AND {LiveBank} AND id <> @except",
            cancellationToken,
            ("@name", name),
            ("@except", exceptBankId)).ConfigureAwait(false);
        if (taken > 0)
        {
            throw Conflict($"a bank named \"{name}\" already exists");
        }
    }

    private static void RequireScope(SharingScope scope, long? groupId)
    {
        if (!Enum.IsDefined(scope))
        {
            throw Invalid($"unknown sharing scope {(int)scope}");
        }

        if (scope == SharingScope.Group && groupId is null)
        {
            throw Invalid("a bank shared with a group needs the group's id");
        }

        if (scope != SharingScope.Group && groupId is not null)
        {
            throw Invalid($"a sharing group is only used with the Group scope, not {scope}");
        }
    }

    /// <summary>Checks thresholds and returns them as the JSON the row keeps.</summary>
    private static string RequireThresholds(IReadOnlyDictionary<string, int>? thresholds)
    {
        foreach ((string type, int distance) in thresholds ?? new Dictionary<string, int>())
        {
            if (string.IsNullOrWhiteSpace(type))
            {
                throw Invalid("a threshold needs a signal type");
            }

            if (distance < 0)
            {
                throw Invalid($"threshold for {type} is negative ({distance})");
            }
        }

        return StoreJson.WriteThresholds(thresholds);
    }
}
