using System.Collections.Frozen;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Matching;

/// <summary>
/// What one member may see of the banks: computed from a bank table and the member's groups, and reused by every
/// request of that member until either changes (banks through the change feed, groups through the key cache).
/// </summary>
internal sealed class MemberView
{
    private readonly FrozenDictionary<string, int> _queryRadius;

    private MemberView(BankTable banks, IReadOnlyList<long> groups, FrozenSet<long> visible, FrozenDictionary<string, int> queryRadius)
    {
        Banks = banks;
        Groups = groups;
        Visible = visible;
        _queryRadius = queryRadius;
    }

    /// <summary>The bank table this view was computed from.</summary>
    public BankTable Banks { get; }

    /// <summary>The group list this view was computed from (compared by reference).</summary>
    public IReadOnlyList<long> Groups { get; }

    /// <summary>Ids of the live banks the member may see, enabled or not.</summary>
    public FrozenSet<long> Visible { get; }

    /// <summary>Whether a member may see <paramref name="bank"/>: its own, shared with all, or shared with one of its groups.</summary>
    public static bool MaySee(Bank bank, long memberId, IReadOnlyList<long> groups, bool admin) =>
        admin
        || bank.OwnerMemberId == memberId
        || bank.Scope == SharingScope.AllMembers
        || (bank.Scope == SharingScope.Group && bank.SharingGroupId is long g && Contains(groups, g));

    public static MemberView Create(BankTable banks, long memberId, IReadOnlyList<long> groups, bool admin, SignalTypeRegistry types)
    {
        var visible = new List<long>();
        var radius = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var bank in banks.ById.Values)
        {
            if (!MaySee(bank, memberId, groups, admin))
            {
                continue;
            }

            visible.Add(bank.Id);
            if (!bank.Enabled)
            {
                continue;
            }

            foreach (var type in types.All)
            {
                int threshold = BankTable.ThresholdOf(bank, type);
                radius[type.Name] = radius.TryGetValue(type.Name, out int r) ? Math.Max(r, threshold) : threshold;
            }
        }

        return new MemberView(banks, groups, visible.ToFrozenSet(), radius.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// The radius to query the index of <paramref name="signalType"/> with (the largest threshold among the visible
    /// enabled banks), or -1 when the member sees no enabled bank, so the index need not be asked at all.
    /// </summary>
    public int QueryRadius(string signalType) => _queryRadius.TryGetValue(signalType, out int r) ? r : -1;

    private static bool Contains(IReadOnlyList<long> groups, long group)
    {
        for (int i = 0; i < groups.Count; i++)
        {
            if (groups[i] == group)
            {
                return true;
            }
        }

        return false;
    }
}
