namespace Clearinghouse.Storage;

// Reviewers: people who work a member's review queue in the node's web UI. They are accounts of the member
// organisation (a username unique within the member), never named in signals, matches or the log.

/// <summary>
/// A reviewer's wellness settings. The defaults are the protective ones trust-and-safety teams expect: previews
/// blurred and greyscale until revealed, and a break reminder after a number of items or minutes.
/// </summary>
/// <param name="BlurPreviews">Show content previews blurred and greyscale until the reviewer reveals each one.</param>
/// <param name="BreakAfterItems">Remind the reviewer to take a break after this many decisions in a session (0: never).</param>
/// <param name="BreakAfterMinutes">Remind the reviewer to take a break after this many minutes of a session (0: never).</param>
public sealed record ReviewerSettings(bool BlurPreviews, int BreakAfterItems, int BreakAfterMinutes)
{
    public const int MaxBreakAfterItems = 1000;

    public const int MaxBreakAfterMinutes = 24 * 60;

    /// <summary>Blurred previews, a break reminder after 20 items or 30 minutes.</summary>
    public static ReviewerSettings Default { get; } = new(true, 20, 30);
}

/// <summary>A reviewer account of a member.</summary>
/// <param name="PasswordHash">The password's slow-KDF hash in PHC string form (never the password).</param>
/// <param name="SessionEpoch">Raised whenever existing sign-ins must end (disabled, password changed): a session
/// records the epoch it began in and is refused once it differs.</param>
/// <param name="FailedSignIns">Wrong passwords since the last successful sign-in.</param>
/// <param name="LockedUntil">Sign-in is refused until then, after repeated wrong passwords.</param>
public sealed record Reviewer(
    long Id,
    long MemberId,
    string Username,
    string PasswordHash,
    ApiScopes Scopes,
    ReviewerSettings Settings,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DisabledAt,
    long SessionEpoch,
    int FailedSignIns,
    DateTimeOffset? LockedUntil,
    DateTimeOffset? LastSignInAt)
{
    public bool IsDisabled => DisabledAt is not null;
}

/// <summary>
/// Reviewer accounts, their wellness settings and sign-in bookkeeping. Implemented by the SQL stores beside
/// <see cref="IClearinghouseStore"/>; same durability and error rules (writes committed when the task completes,
/// <see cref="StoreException"/> for what the caller can fix).
/// </summary>
public interface IReviewerStore
{
    /// <summary>Creates a reviewer of a member; <see cref="StoreError.Conflict"/> when the member already has that username.</summary>
    Task<Reviewer> CreateReviewerAsync(long memberId, string username, string passwordHash, ApiScopes scopes, CancellationToken cancellationToken = default);

    Task<Reviewer?> GetReviewerAsync(long reviewerId, CancellationToken cancellationToken = default);

    /// <summary>The member's reviewer with this username (exact, case-sensitive), disabled or not.</summary>
    Task<Reviewer?> FindReviewerAsync(long memberId, string username, CancellationToken cancellationToken = default);

    /// <summary>Reviewers in id order, of one member or (null) of all.</summary>
    Task<IReadOnlyList<Reviewer>> ListReviewersAsync(long? memberId, CancellationToken cancellationToken = default);

    /// <summary>Disables (ending its sessions) or re-enables a reviewer.</summary>
    Task<Reviewer> SetReviewerDisabledAsync(long reviewerId, bool disabled, CancellationToken cancellationToken = default);

    /// <summary>Replaces the password hash, clears any lockout and ends existing sessions.</summary>
    Task<Reviewer> SetReviewerPasswordAsync(long reviewerId, string passwordHash, CancellationToken cancellationToken = default);

    Task<Reviewer> UpdateReviewerSettingsAsync(long reviewerId, ReviewerSettings settings, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts a wrong password atomically and locks sign-in for <paramref name="lockoutFor"/>(failures so far)
    /// from now (zero: no lock). Returns the reviewer as updated.
    /// </summary>
    Task<Reviewer> RecordFailedSignInAsync(long reviewerId, Func<int, TimeSpan> lockoutFor, CancellationToken cancellationToken = default);

    /// <summary>Records a successful sign-in: clears the failure count and lock.</summary>
    Task<Reviewer> RecordSignInAsync(long reviewerId, CancellationToken cancellationToken = default);
}
