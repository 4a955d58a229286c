using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Designations;
using Clearinghouse.Server.Json;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;

namespace Clearinghouse.Server.Api.Own;

/// <summary>
/// /api/v1 designation lists: read the lists and entries signals' designation references name; the operator
/// imports the UN Security Council Consolidated List and OFAC's SDN digital-currency addresses from their XML.
/// </summary>
internal static class DesignationEndpoints
{
    private const ApiScopes Readers = ApiScopes.Contribute | ApiScopes.Review | ApiScopes.Admin;

    public static void Map(RouteGroupBuilder api, NodeOptions options)
    {
        var group = api.MapGroup("").WithTags("Designations");
        group.MapGet("/designations", ListListsAsync)
            .RequireKey(Readers).WithName("ListDesignationLists")
            .WithSummary("The designation lists the node holds (un, ofac, …) with their counts of listed and delisted entries");
        group.MapGet("/designations/{designation}", GetAsync)
            .RequireKey(Readers).WithName("GetDesignation")
            .WithSummary("One entry by its reference, e.g. un:QDe.115 (an individual is its reference alone: no name is kept)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/designations/un", ImportUnAsync)
            .RequireKey(ApiScopes.Admin)
            .WithBodyLimit(options.MaxImportBytes)
            .WithBodyDoc("The UN Security Council Consolidated List as published (consolidated.xml).", "application/xml", "text/xml")
            .WithName("ImportUnList")
            .WithSummary("Replace the node's UN list with this copy of consolidated.xml: entries added or updated, missing ones marked delisted (a DTD, malformed or truncated XML is 422; nothing is written)")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/banks/{name}/signals/import-ofac", ImportOfacAsync)
            .RequireKey(ApiScopes.Admin)
            .WithBodyLimit(options.MaxImportBytes)
            .WithBodyDoc("OFAC's SDN list as published (sdn.xml).", "application/xml", "text/xml")
            .WithName("ImportOfacAddresses")
            .WithSummary(
                "Add the digital-currency addresses of OFAC SDN entries in the chosen programs (programs=SDGT,SDT,FTO by default) to a terrorist-fundraising bank as payment "
                + "signals, each with its designation (un:… where the entry writes a UN reference on the node's UN list, else ofac:<uid>); invalid addresses are reported, never stored")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Ok<DesignationListInfo[]>> ListListsAsync(Node node, HttpContext context)
    {
        var lists = await node.Store.ListDesignationListsAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(lists.Select(DesignationListInfo.From).ToArray());
    }

    private static async Task<Ok<DesignationInfo>> GetAsync(Node node, HttpContext context, string designation)
    {
        var found = await node.Store.GetDesignationsAsync([designation], context.RequestAborted).ConfigureAwait(false);
        return found.Count == 1 ? TypedResults.Ok(DesignationInfo.From(found[0])) : throw Problems.NotFound($"designation '{designation}' is not on any list the node holds");
    }

    private static async Task<Ok<DesignationImportReport>> ImportUnAsync(Node node, HttpContext context)
    {
        var body = await BufferedBodyAsync(node, context).ConfigureAwait(false);
        UnListFile list;
        try
        {
            list = UnConsolidatedList.Read(body, node.Options.MaxImportBytes);
        }
        catch (SanctionsFileException ex)
        {
            throw Problems.Unprocessable(ex.Message + "; nothing was imported.");
        }

        var result = await node.Store.ReplaceDesignationListAsync(UnConsolidatedList.ListName, list.Entries, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(DesignationImportReport.From(result, list.Generated));
    }

    private static async Task<Ok<OfacImportReport>> ImportOfacAsync(Node node, HttpContext context, string name, [FromQuery] string? programs)
    {
        var caller = context.Caller();
        var bank = await node.VisibleBankAsync(caller, name, context.RequestAborted).ConfigureAwait(false);
        string[] chosen = programs is null
            ? [.. OfacAddressImport.DefaultPrograms]
            : programs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (chosen.Length == 0)
        {
            throw Problems.BadRequest("programs names no OFAC program (e.g. programs=SDGT,FTO).");
        }

        var body = await BufferedBodyAsync(node, context).ConfigureAwait(false);
        OfacSdnFile file;
        try
        {
            file = OfacSdnList.Read(body, node.Options.MaxImportBytes);
        }
        catch (SanctionsFileException ex)
        {
            throw Problems.Unprocessable(ex.Message + "; nothing was imported.");
        }

        OfacImportResult result;
        try
        {
            result = await new OfacAddressImport(node.Store, node.Types).ImportAsync(bank, caller.MemberId, file, chosen, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OfacImportRefusedException ex)
        {
            throw Problems.Unprocessable(ex.Message + "; nothing was imported.");
        }

        node.Follower.Wake();
        await node.CaughtUpAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(OfacImportReport.From(result));
    }

    /// <summary>The request body, read to the end (to a temporary file beyond 1 MiB) so the XML reader can read it synchronously.</summary>
    private static async Task<Stream> BufferedBodyAsync(Node node, HttpContext context)
    {
        context.Request.EnableBuffering(1 << 20, node.Options.MaxImportBytes);
        await context.Request.Body.DrainAsync(context.RequestAborted).ConfigureAwait(false);
        context.Request.Body.Position = 0;
        return context.Request.Body;
    }
}
