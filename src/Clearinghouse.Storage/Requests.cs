namespace Clearinghouse.Storage;

/// <summary>What a new bank is made of. Names are unique among live banks (case-sensitive, as HMA's).</summary>
public sealed record NewBank(
    string Name,
    string Category,
    long OwnerMemberId,
    SharingScope Scope = SharingScope.AllMembers,
    long? SharingGroupId = null,
    bool Enabled = true,
    bool Negative = false,
    IReadOnlyDictionary<string, int>? Thresholds = null,
    string? Description = null);

/// <summary>Changes to a bank; null leaves a field as it is. The category of a bank is fixed once created.</summary>
public sealed record BankUpdate(
    string? Name = null,
    SharingScope? Scope = null,
    long? SharingGroupId = null,
    bool? Enabled = null,
    bool? Negative = null,
    IReadOnlyDictionary<string, int>? Thresholds = null,
    string? Description = null);

/// <summary>
/// A signal to add. <see cref="Value"/> must already be canonical (the caller canonicalises with the signal
/// type); the store checks the bank, the category's designation rule and duplicates, not the value's syntax.
/// The signal's category is its bank's.
/// </summary>
public sealed record NewSignal(string SignalType, string Value, string? Designation = null, string? Metadata = null);

/// <summary>Why a signal was not added.</summary>
public enum SignalRejection
{
    None,

    /// <summary>The same (type, value) is already live in this bank.</summary>
    Duplicate,

    /// <summary>The bank's category requires a designation reference and none was given.</summary>
    DesignationRequired,
}

/// <summary>The outcome of adding one signal: its id when added, otherwise why not (and the existing id for a duplicate).</summary>
public readonly record struct AddSignalResult(long SignalId, SignalRejection Rejection)
{
    public bool Added => Rejection == SignalRejection.None;
}

/// <summary>A page of results and the position to continue after (null at the end).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long? NextAfter);

/// <summary>A filter for listing signals.</summary>
public sealed record SignalQuery(
    long? BankId = null,
    string? SignalType = null,
    SignalStatus? Status = null,
    long AfterId = 0,
    int Limit = 100);

/// <summary>Signals and banks changed after a change-feed position, in feed order, and the position reached.</summary>
/// <remarks>
/// The feed is how every replica's in-memory indexes follow the store: a reader polls from the last position it
/// saw. Positions are assigned so that a change with a lower position is never committed after one with a
/// higher position has become visible, so a poller never skips a change.
/// </remarks>
public sealed record ChangeBatch(IReadOnlyList<Signal> Signals, IReadOnlyList<Bank> Banks, long Position);

/// <summary>Who withdraws a signal and why; the reason is public (it goes in the transparency log).</summary>
/// <param name="MemberId">The member withdrawing it; null: the signal's contributor.</param>
public sealed record SignalWithdrawal(long? MemberId, string Reason);

/// <summary>Moves a signal to another category of the taxonomy; who, why (public) and the designation that goes with it.</summary>
/// <param name="Category">The new category: a taxonomy id.</param>
/// <param name="Designation">The designation reference; required when the new category requires one, else optional.</param>
/// <param name="MemberId">The member re-categorising it (the center or the contributor).</param>
/// <param name="Reason">The public reason, 1 to 4096 characters.</param>
public sealed record SignalRecategorisation(string Category, string? Designation, long MemberId, string Reason);
