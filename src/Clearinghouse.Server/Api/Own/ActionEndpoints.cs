using System.Globalization;
using System.Text.Json;
using Clearinghouse.Server.Actions;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Json;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api.Own;

/// <summary>
/// /api/v1/rules and /api/v1/webhooks: a member's action rules (audited), webhook endpoints and their deliveries.
/// They are the member's own configuration, so they need the scope that changes the member's data (contribute) or
/// admin; every key acts on its own member's rules and endpoints only (an admin key on the operator's).
/// </summary>
internal static class ActionEndpoints
{
    /// <summary>Who may manage rules and webhooks.</summary>
    public const ApiScopes Managers = ApiScopes.Contribute | ApiScopes.Admin;

    public static void Map(RouteGroupBuilder api)
    {
        var rules = api.MapGroup("/rules").WithTags("Rules").RequireKey(Managers);
        rules.MapGet("", ListRulesAsync).WithName("ListRules").WithSummary("This member's action rules, in id order");
        rules.MapPost("", CreateRuleAsync).WithName("CreateRule")
            .WithSummary("Create a rule: which matches (banks, categories, signal types, max distance, disputed too?) and what to do (review_priority, webhook_endpoint_id; neither: record only)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        rules.MapGet("/audit", ListAuditAsync).WithName("ListRuleAudit")
            .WithSummary("Who changed this member's rules, when and to what, oldest first (rule_id narrows to one rule; pass next_cursor as cursor)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        rules.MapGet("/{id:long}", GetRuleAsync).WithName("GetRule").WithSummary("One rule").ProducesProblem(StatusCodes.Status404NotFound);
        rules.MapPut("/{id:long}", ReplaceRuleAsync).WithName("ReplaceRule").WithSummary("Replace a rule (every field; absent lists select any)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        rules.MapDelete("/{id:long}", DeleteRuleAsync).WithName("DeleteRule").WithSummary("Delete a rule (its audit stays)").ProducesProblem(StatusCodes.Status404NotFound);

        var webhooks = api.MapGroup("/webhooks").WithTags("Webhooks").RequireKey(Managers);
        webhooks.MapGet("", ListEndpointsAsync).WithName("ListWebhooks").WithSummary("This member's webhook endpoints (secrets are never shown again)");
        webhooks.MapPost("", CreateEndpointAsync).WithName("CreateWebhook")
            .WithSummary("Register a webhook endpoint; the response carries its signing secret, shown this once")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        webhooks.MapGet("/{id:long}", GetEndpointAsync).WithName("GetWebhook").WithSummary("One webhook endpoint").ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPatch("/{id:long}", UpdateEndpointAsync).WithName("UpdateWebhook")
            .WithSummary("Change an endpoint's URL, description or enabled flag, or rotate its secret (rotate_secret: the new one is shown once)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapDelete("/{id:long}", DeleteEndpointAsync).WithName("DeleteWebhook")
            .WithSummary("Delete an endpoint (refused while a rule names it); its pending deliveries become dead")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        webhooks.MapGet("/deliveries", ListDeliveriesAsync).WithName("ListWebhookDeliveries")
            .WithSummary("This member's webhook deliveries in outbox order (state: pending, delivered or dead; endpoint_id; pass next_cursor as cursor)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        webhooks.MapGet("/deliveries/{id:long}", GetDeliveryAsync).WithName("GetWebhookDelivery").WithSummary("One delivery with its payload").ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPost("/deliveries/{id:long}/redrive", RedriveAsync).WithName("RedriveWebhookDelivery")
            .WithSummary("Send a dead delivery again (pending, due now, attempts reset; same idempotency key)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    // --- rules -------------------------------------------------------------------------------------------------

    private static async Task<Ok<RuleInfo[]>> ListRulesAsync(Node node, IActionStore actions, HttpContext context)
    {
        var caller = context.Caller();
        var rules = await actions.ListActionRulesAsync(caller.MemberId, context.RequestAborted).ConfigureAwait(false);
        var infos = new RuleInfo[rules.Count];
        for (int i = 0; i < rules.Count; i++)
        {
            infos[i] = await ToInfoAsync(node, rules[i], context.RequestAborted).ConfigureAwait(false);
        }

        return TypedResults.Ok(infos);
    }

    private static async Task<Created<RuleInfo>> CreateRuleAsync(Node node, IActionStore actions, RuleCache cache, HttpContext context, RuleRequest request)
    {
        var caller = context.Caller();
        var rule = await actions.CreateActionRuleAsync(await ToNewRuleAsync(node, caller, request, context.RequestAborted).ConfigureAwait(false), Actor(caller), context.RequestAborted).ConfigureAwait(false);
        cache.Invalidate(caller.MemberId);
        return TypedResults.Created($"/api/v1/rules/{rule.Id.ToString(CultureInfo.InvariantCulture)}", await ToInfoAsync(node, rule, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<Ok<RuleInfo>> GetRuleAsync(Node node, IActionStore actions, HttpContext context, long id)
    {
        var rule = await actions.GetActionRuleAsync(context.Caller().MemberId, id, context.RequestAborted).ConfigureAwait(false)
            ?? throw Problems.NotFound($"rule {id} not found");
        return TypedResults.Ok(await ToInfoAsync(node, rule, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<Ok<RuleInfo>> ReplaceRuleAsync(Node node, IActionStore actions, RuleCache cache, HttpContext context, long id, RuleRequest request)
    {
        var caller = context.Caller();
        var rule = await actions.ReplaceActionRuleAsync(id, await ToNewRuleAsync(node, caller, request, context.RequestAborted).ConfigureAwait(false), Actor(caller), context.RequestAborted).ConfigureAwait(false);
        cache.Invalidate(caller.MemberId);
        return TypedResults.Ok(await ToInfoAsync(node, rule, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<NoContent> DeleteRuleAsync(IActionStore actions, RuleCache cache, HttpContext context, long id)
    {
        var caller = context.Caller();
        await actions.DeleteActionRuleAsync(caller.MemberId, id, Actor(caller), context.RequestAborted).ConfigureAwait(false);
        cache.Invalidate(caller.MemberId);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<RuleAuditPage>> ListAuditAsync(Node node, IActionStore actions, HttpContext context, [FromQuery(Name = "rule_id")] long? ruleId, [FromQuery] string? cursor, [FromQuery] int? limit)
    {
        var caller = context.Caller();
        string list = "rule-audit:" + (ruleId?.ToString(CultureInfo.InvariantCulture) ?? "all");
        int size = QueryValues.Limit(limit);
        long after = cursor is null ? 0 : node.Cursors.Decode(cursor, caller.MemberId, list);
        var page = await actions.ListActionRuleAuditAsync(caller.MemberId, ruleId, after, size, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new RuleAuditPage(
            [.. page.Items.Select(a => new RuleAuditInfo(a.Id, a.RuleId, a.Change.ToString().ToLowerInvariant(), a.Actor, a.At, ParseJson(a.RuleJson)))],
            page.NextAfter is long next ? node.Cursors.Encode(next, caller.MemberId, list) : null));
    }

    /// <summary>Who changed something, as the audit keeps it: the API key's public id (a reviewer's user name in the UI).</summary>
    public static string Actor(Caller caller) => "key:" + caller.KeyId;

    private static async Task<NewActionRule> ToNewRuleAsync(Node node, Caller caller, RuleRequest request, CancellationToken cancellationToken)
    {
        var bankIds = new List<long>();
        foreach (string name in request.Banks ?? [])
        {
            bankIds.Add((await node.VisibleBankAsync(caller, name, cancellationToken).ConfigureAwait(false)).Id);
        }

        foreach (string type in request.SignalTypes ?? [])
        {
            _ = node.Matcher.TypeOf(type);
        }

        return new NewActionRule(
            caller.MemberId,
            request.Name,
            new RuleSelector(bankIds, request.Categories ?? [], request.SignalTypes ?? [], request.MaxDistance, request.IncludeDisputed ?? false),
            new RuleActions(request.ReviewPriority, request.WebhookEndpointId),
            request.Enabled ?? true);
    }

    private static async Task<RuleInfo> ToInfoAsync(Node node, ActionRule rule, CancellationToken cancellationToken)
    {
        var names = new List<string>(rule.Selector.BankIds.Count);
        foreach (long bankId in rule.Selector.BankIds)
        {
            var bank = await node.Store.GetBankAsync(bankId, cancellationToken).ConfigureAwait(false);
            names.Add(bank is null ? string.Empty : bank.Name);
        }

        return new RuleInfo(
            rule.Id,
            rule.Name,
            rule.Enabled,
            names,
            rule.Selector.BankIds,
            rule.Selector.Categories,
            rule.Selector.SignalTypes,
            rule.Selector.MaxDistance,
            rule.Selector.IncludeDisputed,
            rule.Actions.ReviewPriority,
            rule.Actions.WebhookEndpointId,
            rule.Actions.IsRecordOnly,
            rule.CreatedAt,
            rule.UpdatedAt);
    }

    // --- webhook endpoints -------------------------------------------------------------------------------------

    private static async Task<Ok<WebhookInfo[]>> ListEndpointsAsync(IActionStore actions, HttpContext context) =>
        TypedResults.Ok((await actions.ListWebhookEndpointsAsync(context.Caller().MemberId, context.RequestAborted).ConfigureAwait(false)).Select(e => ToInfo(e, false)).ToArray());

    private static async Task<Created<WebhookInfo>> CreateEndpointAsync(IActionStore actions, HttpContext context, WebhookCreateRequest request)
    {
        var endpoint = await actions.CreateWebhookEndpointAsync(context.Caller().MemberId, request.Url, WebhookSignature.NewSecret(), request.Description, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/webhooks/{endpoint.Id.ToString(CultureInfo.InvariantCulture)}", ToInfo(endpoint, true));
    }

    private static async Task<Ok<WebhookInfo>> GetEndpointAsync(IActionStore actions, HttpContext context, long id) =>
        TypedResults.Ok(ToInfo(
            await actions.GetWebhookEndpointAsync(context.Caller().MemberId, id, context.RequestAborted).ConfigureAwait(false) ?? throw Problems.NotFound($"webhook endpoint {id} not found"),
            false));

    private static async Task<Ok<WebhookInfo>> UpdateEndpointAsync(IActionStore actions, HttpContext context, long id, WebhookUpdateRequest request)
    {
        bool rotate = request.RotateSecret ?? false;
        var endpoint = await actions.UpdateWebhookEndpointAsync(
            context.Caller().MemberId,
            id,
            new WebhookEndpointUpdate(request.Url, rotate ? WebhookSignature.NewSecret() : null, request.Description, request.Enabled),
            context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(ToInfo(endpoint, rotate));
    }

    private static async Task<NoContent> DeleteEndpointAsync(IActionStore actions, HttpContext context, long id)
    {
        await actions.DeleteWebhookEndpointAsync(context.Caller().MemberId, id, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static WebhookInfo ToInfo(WebhookEndpoint endpoint, bool withSecret) =>
        new(endpoint.Id, endpoint.Url, endpoint.Description, endpoint.Enabled, endpoint.CreatedAt, withSecret ? endpoint.Secret : null);

    // --- deliveries --------------------------------------------------------------------------------------------

    private static async Task<Ok<DeliveryPage>> ListDeliveriesAsync(
        Node node,
        IActionStore actions,
        HttpContext context,
        [FromQuery] string? state,
        [FromQuery(Name = "endpoint_id")] long? endpointId,
        [FromQuery] string? cursor,
        [FromQuery] int? limit)
    {
        var caller = context.Caller();
        DeliveryState? parsed = state is null ? null : ParseState(state);
        string list = $"deliveries:{state}:{endpointId}";
        int size = QueryValues.Limit(limit);
        long after = cursor is null ? 0 : node.Cursors.Decode(cursor, caller.MemberId, list);
        var page = await actions.ListDeliveriesAsync(new DeliveryQuery(caller.MemberId, parsed, endpointId, after, size), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new DeliveryPage([.. page.Items.Select(ToInfo)], page.NextAfter is long next ? node.Cursors.Encode(next, caller.MemberId, list) : null));
    }

    private static async Task<Ok<DeliveryInfo>> GetDeliveryAsync(IActionStore actions, HttpContext context, long id) =>
        TypedResults.Ok(ToInfo(
            await actions.GetDeliveryAsync(context.Caller().MemberId, id, context.RequestAborted).ConfigureAwait(false) ?? throw Problems.NotFound($"delivery {id} not found")));

    private static async Task<Ok<DeliveryInfo>> RedriveAsync(IActionStore actions, DeliveryWakeup wakeup, HttpContext context, long id)
    {
        var delivery = await actions.RedriveDeliveryAsync(context.Caller().MemberId, id, context.RequestAborted).ConfigureAwait(false);
        wakeup.Wake();
        return TypedResults.Ok(ToInfo(delivery));
    }

    public static string StateName(DeliveryState state) => state switch
    {
        DeliveryState.Pending => "pending",
        DeliveryState.Delivered => "delivered",
        _ => "dead",
    };

    private static DeliveryState ParseState(string text) => text.Trim().ToLowerInvariant() switch
    {
        "pending" => DeliveryState.Pending,
        "delivered" => DeliveryState.Delivered,
        "dead" => DeliveryState.Dead,
        _ => throw Problems.BadRequest($"state must be pending, delivered or dead; got '{text}'."),
    };

    private static DeliveryInfo ToInfo(WebhookDelivery d) =>
        new(d.Id, d.EndpointId, d.IdempotencyKey, d.EventType, StateName(d.State), d.Attempts, d.NextAttemptAt, d.LastStatus, d.LastError, d.CreatedAt, d.DeliveredAt, ParseJson(d.Payload));

    /// <summary>JSON the node wrote itself (a payload, an audited rule), as an element of a response.</summary>
    private static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
