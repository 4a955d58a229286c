using Clearinghouse.Server.Matching;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Auth;

/// <summary>The authenticated member behind a request: its key's id and scopes, the member and its groups.</summary>
internal sealed class Caller(string keyId, ApiScopes scopes, Member member, IReadOnlyList<long> groups)
{
    private MemberView? _view;

    public string KeyId { get; } = keyId;

    public ApiScopes Scopes { get; } = scopes;

    public Member Member { get; } = member;

    public long MemberId => Member.Id;

    /// <summary>The sharing groups the member belonged to when the key was last read.</summary>
    public IReadOnlyList<long> Groups { get; } = groups;

    /// <summary>Keys with the admin scope act for the operator: they see and manage every bank.</summary>
    public bool IsAdmin => (Scopes & ApiScopes.Admin) != 0;

    public bool Has(ApiScopes anyOf) => (Scopes & anyOf) != 0;

    public bool MaySee(Bank bank) => MemberView.MaySee(bank, MemberId, Groups, IsAdmin);

    /// <summary>Whether the member may change a bank's settings or delete it: its owner, or the operator.</summary>
    public bool MayManage(Bank bank) => IsAdmin || bank.OwnerMemberId == MemberId;

    /// <summary>The member's view of <paramref name="banks"/>, computed once per bank-table version.</summary>
    public MemberView ViewOf(BankTable banks, SignalTypeRegistry types)
    {
        var view = Volatile.Read(ref _view);
        if (view is null || !ReferenceEquals(view.Banks, banks))
        {
            // Concurrent requests may both compute it; the views are equal and either may win.
            view = MemberView.Create(banks, MemberId, Groups, IsAdmin, types);
            Volatile.Write(ref _view, view);
        }

        return view;
    }
}
