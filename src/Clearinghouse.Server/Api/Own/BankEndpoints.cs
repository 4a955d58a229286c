using System.Text.RegularExpressions;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Json;
using Clearinghouse.Signals;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api.Own;

/// <summary>/api/v1/banks: list (cursor pages), create, read, update, delete.</summary>
internal static partial class BankEndpoints
{
    private const string ListName = "banks";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/banks", ListAsync)
            .RequireKey(ApiScopes.None)
            .WithName("ListBanks").WithTags("Banks")
            .WithSummary("Banks this member may see, in id order, a page at a time (pass next_cursor as cursor)")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapPost("/banks", CreateAsync)
            .RequireKey(ApiScopes.Contribute)
            .WithName("CreateBank").WithTags("Banks")
            .WithSummary("Create a bank owned by this member (one category; scope private, group or all_members)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapGet("/banks/{name}", GetAsync)
            .RequireKey(ApiScopes.None)
            .WithName("GetBank").WithTags("Banks").WithSummary("One bank")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPatch("/banks/{name}", UpdateAsync)
            .RequireKey(ApiScopes.Contribute)
            .WithName("UpdateBank").WithTags("Banks")
            .WithSummary("Change a bank's name, sharing, enablement, negative flag, thresholds or description (owner only)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        api.MapDelete("/banks/{name}", DeleteAsync)
            .RequireKey(ApiScopes.Contribute)
            .WithName("DeleteBank").WithTags("Banks")
            .WithSummary("Delete a bank and withdraw its signals (owner only)")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>Bank names: letters, digits, '_', '-', '.', up to 100 characters, not starting with '-' or '.'.</summary>
    public static void ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw Problems.BadRequest($"bank name '{name}' is not valid: use 1 to 100 letters, digits, '_', '-' or '.', starting with a letter, digit or '_'.");
        }
    }

    /// <summary>Checks per-type thresholds: known types, 0 for exact types, at most twice the default otherwise.</summary>
    public static void ValidateThresholds(SignalTypeRegistry types, IReadOnlyDictionary<string, int>? thresholds)
    {
        if (thresholds is null)
        {
            return;
        }

        foreach (var (name, threshold) in thresholds)
        {
            if (!types.TryGet(name, out var type))
            {
                throw Problems.BadRequest($"thresholds: unknown signal type '{name}' (known: {string.Join(", ", types.All.Select(t => t.Name).Order(StringComparer.Ordinal))}).");
            }

            // A larger radius would turn every lookup of every member seeing the bank into a scan.
            int max = type.IsExact ? 0 : 2 * type.DefaultThreshold;
            if (threshold < 0 || threshold > max)
            {
                throw Problems.BadRequest(type.IsExact
                    ? $"thresholds: {name} matches exactly; its threshold can only be 0 (got {threshold})."
                    : $"thresholds: the {name} threshold must be between 0 and {max} (twice its default {type.DefaultThreshold}); got {threshold}.");
            }
        }
    }

    /// <summary>Checks a scope and group pair; the caller must belong to a group it shares with.</summary>
    public static (SharingScope Scope, long? Group) ValidateSharing(Caller caller, SharingScope scope, long? groupId)
    {
        if (scope == SharingScope.Group)
        {
            if (groupId is not long g)
            {
                throw Problems.BadRequest("scope 'group' needs sharing_group_id.");
            }

            if (!caller.IsAdmin && !caller.Groups.Contains(g))
            {
                throw Problems.Forbidden($"this member is not in sharing group {g}, so it cannot share a bank with it.");
            }

            return (scope, g);
        }

        if (groupId is not null)
        {
            throw Problems.BadRequest($"sharing_group_id is only for scope 'group' (scope is '{Mapping.ScopeName(scope)}').");
        }

        return (scope, null);
    }

    private static async Task<Ok<BankPage>> ListAsync(Node node, HttpContext context, [FromQuery] string? cursor, [FromQuery] int? limit)
    {
        var caller = context.Caller();
        int size = QueryValues.Limit(limit);
        long after = cursor is null ? 0 : node.Cursors.Decode(cursor, caller.MemberId, ListName);
        var banks = caller.IsAdmin
            ? await node.Store.ListBanksAsync(context.RequestAborted).ConfigureAwait(false)
            : await node.Store.ListVisibleBanksAsync(caller.MemberId, context.RequestAborted).ConfigureAwait(false);
        var page = banks.Where(b => b.Id > after).OrderBy(b => b.Id).Take(size + 1).ToList();
        string? next = page.Count > size ? node.Cursors.Encode(page[size - 1].Id, caller.MemberId, ListName) : null;
        return TypedResults.Ok(new BankPage([.. page.Take(size).Select(Mapping.ToInfo)], next));
    }

    private static async Task<Created<BankInfo>> CreateAsync(Node node, HttpContext context, BankCreateRequest request)
    {
        var caller = context.Caller();
        ValidateName(request.Name);
        ValidateThresholds(node.Types, request.Thresholds);
        var (scope, group) = ValidateSharing(caller, request.Scope is null ? SharingScope.AllMembers : Mapping.ParseScope(request.Scope), request.SharingGroupId);
        var bank = await CreateBankAsync(node, new NewBank(
            request.Name, request.Category, caller.MemberId, scope, group, request.Enabled ?? true, request.Negative ?? false, request.Thresholds, request.Description), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/banks/{Uri.EscapeDataString(bank.Name)}", Mapping.ToInfo(bank));
    }

    /// <summary>Creates a bank (a 409 problem when the name is taken) and lets this node's index see it.</summary>
    public static async Task<Bank> CreateBankAsync(Node node, NewBank bank, CancellationToken cancellationToken)
    {
        if (await node.Store.FindBankAsync(bank.Name, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw Problems.Conflict($"a bank named '{bank.Name}' already exists.");
        }

        var created = await node.Store.CreateBankAsync(bank, cancellationToken).ConfigureAwait(false);
        await node.CaughtUpAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    private static async Task<Ok<BankInfo>> GetAsync(Node node, HttpContext context, string name) =>
        TypedResults.Ok(Mapping.ToInfo(await node.VisibleBankAsync(context.Caller(), name, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<BankInfo>> UpdateAsync(Node node, HttpContext context, string name, BankUpdateRequest request)
    {
        var caller = context.Caller();
        var bank = await node.VisibleBankAsync(caller, name, context.RequestAborted).ConfigureAwait(false);
        Node.RequireManage(caller, bank);
        if (request.Name is not null)
        {
            ValidateName(request.Name);
        }

        ValidateThresholds(node.Types, request.Thresholds);
        SharingScope? scope = null;
        long? group = null;
        if (request.Scope is not null || request.SharingGroupId is not null)
        {
            var sharing = ValidateSharing(caller, request.Scope is null ? bank.Scope : Mapping.ParseScope(request.Scope), request.SharingGroupId ?? (request.Scope is null ? bank.SharingGroupId : null));
            (scope, group) = (sharing.Scope, sharing.Group);
        }

        var updated = await UpdateBankAsync(node, bank, new BankUpdate(request.Name, scope, group, request.Enabled, request.Negative, request.Thresholds, request.Description), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(Mapping.ToInfo(updated));
    }

    /// <summary>Updates a bank (a 409 problem when renaming onto a taken name) and lets this node's index see it.</summary>
    public static async Task<Bank> UpdateBankAsync(Node node, Bank bank, BankUpdate update, CancellationToken cancellationToken)
    {
        if (update.Name is not null && update.Name != bank.Name && await node.Store.FindBankAsync(update.Name, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw Problems.Conflict($"a bank named '{update.Name}' already exists.");
        }

        var updated = await node.Store.UpdateBankAsync(bank.Id, update, cancellationToken).ConfigureAwait(false);
        await node.CaughtUpAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    private static async Task<NoContent> DeleteAsync(Node node, HttpContext context, string name)
    {
        var caller = context.Caller();
        var bank = await node.VisibleBankAsync(caller, name, context.RequestAborted).ConfigureAwait(false);
        Node.RequireManage(caller, bank);
        await node.Store.DeleteBankAsync(bank.Id, context.RequestAborted).ConfigureAwait(false);
        await node.CaughtUpAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
