using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Json;
using Clearinghouse.Server.Ui;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api.Own;

/// <summary>/api/v1/reviewers for the operator (admin scope): the review UI's reviewer accounts.</summary>
internal static class ReviewerEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var reviewers = api.MapGroup("/reviewers").WithTags("Administration");
        reviewers.MapGet("", ListAsync)
            .RequireKey(ApiScopes.Admin).WithName("ListReviewers").WithSummary("Reviewer accounts (all, or of one member with ?member_id=)");
        reviewers.MapPost("", CreateAsync)
            .RequireKey(ApiScopes.Admin).WithName("CreateReviewer")
            .WithSummary("Create a reviewer of a member (password at least 12 characters, stored as an Argon2id hash)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        reviewers.MapPost("/{id:long}/disable", (IReviewerStore store, HttpContext context, long id) => SetDisabledAsync(store, context, id, true))
            .RequireKey(ApiScopes.Admin).WithName("DisableReviewer").WithSummary("Disable a reviewer; its sessions end at once")
            .ProducesProblem(StatusCodes.Status404NotFound);
        reviewers.MapPost("/{id:long}/enable", (IReviewerStore store, HttpContext context, long id) => SetDisabledAsync(store, context, id, false))
            .RequireKey(ApiScopes.Admin).WithName("EnableReviewer").WithSummary("Enable a disabled reviewer again")
            .ProducesProblem(StatusCodes.Status404NotFound);
        reviewers.MapPut("/{id:long}/password", SetPasswordAsync)
            .RequireKey(ApiScopes.Admin).WithName("SetReviewerPassword").WithSummary("Set a reviewer's password; its sessions end and any lockout is cleared")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<ReviewerInfo[]>> ListAsync(IReviewerStore store, HttpContext context, long? memberId)
    {
        var list = await store.ListReviewersAsync(memberId, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(list.Select(ReviewerInfo.From).ToArray());
    }

    private static async Task<Created<ReviewerInfo>> CreateAsync(IReviewerStore store, HttpContext context, ReviewerCreateRequest request)
    {
        ApiScopes extra = ApiScopes.Review;
        if (request.Scopes is not null && !RequireScopeExtensions.TryParseScopes(request.Scopes, out extra, out var error))
        {
            throw Problems.BadRequest($"scopes: {error}.");
        }

        var reviewer = await ReviewerAccounts.CreateAsync(store, request.MemberId, request.Username ?? string.Empty, request.Password ?? string.Empty, extra, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/reviewers/{reviewer.Id}", ReviewerInfo.From(reviewer));
    }

    private static async Task<Ok<ReviewerInfo>> SetDisabledAsync(IReviewerStore store, HttpContext context, long id, bool disabled) =>
        TypedResults.Ok(ReviewerInfo.From(await store.SetReviewerDisabledAsync(id, disabled, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<ReviewerInfo>> SetPasswordAsync(IReviewerStore store, HttpContext context, long id, ReviewerPasswordRequest request) =>
        TypedResults.Ok(ReviewerInfo.From(await ReviewerAccounts.SetPasswordAsync(store, id, request.Password ?? string.Empty, context.RequestAborted).ConfigureAwait(false)));
}
