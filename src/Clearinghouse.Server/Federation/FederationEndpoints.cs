using Clearinghouse.Ledger.Notes;
using Clearinghouse.Server.Api;
using Clearinghouse.Server.Auth;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Federation;

/// <summary>
/// Federation routes: the member feed other nodes pull (GET /api/v1/feed), the operator's peers (/api/v1/peers) and
/// an imported signal's provenance.
/// </summary>
internal static class FederationEndpoints
{
    /// <summary>Most events one feed page returns.</summary>
    public const int MaxFeedPage = 10_000;

    private const ApiScopes Readers = ApiScopes.Contribute | ApiScopes.Review | ApiScopes.Admin;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/feed", FeedAsync)
            .RequireKey(ApiScopes.Match)
            .WithName("MemberFeed").WithTags("Federation")
            .WithSummary($"Signal-added events of this node's log with index in [from, to) that the key's member may match against (enabled, non-negative banks it sees), in log order, each with its value and salt (hex) that the public entry commits to; at most limit (≤ {MaxFeedPage}) per page, read on from next")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        var peers = api.MapGroup("").WithTags("Federation");
        peers.MapGet("/peers", ListAsync).RequireKey(ApiScopes.Admin).WithName("ListPeers").WithSummary("Every peer with its sync status");
        peers.MapPost("/peers", CreateAsync).RequireKey(ApiScopes.Admin).WithName("AddPeer")
            .WithSummary("Add a peer: its URL, verifier key, the API key it issued to this node, the local bank to import into, and optional bank and category filters")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        peers.MapGet("/peers/{name}", GetAsync).RequireKey(ApiScopes.Admin).WithName("GetPeer").WithSummary("A peer and its sync status (cursor, last checkpoint, lag, last error)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        peers.MapDelete("/peers/{name}", RemoveAsync).RequireKey(ApiScopes.Admin).WithName("RemovePeer").WithSummary("Remove a peer (its imported signals stay)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        peers.MapPost("/peers/{name}/sync", SyncAsync).RequireKey(ApiScopes.Admin).WithName("SyncPeer")
            .WithSummary("Run a verified sync pass now; resume=true first clears a stop (after the operator has looked at why it stopped)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        peers.MapPut("/peers/{name}/enabled", EnableAsync).RequireKey(ApiScopes.Admin).WithName("EnablePeer")
            .WithSummary("Enable (value=true, also clears a stop) or disable (value=false) a peer").ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/signals/{id:long}/provenance", ProvenanceAsync)
            .RequireKey(Readers)
            .WithName("SignalProvenance").WithTags("Federation")
            .WithSummary("Where an imported signal came from: the peer, its public id and log index there, the origin log, public id and contributor")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<FeedPage>> FeedAsync(Node node, IFederationStore federation, HttpContext context, long? from, long? to, int? limit)
    {
        LogHead head = await node.Store.GetLogHeadAsync(context.RequestAborted).ConfigureAwait(false);
        long start = from ?? 0;
        long stop = to ?? head.Size;
        if (stop < 0 || stop > head.Size)
        {
            throw Problems.BadRequest($"to {stop} is outside the log of size {head.Size}");
        }

        if (start < 0 || start > stop)
        {
            throw Problems.BadRequest($"from {start} must be between 0 and to ({stop})");
        }

        int size = limit ?? 1000;
        if (size is < 1 or > MaxFeedPage)
        {
            throw Problems.BadRequest($"limit must be 1 to {MaxFeedPage}, not {size}");
        }

        Caller caller = context.Caller();
        var banks = new Dictionary<long, Bank>();
        foreach (Bank bank in await node.Store.ListBanksAsync(context.RequestAborted).ConfigureAwait(false))
        {
            if (bank.Enabled && !bank.Negative && caller.MaySee(bank))
            {
                banks[bank.Id] = bank;
            }
        }

        IReadOnlyList<FeedSignal> rows = start == stop ? [] : await federation.ReadFeedSignalsAsync(start, stop, size, context.RequestAborted).ConfigureAwait(false);
        var events = new List<FeedEvent>(rows.Count);
        foreach (FeedSignal row in rows)
        {
            if (banks.TryGetValue(row.BankId, out Bank? bank))
            {
                events.Add(new FeedEvent(
                    row.LogIndex, "added", row.PublicId, row.SignalId, row.SignalType, row.Value, Convert.ToHexStringLower(row.Salt), bank.Name, row.Category, row.Designation));
            }
        }

        long next = rows.Count == size ? rows[^1].LogIndex + 1 : stop;
        return TypedResults.Ok(new FeedPage(start, next, head.Size, events));
    }

    private static async Task<Ok<PeerInfo[]>> ListAsync(Node node, IFederationStore federation, FederationWorker worker, HttpContext context)
    {
        IReadOnlyList<Peer> peers = await federation.ListPeersAsync(context.RequestAborted).ConfigureAwait(false);
        var infos = new PeerInfo[peers.Count];
        for (int i = 0; i < infos.Length; i++)
        {
            infos[i] = await ToInfoAsync(node, federation, worker, peers[i], context.RequestAborted).ConfigureAwait(false);
        }

        return TypedResults.Ok(infos);
    }

    private static async Task<Created<PeerInfo>> CreateAsync(Node node, IFederationStore federation, FederationWorker worker, HttpContext context, PeerCreateRequest request)
    {
        try
        {
            NoteVerifier.Parse(request.VerifierKey.Trim());
        }
        catch (FormatException e)
        {
            throw Problems.BadRequest($"verifier_key: {e.Message}");
        }

        Bank bank = await node.Store.FindBankAsync(request.LocalBank, context.RequestAborted).ConfigureAwait(false)
            ?? throw Problems.NotFound($"local bank '{request.LocalBank}' not found");
        Peer peer = await federation.CreatePeerAsync(
            new NewPeer(request.Name, request.Url, request.VerifierKey, request.ApiKey, request.Banks ?? [], request.Categories ?? [], bank.Id, request.SendOpinions ?? true, request.Enabled ?? true),
            context.RequestAborted).ConfigureAwait(false);
        worker.PeersChanged();
        return TypedResults.Created($"/api/v1/peers/{Uri.EscapeDataString(peer.Name)}", await ToInfoAsync(node, federation, worker, peer, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<Ok<PeerInfo>> GetAsync(Node node, IFederationStore federation, FederationWorker worker, HttpContext context, string name)
    {
        Peer peer = await RequirePeerAsync(federation, name, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(await ToInfoAsync(node, federation, worker, peer, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<NoContent> RemoveAsync(IFederationStore federation, FederationWorker worker, HttpContext context, string name)
    {
        if (!await federation.RemovePeerAsync(name, context.RequestAborted).ConfigureAwait(false))
        {
            throw Problems.NotFound($"peer '{name}' not found");
        }

        worker.PeersChanged();
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PeerInfo>> SyncAsync(Node node, IFederationStore federation, FederationWorker worker, HttpContext context, string name, bool? resume)
    {
        Peer peer = await RequirePeerAsync(federation, name, context.RequestAborted).ConfigureAwait(false);
        if (resume == true)
        {
            peer = await federation.SetPeerEnabledAsync(name, true, context.RequestAborted).ConfigureAwait(false);
            worker.PeersChanged();
        }

        if (!peer.State.Stopped)
        {
            await worker.SyncNowAsync(peer.Id, context.RequestAborted).ConfigureAwait(false);
            await node.CaughtUpAsync(context.RequestAborted).ConfigureAwait(false);
        }

        peer = await RequirePeerAsync(federation, name, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(await ToInfoAsync(node, federation, worker, peer, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<Ok<PeerInfo>> EnableAsync(Node node, IFederationStore federation, FederationWorker worker, HttpContext context, string name, bool value)
    {
        await RequirePeerAsync(federation, name, context.RequestAborted).ConfigureAwait(false);
        Peer peer = await federation.SetPeerEnabledAsync(name, value, context.RequestAborted).ConfigureAwait(false);
        worker.PeersChanged();
        return TypedResults.Ok(await ToInfoAsync(node, federation, worker, peer, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<Ok<ProvenanceInfo>> ProvenanceAsync(Node node, IFederationStore federation, HttpContext context, long id)
    {
        await node.VisibleSignalAsync(context.Caller(), id, context.RequestAborted).ConfigureAwait(false);
        SignalProvenance p = await federation.GetProvenanceAsync(id, context.RequestAborted).ConfigureAwait(false)
            ?? throw Problems.NotFound($"signal {id} was not imported from a peer");
        return TypedResults.Ok(new ProvenanceInfo(p.SignalId, p.PeerName, p.PeerUrl, p.PeerPublicId, p.PeerIndex, p.OriginLog, p.OriginPublicId, p.OriginMember));
    }

    private static async Task<Peer> RequirePeerAsync(IFederationStore federation, string name, CancellationToken cancellationToken) =>
        await federation.FindPeerAsync(name, cancellationToken).ConfigureAwait(false) ?? throw Problems.NotFound($"peer '{name}' not found");

    private static Task<PeerInfo> ToInfoAsync(Node node, IFederationStore federation, FederationWorker worker, Peer peer, CancellationToken cancellationToken) =>
        PeerInfos.BuildAsync(node.Store, federation, peer, worker.RuntimeOf(peer.Id), cancellationToken);
}
