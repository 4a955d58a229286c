using System.Text;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Json;
using Clearinghouse.Server.Log;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api;

/// <summary>
/// Disputes: anyone holding a signal's public id files one at <c>POST /disputes</c> (no key, rate-limited) and follows it
/// at <c>GET /disputes/{id}</c>; members file with their keys; the operator lists and resolves them. Also each member's
/// notification queue and the proof bundle of a signal.
/// </summary>
internal static class DisputeEndpoints
{
    /// <summary>The rate-limiting policy of public filing.</summary>
    public const string PublicFilingPolicy = "public-disputes";

    private const ApiScopes Members = ApiScopes.Contribute | ApiScopes.Review;

    public static void Map(IEndpointRouteBuilder app, RouteGroupBuilder api)
    {
        app.MapPost("/disputes", FilePublicAsync)
            .RequireRateLimiting(PublicFilingPolicy)
            .WithName("FileDispute").WithTags("Disputes")
            .WithSummary($"Dispute a signal by its public id, without an account: a statement (at most {SqlStore.MaxDisputeStatement} characters, never published) and an optional contact (never published). Rate-limited for the whole node")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        app.MapGet("/disputes/{disputeId}", GetPublicAsync)
            .WithName("GetDispute").WithTags("Disputes")
            .WithSummary("A dispute's status (open, upheld, rejected) and public reason")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var disputes = api.MapGroup("").WithTags("Disputes");
        disputes.MapPost("/disputes", FileAsMemberAsync)
            .RequireKey(Members).WithName("FileMemberDispute")
            .WithSummary("Dispute a signal as a member (the member is named in the log)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        disputes.MapGet("/disputes", ListAsync)
            .RequireKey(ApiScopes.Admin).WithName("ListDisputes")
            .WithSummary("Disputes with their statements and contacts, in filing order (open=true: only open ones; pass next_after as after)");
        disputes.MapPost("/disputes/{disputeId}/resolve", ResolveAsync)
            .RequireKey(ApiScopes.Admin).WithName("ResolveDispute")
            .WithSummary("Resolve a dispute: upheld (the signal is withdrawn and stops matching) or rejected, with a public reason")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        disputes.MapGet("/notifications", NotificationsAsync)
            .RequireKey(ApiScopes.None).WithName("ListNotifications")
            .WithSummary("This member's notifications (disputes against its signals and their resolutions), in order; pass next_after as after");
        disputes.MapGet("/signals/{id:long}/proof-bundle", ProofBundleAsync)
            .RequireKey(Members).WithName("SignalProofBundle").WithTags("Transparency log")
            .WithSummary("A self-contained proof that this signal's value was listed: value, salt, log entry, inclusion proof, signed checkpoint and verifier key (check it offline with 'clearinghouse verify --bundle')")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static Task<Created<DisputeInfo>> FilePublicAsync(Node node, HttpContext context, DisputeFileRequest request) =>
        FileAsync(node, context, request, null);

    private static Task<Created<DisputeInfo>> FileAsMemberAsync(Node node, HttpContext context, DisputeFileRequest request) =>
        FileAsync(node, context, request, context.Caller().MemberId);

    private static async Task<Created<DisputeInfo>> FileAsync(Node node, HttpContext context, DisputeFileRequest request, long? member)
    {
        Dispute dispute = await node.Store.FileDisputeAsync(request.SignalId, member, request.Statement, request.Contact, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/disputes/{dispute.PublicId}", ToInfo(dispute));
    }

    private static async Task<Ok<DisputeInfo>> GetPublicAsync(Node node, HttpContext context, string disputeId)
    {
        Dispute dispute = await node.Store.GetDisputeAsync(disputeId, context.RequestAborted).ConfigureAwait(false)
            ?? throw Problems.NotFound($"there is no dispute '{disputeId}'");
        return TypedResults.Ok(ToInfo(dispute));
    }

    private static async Task<Ok<DisputePage>> ListAsync(Node node, HttpContext context, bool? open, long? after, int? limit)
    {
        int size = limit ?? 100;
        if (size is < 1 or > 1000)
        {
            throw Problems.BadRequest("limit must be between 1 and 1000");
        }

        Page<Dispute> page = await node.Store.ListDisputesAsync(open ?? false, after ?? 0, size, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new DisputePage([.. page.Items.Select(d => new DisputeDetail(ToInfo(d), d.FiledByMemberId, d.Statement, d.Contact))], page.NextAfter));
    }

    private static async Task<Ok<DisputeInfo>> ResolveAsync(Node node, HttpContext context, string disputeId, DisputeResolveRequest request)
    {
        DisputeOutcome outcome = request.Outcome.Trim().ToLowerInvariant() switch
        {
            "upheld" => DisputeOutcome.Upheld,
            "rejected" => DisputeOutcome.Rejected,
            _ => throw Problems.BadRequest($"outcome must be 'upheld' or 'rejected', not '{request.Outcome}'"),
        };
        Dispute dispute = await node.Store.ResolveDisputeAsync(disputeId, outcome, request.Reason, context.Caller().MemberId, context.RequestAborted).ConfigureAwait(false);
        await node.CaughtUpAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(ToInfo(dispute));
    }

    private static async Task<Ok<NotificationPage>> NotificationsAsync(Node node, HttpContext context, long? after, int? limit)
    {
        int size = limit ?? 100;
        if (size is < 1 or > 1000)
        {
            throw Problems.BadRequest("limit must be between 1 and 1000");
        }

        Page<MemberNotification> page = await node.Store.ListNotificationsAsync(context.Caller().MemberId, after ?? 0, size, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new NotificationPage(
            [.. page.Items.Select(n => new NotificationInfo(n.Id, n.Kind, n.DisputeId, n.SignalPublicId, n.Detail, n.At))], page.NextAfter));
    }

    private static async Task<Ok<ProofBundle>> ProofBundleAsync(Node node, CheckpointSigner signer, HttpContext context, long id)
    {
        var (signal, _) = await node.VisibleSignalAsync(context.Caller(), id, context.RequestAborted).ConfigureAwait(false);
        SignalCommitment commitment = await node.Store.GetSignalCommitmentAsync(signal.PublicId, context.RequestAborted).ConfigureAwait(false)
            ?? throw Problems.NotFound($"signal {id} has no log entry (it was added before the log existed)");
        (LogHead head, string note) = await signer.LatestAsync(context.RequestAborted).ConfigureAwait(false);
        IReadOnlyList<LogRecord> entry = await node.Store.ReadLogEntriesAsync(commitment.LogIndex, commitment.LogIndex + 1, context.RequestAborted).ConfigureAwait(false);
        var proof = await node.Store.GetInclusionProofAsync(commitment.LogIndex, head.Size, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new ProofBundle(
            signal.SignalType,
            signal.Value,
            Convert.ToHexStringLower(commitment.Salt),
            commitment.LogIndex,
            Encoding.UTF8.GetString(entry[0].Body),
            head.Size,
            [.. proof.Select(h => h.ToBase64())],
            note,
            signer.VerifierKey));
    }

    private static DisputeInfo ToInfo(Dispute d) => new(
        d.PublicId,
        d.SignalPublicId,
        d.Outcome switch { null => "open", DisputeOutcome.Upheld => "upheld", _ => "rejected" },
        d.Reason,
        d.FiledAt,
        d.FiledIndex,
        d.ResolvedAt,
        d.ResolvedIndex);
}
