using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Json;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api.Own;

/// <summary>/api/v1 for the operator (admin scope): members, their keys, sharing groups.</summary>
internal static class AdminEndpoints
{
    /// <summary>What a new member's first key may do unless told otherwise: everything but administration.</summary>
    public const ApiScopes DefaultMemberScopes = ApiScopes.Hash | ApiScopes.Match | ApiScopes.Contribute | ApiScopes.Review;

    public static void Map(RouteGroupBuilder api)
    {
        var admin = api.MapGroup("").WithTags("Administration");
        admin.MapGet("/members", ListMembersAsync)
            .RequireKey(ApiScopes.Admin).WithName("ListMembers").WithSummary("Every member");
        admin.MapPost("/members", CreateMemberAsync)
            .RequireKey(ApiScopes.Admin).WithName("CreateMember")
            .WithSummary("Create a member and its first API key (the key is shown once)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapGet("/members/{id:long}/keys", ListKeysAsync)
            .RequireKey(ApiScopes.Admin).WithName("ListKeys").WithSummary("A member's API keys (without secrets)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/members/{id:long}/keys", IssueKeyAsync)
            .RequireKey(ApiScopes.Admin).WithName("IssueKey").WithSummary("Issue another API key for a member (shown once)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapDelete("/keys/{keyId}", RevokeKeyAsync)
            .RequireKey(ApiScopes.Admin).WithName("RevokeKey").WithSummary("Revoke an API key (every replica refuses it within a second)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/groups", CreateGroupAsync)
            .RequireKey(ApiScopes.Admin).WithName("CreateGroup").WithSummary("Create a sharing group")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPut("/groups/{id:long}/members/{memberId:long}", AddGroupMemberAsync)
            .RequireKey(ApiScopes.Admin).WithName("AddGroupMember").WithSummary("Add a member to a sharing group")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapDelete("/groups/{id:long}/members/{memberId:long}", RemoveGroupMemberAsync)
            .RequireKey(ApiScopes.Admin).WithName("RemoveGroupMember").WithSummary("Remove a member from a sharing group")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<MemberInfo[]>> ListMembersAsync(Node node, HttpContext context)
    {
        var members = await node.Store.ListMembersAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(members.Select(Mapping.ToInfo).ToArray());
    }

    private static async Task<Created<MemberCreated>> CreateMemberAsync(Node node, HttpContext context, MemberCreateRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            throw Problems.BadRequest("name must be 1 to 200 characters.");
        }

        var scopes = ParseScopes(request.Scopes, DefaultMemberScopes);
        if (await node.Store.FindMemberAsync(request.Name, context.RequestAborted).ConfigureAwait(false) is not null)
        {
            throw Problems.Conflict($"a member named '{request.Name}' already exists.");
        }

        var member = await node.Store.CreateMemberAsync(request.Name, context.RequestAborted).ConfigureAwait(false);
        var key = await node.Issuer.IssueAsync(member.Id, scopes, request.Label, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/members/{member.Id}", new MemberCreated(Mapping.ToInfo(member), ToIssued(key)));
    }

    private static async Task<Ok<KeyInfo[]>> ListKeysAsync(Node node, HttpContext context, long id)
    {
        await RequireMemberAsync(node, id, context.RequestAborted).ConfigureAwait(false);
        var keys = await node.Store.ListApiKeysAsync(id, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(keys.Select(k => new KeyInfo(k.KeyId, k.MemberId, RequireScopeExtensions.Describe(k.Scopes), k.Label, k.CreatedAt, k.RevokedAt)).ToArray());
    }

    private static async Task<Created<IssuedKeyInfo>> IssueKeyAsync(Node node, HttpContext context, long id, KeyCreateRequest request)
    {
        await RequireMemberAsync(node, id, context.RequestAborted).ConfigureAwait(false);
        var key = await node.Issuer.IssueAsync(id, ParseScopes(request.Scopes, DefaultMemberScopes), request.Label, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/members/{id}/keys", ToIssued(key));
    }

    private static async Task<NoContent> RevokeKeyAsync(Node node, HttpContext context, string keyId)
    {
        if (!await node.Store.RevokeApiKeyAsync(keyId, context.RequestAborted).ConfigureAwait(false))
        {
            throw Problems.NotFound($"no unrevoked key with id '{keyId}'.");
        }

        node.Authenticator.Invalidate(keyId);
        return TypedResults.NoContent();
    }

    private static async Task<Created<GroupInfo>> CreateGroupAsync(Node node, HttpContext context, GroupCreateRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            throw Problems.BadRequest("name must be 1 to 200 characters.");
        }

        var group = await node.Store.CreateSharingGroupAsync(request.Name, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/groups/{group.Id}", new GroupInfo(group.Id, group.Name, group.CreatedAt));
    }

    private static async Task<NoContent> AddGroupMemberAsync(Node node, HttpContext context, long id, long memberId)
    {
        await RequireMemberAsync(node, memberId, context.RequestAborted).ConfigureAwait(false);
        await node.Store.AddGroupMemberAsync(id, memberId, context.RequestAborted).ConfigureAwait(false);
        node.Authenticator.InvalidateMember(memberId);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> RemoveGroupMemberAsync(Node node, HttpContext context, long id, long memberId)
    {
        await node.Store.RemoveGroupMemberAsync(id, memberId, context.RequestAborted).ConfigureAwait(false);
        node.Authenticator.InvalidateMember(memberId);
        return TypedResults.NoContent();
    }

    private static async Task RequireMemberAsync(Node node, long id, CancellationToken cancellationToken)
    {
        if (await node.Store.GetMemberAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            throw Problems.NotFound($"member {id} not found.");
        }
    }

    private static ApiScopes ParseScopes(string? text, ApiScopes defaults)
    {
        if (text is null)
        {
            return defaults;
        }

        return RequireScopeExtensions.TryParseScopes(text, out var scopes, out var error) ? scopes : throw Problems.BadRequest($"scopes: {error}.");
    }

    private static IssuedKeyInfo ToIssued(IssuedApiKey key) =>
        new(key.Record.MemberId, key.Record.KeyId, key.Key, RequireScopeExtensions.Describe(key.Record.Scopes), key.Record.Label);
}
