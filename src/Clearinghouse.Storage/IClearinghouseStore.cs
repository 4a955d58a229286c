namespace Clearinghouse.Storage;

/// <summary>
/// The node's store. Two implementations: SQLite (embedded default) and PostgreSQL; the same test suite runs on
/// both. Every method that writes has committed durably when its task completes, and leaves the store unchanged
/// when it throws. Reads return snapshots.
/// </summary>
/// <remarks>
/// Validation failures the caller can fix (unknown bank, unknown category, name taken, ...) throw
/// <see cref="StoreException"/> with a <see cref="StoreError"/> and a precise message; the server maps them to 4xx.
/// </remarks>
public interface IClearinghouseStore : IAsyncDisposable
{
    /// <summary>Applies pending migrations (safe to call any number of times, from several processes).</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>The schema version after migrations.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken = default);

    // --- taxonomy ----------------------------------------------------------------------------------------------

    /// <summary>Loads a taxonomy version; a no-op when that version is already current; refuses an older version.</summary>
    Task ApplyTaxonomyAsync(Taxonomy taxonomy, CancellationToken cancellationToken = default);

    /// <summary>The current taxonomy, or null before any was applied.</summary>
    Task<Taxonomy?> GetTaxonomyAsync(CancellationToken cancellationToken = default);

    // --- members and keys --------------------------------------------------------------------------------------

    Task<Member> CreateMemberAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Makes a member inactive (it has left: its keys stop working) or active again.</summary>
    Task<Member> SetMemberActiveAsync(long memberId, bool active, CancellationToken cancellationToken = default);

    Task<Member?> GetMemberAsync(long memberId, CancellationToken cancellationToken = default);

    Task<Member?> FindMemberAsync(string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Member>> ListMembersAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a key whose secret has already been salted and hashed by the caller.</summary>
    Task<ApiKey> AddApiKeyAsync(long memberId, string keyId, byte[] salt, byte[] secretHash, ApiScopes scopes, string? label, CancellationToken cancellationToken = default);

    /// <summary>The key with this public id, revoked or not; null when there is none.</summary>
    Task<ApiKey?> FindApiKeyAsync(string keyId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(long memberId, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key; false when there is no such key or it was already revoked.</summary>
    Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default);

    // --- sharing groups ----------------------------------------------------------------------------------------

    Task<SharingGroup> CreateSharingGroupAsync(string name, CancellationToken cancellationToken = default);

    Task AddGroupMemberAsync(long groupId, long memberId, CancellationToken cancellationToken = default);

    Task RemoveGroupMemberAsync(long groupId, long memberId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SharingGroup>> ListGroupsOfMemberAsync(long memberId, CancellationToken cancellationToken = default);

    // --- banks -------------------------------------------------------------------------------------------------

    Task<Bank> CreateBankAsync(NewBank bank, CancellationToken cancellationToken = default);

    Task<Bank?> GetBankAsync(long bankId, CancellationToken cancellationToken = default);

    /// <summary>The live (not deleted) bank with this name.</summary>
    Task<Bank?> FindBankAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every live bank, in id order.</summary>
    Task<IReadOnlyList<Bank>> ListBanksAsync(CancellationToken cancellationToken = default);

    /// <summary>The live banks <paramref name="memberId"/> may see: its own, those shared with all, and those of its groups.</summary>
    Task<IReadOnlyList<Bank>> ListVisibleBanksAsync(long memberId, CancellationToken cancellationToken = default);

    Task<Bank> UpdateBankAsync(long bankId, BankUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Deletes a bank: marks it deleted and withdraws its signals, in one transaction.</summary>
    Task DeleteBankAsync(long bankId, CancellationToken cancellationToken = default);

    // --- signals -----------------------------------------------------------------------------------------------

    /// <summary>
    /// Adds signals to a bank in one transaction (all or nothing on error); each item gets its own result, so a
    /// duplicate or a missing designation rejects that item only, and the caller reports it.
    /// </summary>
    Task<IReadOnlyList<AddSignalResult>> AddSignalsAsync(long bankId, long contributorMemberId, IReadOnlyList<NewSignal> signals, CancellationToken cancellationToken = default);

    Task<Signal?> GetSignalAsync(long signalId, CancellationToken cancellationToken = default);

    Task<Signal?> FindSignalByPublicIdAsync(string publicId, CancellationToken cancellationToken = default);

    /// <summary>Several signals by id (missing ids are skipped), for building match responses.</summary>
    Task<IReadOnlyList<Signal>> GetSignalsAsync(IReadOnlyCollection<long> signalIds, CancellationToken cancellationToken = default);

    /// <summary>Signals in id order after <see cref="SignalQuery.AfterId"/>.</summary>
    Task<Page<Signal>> ListSignalsAsync(SignalQuery query, CancellationToken cancellationToken = default);

    /// <summary>Withdraws a signal on its contributor's behalf; false when it was already withdrawn.</summary>
    Task<bool> WithdrawSignalAsync(long signalId, CancellationToken cancellationToken = default);

    /// <summary>Withdraws a signal by a given member, for a public reason; false when it was already withdrawn.</summary>
    Task<bool> WithdrawSignalAsync(long signalId, SignalWithdrawal withdrawal, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a live signal to another category (and designation); logged with the previous category and the public
    /// reason in the same transaction. The updated signal; unchanged (and nothing logged) when it already has that
    /// category and designation.
    /// </summary>
    Task<Signal> RecategoriseSignalAsync(long signalId, SignalRecategorisation change, CancellationToken cancellationToken = default);

    /// <summary>Records (or replaces) a member's opinion and recomputes the signal's summary and status.</summary>
    Task<Signal> RecordOpinionAsync(long signalId, long memberId, OpinionKind kind, string? note, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Opinion>> ListOpinionsAsync(long signalId, CancellationToken cancellationToken = default);

    // --- designation lists -------------------------------------------------------------------------------------

    /// <summary>
    /// Replaces what the store holds of list <paramref name="list"/> with a full copy of it, in one transaction:
    /// new entries are added, changed ones updated, entries missing from the copy are marked delisted (kept, as
    /// signals may name them), delisted entries present again are listed again.
    /// </summary>
    Task<DesignationImportResult> ReplaceDesignationListAsync(string list, IReadOnlyList<NewDesignation> entries, CancellationToken cancellationToken = default);

    /// <summary>The entries named by references of the form <c>list:reference</c> (unknown ones are skipped), listed or not.</summary>
    Task<IReadOnlyList<Designation>> GetDesignationsAsync(IReadOnlyCollection<string> references, CancellationToken cancellationToken = default);

    /// <summary>The lists the store holds, by name.</summary>
    Task<IReadOnlyList<DesignationListSummary>> ListDesignationListsAsync(CancellationToken cancellationToken = default);

    /// <summary>One list's entries in id order after <paramref name="afterId"/>.</summary>
    Task<Page<Designation>> ListDesignationsAsync(string list, long afterId, int limit, CancellationToken cancellationToken = default);

    // --- change feed -------------------------------------------------------------------------------------------

    /// <summary>The current change-feed position (0 on an empty store).</summary>
    Task<long> GetChangePositionAsync(CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> signal and bank changes after <paramref name="afterPosition"/>.</summary>
    Task<ChangeBatch> ReadChangesAsync(long afterPosition, int limit, CancellationToken cancellationToken = default);

    // --- transparency log --------------------------------------------------------------------------------------

    /// <summary>The log's current size and root.</summary>
    Task<LogHead> GetLogHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>Entries [<paramref name="startIndex"/>, <paramref name="endIndex"/>) of the log, in index order.</summary>
    Task<IReadOnlyList<LogRecord>> ReadLogEntriesAsync(long startIndex, long endIndex, CancellationToken cancellationToken = default);

    /// <summary>RFC 9162 inclusion proof of entry <paramref name="index"/> in the tree of <paramref name="size"/> entries.</summary>
    Task<IReadOnlyList<Clearinghouse.Ledger.Merkle.MerkleHash>> GetInclusionProofAsync(long index, long size, CancellationToken cancellationToken = default);

    /// <summary>RFC 9162 consistency proof from the tree of <paramref name="size1"/> entries to that of <paramref name="size2"/>.</summary>
    Task<IReadOnlyList<Clearinghouse.Ledger.Merkle.MerkleHash>> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default);

    /// <summary>The salt of a signal's commitment and its signal-added entry's index; null for an unknown signal
    /// (or one added before the log existed).</summary>
    Task<SignalCommitment?> GetSignalCommitmentAsync(string publicId, CancellationToken cancellationToken = default);

    // --- disputes ----------------------------------------------------------------------------------------------

    /// <summary>Files a dispute against a live signal, by a member or (null) an outside party; logged, the signal
    /// marked disputed, its contributor notified.</summary>
    Task<Dispute> FileDisputeAsync(string signalPublicId, long? filedByMemberId, string statement, string? contact, CancellationToken cancellationToken = default);

    /// <summary>Resolves an open dispute with a public reason; upheld withdraws the signal. Logged; members notified.</summary>
    Task<Dispute> ResolveDisputeAsync(string disputeId, DisputeOutcome outcome, string reason, long resolverMemberId, CancellationToken cancellationToken = default);

    Task<Dispute?> GetDisputeAsync(string disputeId, CancellationToken cancellationToken = default);

    /// <summary>Disputes in filing order after <paramref name="afterId"/> (only open ones when <paramref name="openOnly"/>).</summary>
    Task<Page<Dispute>> ListDisputesAsync(bool openOnly, long afterId, int limit, CancellationToken cancellationToken = default);

    /// <summary>A member's notifications in order after <paramref name="afterId"/>.</summary>
    Task<Page<MemberNotification>> ListNotificationsAsync(long memberId, long afterId, int limit, CancellationToken cancellationToken = default);

    // --- matches -----------------------------------------------------------------------------------------------

    Task RecordMatchesAsync(IReadOnlyList<MatchRecord> matches, CancellationToken cancellationToken = default);

    Task<Page<MatchRecord>> ListMatchesAsync(long memberId, long afterId, int limit, CancellationToken cancellationToken = default);
}
