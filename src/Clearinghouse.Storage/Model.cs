namespace Clearinghouse.Storage;

// The node's data model (see ../shared/DESIGN.md, "Vocabulary"). Records are plain values: the store hands out
// copies, never live objects, so a reader can keep one without racing a writer. No type here describes a person:
// members are organisations, and a match record keeps no content and no uploader.

/// <summary>What an API key may do. A key holds one or more scopes.</summary>
[Flags]
public enum ApiScopes
{
    None = 0,
    Hash = 1,
    Match = 2,
    Contribute = 4,
    Review = 8,
    Admin = 16,
    All = Hash | Match | Contribute | Review | Admin,
}

/// <summary>A member organisation (a platform or hosting provider), or the center itself.</summary>
public sealed record Member(long Id, string Name, DateTimeOffset CreatedAt, bool Active);

/// <summary>
/// A stored API key. Only a salted hash of the secret is kept; <see cref="KeyId"/> is the public, unique part
/// that a presented key starts with, so the store finds the row without scanning and then compares the hash
/// in constant time.
/// </summary>
public sealed record ApiKey(
    long Id,
    long MemberId,
    string KeyId,
    byte[] Salt,
    byte[] SecretHash,
    ApiScopes Scopes,
    string? Label,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>A named group of members that banks can be shared with.</summary>
public sealed record SharingGroup(long Id, string Name, DateTimeOffset CreatedAt);

/// <summary>One entry of the published taxonomy.</summary>
/// <param name="Id">Stable identifier, e.g. <c>attack-footage</c>.</param>
/// <param name="RequiresDesignation">Signals in this category must carry a designation reference (e.g. <c>un:QDe.115</c>).</param>
public sealed record Category(string Id, string Title, string Description, bool RequiresDesignation);

/// <summary>A version of the taxonomy, as loaded from its data file.</summary>
public sealed record Taxonomy(int Version, IReadOnlyList<Category> Categories);

/// <summary>Who may see (and match against) a bank.</summary>
public enum SharingScope
{
    /// <summary>Only the owning member.</summary>
    Private,

    /// <summary>The owner and the members of <see cref="Bank.SharingGroupId"/>.</summary>
    Group,

    /// <summary>Every member.</summary>
    AllMembers,
}

/// <summary>A named collection of signals under exactly one category.</summary>
/// <param name="Thresholds">Per-signal-type match thresholds overriding the type's default (e.g. <c>pdq → 20</c>).</param>
/// <param name="Negative">A negative bank holds known-benign signals; its matches suppress other matches.</param>
/// <param name="ChangeSeq">The change-feed position of this bank's last change.</param>
public sealed record Bank(
    long Id,
    string Name,
    string Category,
    long OwnerMemberId,
    SharingScope Scope,
    long? SharingGroupId,
    bool Enabled,
    bool Negative,
    IReadOnlyDictionary<string, int> Thresholds,
    string? Description,
    DateTimeOffset CreatedAt,
    bool Deleted,
    long ChangeSeq);

/// <summary>The life of a signal.</summary>
public enum SignalStatus
{
    Active,

    /// <summary>Members disagree about it (mixed opinions) or a dispute is open; it still matches, flagged.</summary>
    Disputed,

    /// <summary>Removed from matching; kept for the record.</summary>
    Withdrawn,
}

/// <summary>A member's opinion on a signal (python-threatexchange's opinion categories).</summary>
public enum OpinionKind
{
    /// <summary>The member confirms the signal belongs in its category.</summary>
    Positive,

    /// <summary>The member found it to be a false positive.</summary>
    Negative,

    /// <summary>Useful for investigation but not confirmed.</summary>
    InvestigationSeed,
}

/// <summary>Counts of opinions on a signal, by kind.</summary>
public readonly record struct OpinionSummary(int Positive, int Negative, int InvestigationSeed)
{
    /// <summary>Mixed opinions (both positive and negative) make a signal disputed.</summary>
    public bool IsMixed => Positive > 0 && Negative > 0;
}

/// <summary>A signal: a canonical value of one signal type in one bank.</summary>
/// <param name="PublicId">The signal's stable public identifier (used on the transparency log and in disputes).</param>
/// <param name="Value">The canonical value (as <c>ISignalType.Canonicalize</c> returns it).</param>
/// <param name="Metadata">Free-form provenance (e.g. an import's original labels) as a JSON object, or null.</param>
/// <param name="ChangeSeq">The change-feed position of this signal's last change.</param>
public sealed record Signal(
    long Id,
    string PublicId,
    string SignalType,
    string Value,
    long BankId,
    string Category,
    string? Designation,
    long ContributorMemberId,
    DateTimeOffset CreatedAt,
    SignalStatus Status,
    OpinionSummary Opinions,
    string? Metadata,
    long ChangeSeq);

/// <summary>One member's opinion on one signal. A member has at most one opinion per signal; a new one replaces it.</summary>
public sealed record Opinion(long SignalId, long MemberId, OpinionKind Kind, string? Note, DateTimeOffset At);

/// <summary>A recorded match: which signal a member's lookup hit, at what distance. The content is never stored.</summary>
public sealed record MatchRecord(long Id, long MemberId, long SignalId, long BankId, string SignalType, int Distance, DateTimeOffset At);

/// <summary>The transparency log's size and root, as the last append left them.</summary>
public sealed record LogHead(long Size, Clearinghouse.Ledger.Merkle.MerkleHash Root);

/// <summary>One log entry: its index and canonical JSON bytes (what is hashed as the leaf).</summary>
public sealed record LogRecord(long Index, byte[] Body);

/// <summary>What opens a signal's commitment: its salt, and where its signal-added entry is in the log.</summary>
public sealed record SignalCommitment(long SignalId, string PublicId, byte[] Salt, long LogIndex);

/// <summary>How a dispute ended.</summary>
public enum DisputeOutcome
{
    /// <summary>The dispute was right: the signal is withdrawn.</summary>
    Upheld = 1,

    /// <summary>The signal stays, for the public reason given.</summary>
    Rejected = 2,
}

/// <summary>A challenge to a signal. <see cref="Statement"/> and <see cref="Contact"/> are never published (they may
/// identify a person); the log carries only the ids, the filing member if any, and the resolution.</summary>
public sealed record Dispute(
    long Id,
    string PublicId,
    long SignalId,
    string SignalPublicId,
    long? FiledByMemberId,
    string Statement,
    string? Contact,
    DateTimeOffset FiledAt,
    long FiledIndex,
    DisputeOutcome? Outcome,
    string? Reason,
    DateTimeOffset? ResolvedAt,
    long? ResolvedIndex);

/// <summary>Something a member should know about (a dispute against its signal, a resolution), in its queue.</summary>
public sealed record MemberNotification(long Id, long MemberId, string Kind, string DisputeId, string SignalPublicId, string Detail, DateTimeOffset At);
