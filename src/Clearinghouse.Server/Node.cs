using Clearinghouse.Server.Api;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Hashing;
using Clearinghouse.Server.Import;
using Clearinghouse.Server.Matching;
using Clearinghouse.Signals;
using Clearinghouse.Storage;

namespace Clearinghouse.Server;

/// <summary>The node's services, handed to route handlers as one parameter.</summary>
internal sealed class Node(
    NodeOptions options,
    IClearinghouseStore store,
    NodeIndex index,
    ChangeFeedFollower follower,
    MatchService matcher,
    ApiKeyAuthenticator authenticator,
    ApiKeyIssuer issuer,
    CursorCodec cursors,
    ContentHashing hashing,
    UrlFetcher urls,
    SignalImportParser importParser)
{
    /// <summary>How long a write through this node waits for its own index to show it (read-your-writes).</summary>
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(2);

    public NodeOptions Options { get; } = options;

    public IClearinghouseStore Store { get; } = store;

    public NodeIndex Index { get; } = index;

    public SignalTypeRegistry Types => Index.Types;

    public ChangeFeedFollower Follower { get; } = follower;

    public MatchService Matcher { get; } = matcher;

    public ApiKeyAuthenticator Authenticator { get; } = authenticator;

    public ApiKeyIssuer Issuer { get; } = issuer;

    public CursorCodec Cursors { get; } = cursors;

    public ContentHashing Hashing { get; } = hashing;

    public UrlFetcher Urls { get; } = urls;

    public SignalImportParser ImportParser { get; } = importParser;

    /// <summary>After a write, lets this node's index catch up so the writer's next lookup sees it.</summary>
    public Task CaughtUpAsync(CancellationToken cancellationToken) => Follower.CatchUpAsync(CatchUpLimit, cancellationToken);

    /// <summary>The live bank named <paramref name="name"/> if the caller may see it; a 404 problem otherwise (existence is not revealed).</summary>
    public async Task<Bank> VisibleBankAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var bank = await Store.FindBankAsync(name, cancellationToken).ConfigureAwait(false);
        return bank is not null && caller.MaySee(bank) ? bank : throw Problems.NotFound($"bank '{name}' not found");
    }

    /// <summary>The signal with this id if the caller may see its bank; a 404 problem otherwise.</summary>
    public async Task<(Signal Signal, Bank Bank)> VisibleSignalAsync(Caller caller, long signalId, CancellationToken cancellationToken)
    {
        var signal = await Store.GetSignalAsync(signalId, cancellationToken).ConfigureAwait(false);
        if (signal is not null)
        {
            var bank = await Store.GetBankAsync(signal.BankId, cancellationToken).ConfigureAwait(false);
            if (bank is not null && !bank.Deleted && caller.MaySee(bank))
            {
                return (signal, bank);
            }
        }

        throw Problems.NotFound($"signal {signalId} not found");
    }

    /// <summary>Refuses a change to a bank's settings by anyone but its owner (or the operator).</summary>
    public static void RequireManage(Caller caller, Bank bank)
    {
        if (!caller.MayManage(bank))
        {
            throw Problems.Forbidden($"only the member that owns bank '{bank.Name}' may change or delete it.");
        }
    }

    /// <summary>Refuses a change to a signal (<paramref name="action"/>: withdraw it, re-categorise it) by anyone but the contributor, the bank's owner or the operator.</summary>
    public static void RequireSteward(Caller caller, Signal signal, Bank bank, string action)
    {
        if (!caller.IsAdmin && signal.ContributorMemberId != caller.MemberId && bank.OwnerMemberId != caller.MemberId)
        {
            throw Problems.Forbidden($"only the member that contributed signal {signal.Id} or owns bank '{bank.Name}' may {action}.");
        }
    }
}
