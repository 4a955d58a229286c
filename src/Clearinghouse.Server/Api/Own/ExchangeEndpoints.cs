using System.Text.Json;
using System.Text.Json.Nodes;
using Clearinghouse.Exchanges;
using Clearinghouse.Server.Auth;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api.Own;

/// <summary>
/// /api/v1/exchanges for the operator (admin scope): configure, list, sync now, enable, disable and remove imports
/// from hash-sharing programs (see docs/exchanges.md). Answers are the CLI's JSON shapes.
/// </summary>
internal static class ExchangeEndpoints
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(100) };

    public static void Map(RouteGroupBuilder api)
    {
        var exchanges = api.MapGroup("/exchanges").WithTags("Exchanges");
        exchanges.MapGet("", ListAsync)
            .RequireKey(ApiScopes.Admin).WithName("ListExchanges").WithSummary("The configured exchanges, where each sync stands and its last error");
        exchanges.MapPost("", AddAsync)
            .RequireKey(ApiScopes.Admin).WithName("AddExchange")
            .WithSummary("Configure an exchange: {name, program, bank, settings?, contributor?, enabled?} (credentials are never sent: settings name an environment variable or file)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        exchanges.MapPost("/{name}/sync", SyncAsync)
            .RequireKey(ApiScopes.Admin).WithName("SyncExchange").WithSummary("Sync an exchange now; the report lists skipped records")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status502BadGateway);
        exchanges.MapPost("/{name}/enable", (Node node, HttpContext context, string name) => ToggleAsync(node, context, name, true))
            .RequireKey(ApiScopes.Admin).WithName("EnableExchange").WithSummary("Sync an exchange in the background");
        exchanges.MapPost("/{name}/disable", (Node node, HttpContext context, string name) => ToggleAsync(node, context, name, false))
            .RequireKey(ApiScopes.Admin).WithName("DisableExchange").WithSummary("Stop syncing an exchange in the background");
        exchanges.MapDelete("/{name}", RemoveAsync)
            .RequireKey(ApiScopes.Admin).WithName("RemoveExchange").WithSummary("Forget an exchange; the signals it imported stay")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static ExchangeRunner Runner(Node node) => new(node.Store, node.Types, Http);

    private static IResult Json(JsonNode node, int status = StatusCodes.Status200OK) => Results.Text(node.ToJsonString(), "application/json", statusCode: status);

    private static async Task<IResult> ListAsync(Node node, HttpContext context)
    {
        var runner = Runner(node);
        var list = new JsonArray();
        foreach (Exchange exchange in await runner.Exchanges.ListExchangesAsync(context.RequestAborted).ConfigureAwait(false))
        {
            list.Add(ExchangeRunner.Describe(exchange, (await node.Store.GetBankAsync(exchange.BankId, context.RequestAborted).ConfigureAwait(false))?.Name ?? "?"));
        }

        return Json(list);
    }

    private static async Task<IResult> AddAsync(Node node, HttpContext context)
    {
        JsonObject body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) as JsonObject
                ?? throw Problems.BadRequest("the body must be a JSON object {name, program, bank, settings?, contributor?, enabled?}");
        }
        catch (JsonException ex)
        {
            throw Problems.BadRequest($"the body is not valid JSON: {ex.Message}");
        }

        string name = Text(body, "name");
        string program = Text(body, "program");
        Bank bank = await node.Store.FindBankAsync(Text(body, "bank"), context.RequestAborted).ConfigureAwait(false)
            ?? throw Problems.NotFound($"no bank named '{Text(body, "bank")}'");
        string settings = body["settings"] switch
        {
            null => "{}",
            JsonObject o => o.ToJsonString(),
            _ => throw Problems.BadRequest("settings must be a JSON object"),
        };
        var runner = Runner(node);
        ExchangeProgram parsed;
        try
        {
            parsed = await runner.ValidateAsync(program, settings, bank, context.RequestAborted).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw Problems.BadRequest(ex.Message);
        }

        long contributor = bank.OwnerMemberId;
        if (body["contributor"] is JsonValue c && c.TryGetValue(out string? member))
        {
            contributor = (await node.Store.FindMemberAsync(member, context.RequestAborted).ConfigureAwait(false) ?? throw Problems.NotFound($"no member named '{member}'")).Id;
        }

        bool enabled = body["enabled"] is not JsonValue e || !e.TryGetValue(out bool flag) || flag;
        Exchange created = await runner.Exchanges.CreateExchangeAsync(new NewExchange(name, ExchangePrograms.NameOf(parsed), bank.Id, contributor, settings, enabled), context.RequestAborted).ConfigureAwait(false);
        return Json(ExchangeRunner.Describe(created, bank.Name), StatusCodes.Status201Created);
    }

    private static async Task<IResult> SyncAsync(Node node, HttpContext context, string name)
    {
        var runner = Runner(node);
        Exchange exchange = await FindAsync(runner, name, context).ConfigureAwait(false);
        try
        {
            SyncReport report = await runner.SyncAsync(exchange, null, context.RequestAborted).ConfigureAwait(false);
            JsonObject result = report.ToJson();
            result["exchange"] = exchange.Name;
            return Json(result);
        }
        catch (Exception ex) when (ex is ExchangeFormatException or ExchangeAuthException or ExchangeUnavailableException)
        {
            throw new ApiProblemException(StatusCodes.Status502BadGateway, $"exchange '{exchange.Name}': {ex.Message}");
        }
        catch (FormatException ex)
        {
            throw Problems.Unprocessable($"exchange '{exchange.Name}': {ex.Message}");
        }
    }

    private static async Task<IResult> ToggleAsync(Node node, HttpContext context, string name, bool enabled)
    {
        var runner = Runner(node);
        Exchange exchange = await FindAsync(runner, name, context).ConfigureAwait(false);
        Exchange updated = await runner.Exchanges.SetExchangeEnabledAsync(exchange.Id, enabled, context.RequestAborted).ConfigureAwait(false);
        return Json(ExchangeRunner.Describe(updated, (await node.Store.GetBankAsync(updated.BankId, context.RequestAborted).ConfigureAwait(false))?.Name ?? "?"));
    }

    private static async Task<IResult> RemoveAsync(Node node, HttpContext context, string name)
    {
        var runner = Runner(node);
        Exchange exchange = await FindAsync(runner, name, context).ConfigureAwait(false);
        await runner.Exchanges.DeleteExchangeAsync(exchange.Id, context.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<Exchange> FindAsync(ExchangeRunner runner, string name, HttpContext context) =>
        await runner.Exchanges.FindExchangeAsync(name, context.RequestAborted).ConfigureAwait(false)
        ?? throw Problems.NotFound($"no exchange named '{name}'");

    private static string Text(JsonObject body, string key) =>
        body[key] is JsonValue v && v.TryGetValue(out string? text) && !string.IsNullOrWhiteSpace(text)
            ? text
            : throw Problems.BadRequest($"'{key}' must be a non-empty string");
}
