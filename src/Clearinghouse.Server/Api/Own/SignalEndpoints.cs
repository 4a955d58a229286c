using System.Text;
using System.Text.Json;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Import;
using Clearinghouse.Server.Json;
using Clearinghouse.Server.Matching;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;

namespace Clearinghouse.Server.Api.Own;

/// <summary>/api/v1: signals of a bank (list, add, bulk import, export), one signal (read, withdraw, opinions), match records.</summary>
internal static class SignalEndpoints
{
    private const ApiScopes Readers = ApiScopes.Contribute | ApiScopes.Review;

    public static void Map(RouteGroupBuilder api, NodeOptions options)
    {
        api.MapGet("/banks/{name}/signals", ListAsync)
            .RequireKey(Readers)
            .WithName("ListSignals").WithTags("Signals")
            .WithSummary("Signals of a bank in id order, a page at a time (filters: status, signal_type; pass next_cursor as cursor)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/banks/{name}/signals", AddAsync)
            .RequireKey(ApiScopes.Contribute)
            .WithName("AddSignal").WithTags("Signals")
            .WithSummary("Add one signal to a bank (the value is canonicalised; a duplicate is 409)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapPost("/banks/{name}/signals/import", ImportAsync)
            .RequireKey(ApiScopes.Contribute)
            .WithBodyLimit(options.MaxImportBytes)
            .WithBodyDoc("The signals, one per line.", "text/plain", "text/csv", "application/x-ndjson")
            .WithName("ImportSignals").WithTags("Signals")
            .WithSummary(
                "Add signals in bulk: python-threatexchange local_file lines (text/plain), CSV (text/csv: signal_type,value[,designation][,metadata]) or JSON lines "
                + "(application/x-ndjson), or name it with format=local_file|csv|jsonl. Strict by default: any malformed line refuses the whole import (422, "
                + "per-line report); partial=true adds the valid lines and reports the rest. Duplicates of stored signals are skipped and reported.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapGet("/banks/{name}/export", ExportAsync)
            .RequireKey(Readers)
            .Produces<string>(StatusCodes.Status200OK, "text/plain", "application/x-ndjson")
            .WithName("ExportBank").WithTags("Signals")
            .WithSummary("Export a bank's live signals as local_file lines (format=local_file, the default) or JSON lines (format=jsonl), re-importable as they are")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/signals/{id:long}", GetAsync)
            .RequireKey(Readers)
            .WithName("GetSignal").WithTags("Signals").WithSummary("One signal")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapDelete("/signals/{id:long}", WithdrawAsync)
            .RequireKey(ApiScopes.Contribute)
            .WithName("WithdrawSignal").WithTags("Signals")
            .WithSummary("Withdraw a signal (its contributor, the bank's owner or the operator): it stops matching and is kept for the record; an optional public reason goes in the transparency log")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPost("/signals/{id:long}/category", RecategoriseAsync)
            .RequireKey(ApiScopes.Contribute)
            .WithName("RecategoriseSignal").WithTags("Signals")
            .WithSummary("Move a signal to another taxonomy category (its contributor, the bank's owner or the operator); the previous category, the new one and the public reason go in the transparency log")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapPost("/signals/{id:long}/opinions", RecordOpinionAsync)
            .RequireKey(Readers)
            .WithName("RecordOpinion").WithTags("Signals")
            .WithSummary("Record this member's opinion on a signal (positive, negative or investigation_seed); mixed opinions make it disputed")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/signals/{id:long}/opinions", ListOpinionsAsync)
            .RequireKey(Readers)
            .WithName("ListOpinions").WithTags("Signals").WithSummary("Members' opinions on a signal")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/matches", ListMatchesAsync)
            .RequireKey(ApiScopes.Match | ApiScopes.Review)
            .WithName("ListMatches").WithTags("Matching")
            .WithSummary("This member's match records (signal, bank, distance, time; never the content), a page at a time")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<Ok<SignalPage>> ListAsync(
        Node node,
        HttpContext context,
        string name,
        [FromQuery] string? cursor,
        [FromQuery] int? limit,
        [FromQuery] string? status,
        [FromQuery(Name = "signal_type")] string? signalType)
    {
        var caller = context.Caller();
        var bank = await node.VisibleBankAsync(caller, name, context.RequestAborted).ConfigureAwait(false);
        int size = QueryValues.Limit(limit);
        SignalStatus? statusFilter = status is null ? null : Mapping.ParseStatus(status);
        string? typeFilter = signalType is null ? null : node.Matcher.TypeOf(signalType).Name;
        string list = $"signals:{bank.Id}:{typeFilter}:{status}";
        long after = cursor is null ? 0 : node.Cursors.Decode(cursor, caller.MemberId, list);
        var page = await node.Store.ListSignalsAsync(new SignalQuery(bank.Id, typeFilter, statusFilter, after, size), context.RequestAborted).ConfigureAwait(false);
        string? next = page.NextAfter is long position ? node.Cursors.Encode(position, caller.MemberId, list) : null;
        return TypedResults.Ok(new SignalPage([.. page.Items.Select(s => Mapping.ToInfo(s, bank.Name))], next));
    }

    private static async Task<Created<SignalInfo>> AddAsync(Node node, HttpContext context, string name, SignalCreateRequest request)
    {
        var caller = context.Caller();
        var bank = await node.VisibleBankAsync(caller, name, context.RequestAborted).ConfigureAwait(false);
        var type = node.Matcher.TypeOf(request.SignalType);
        string canonical = MatchService.Canonical(type, request.Value);
        if (request.Designation is not null && SignalImportParser.DesignationProblem(request.Designation) is { } problem)
        {
            throw Problems.BadRequest(problem);
        }

        string? metadata = null;
        if (request.Metadata is { } element && element.ValueKind != JsonValueKind.Null)
        {
            metadata = element.ValueKind == JsonValueKind.Object ? element.GetRawText() : throw Problems.BadRequest("metadata must be a JSON object.");
        }

        long id = await AddOneAsync(node, caller, bank, new NewSignal(type.Name, canonical, request.Designation, metadata), context.RequestAborted).ConfigureAwait(false);
        var signal = await node.Store.GetSignalAsync(id, context.RequestAborted).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Signal {id} vanished after it was added.");
        return TypedResults.Created($"/api/v1/signals/{id}", Mapping.ToInfo(signal, bank.Name));
    }

    /// <summary>Adds one signal: a 409 problem for a duplicate, 422 when the category needs a designation; waits for this node's index.</summary>
    public static async Task<long> AddOneAsync(Node node, Caller caller, Bank bank, NewSignal signal, CancellationToken cancellationToken)
    {
        await RequireKnownDesignationAsync(node, signal.Designation, cancellationToken).ConfigureAwait(false);
        var results = await node.Store.AddSignalsAsync(bank.Id, caller.MemberId, [signal], cancellationToken).ConfigureAwait(false);
        var result = results[0];
        switch (result.Rejection)
        {
            case SignalRejection.Duplicate:
                var duplicate = Problems.Conflict($"this {signal.SignalType} value is already in bank '{bank.Name}' (signal {result.SignalId}).");
                duplicate.Extensions["existing_signal_id"] = result.SignalId;
                throw duplicate;
            case SignalRejection.DesignationRequired:
                throw Problems.Unprocessable($"bank '{bank.Name}' is in category '{bank.Category}', which requires a designation reference (e.g. un:QDe.115).");
        }

        await node.CaughtUpAsync(cancellationToken).ConfigureAwait(false);
        return result.SignalId;
    }

    /// <summary>A 422 problem when <paramref name="designation"/> names a list the node holds but no entry on it.</summary>
    internal static async Task RequireKnownDesignationAsync(Node node, string? designation, CancellationToken cancellationToken)
    {
        if (designation is null)
        {
            return;
        }

        var problems = await new DesignationCheck(node.Store).ProblemsAsync([designation], cancellationToken).ConfigureAwait(false);
        if (problems.TryGetValue(designation, out string? problem))
        {
            throw Problems.Unprocessable(problem + "; nothing was added.");
        }
    }

    private static async Task<IResult> ImportAsync(
        Node node,
        HttpContext context,
        string name,
        [FromQuery] string? format,
        [FromQuery(Name = "signal_type")] string? signalType,
        [FromQuery] string? designation,
        [FromQuery] string? partial)
    {
        var caller = context.Caller();
        var bank = await node.VisibleBankAsync(caller, name, context.RequestAborted).ConfigureAwait(false);
        var importFormat = SignalImportParser.FormatOf(format, context.Request.ContentType)
            ?? throw Problems.BadRequest($"unknown import format: give format=local_file|csv|jsonl or a Content-Type of text/plain, text/csv or application/x-ndjson (got '{format ?? context.Request.ContentType}').");
        bool allowPartial = QueryValues.Bool(partial, "partial");
        if (signalType is not null)
        {
            node.Matcher.TypeOf(signalType);
        }

        if (designation is not null && SignalImportParser.DesignationProblem(designation) is { } problem)
        {
            throw Problems.BadRequest(problem);
        }

        // The whole body is parsed before anything is written, so a refused import writes nothing. It is
        // buffered (to a temporary file beyond 1 MiB) so the parser can read it synchronously.
        context.Request.EnableBuffering(1 << 20, node.Options.MaxImportBytes);
        await context.Request.Body.DrainAsync(context.RequestAborted).ConfigureAwait(false);
        context.Request.Body.Position = 0;
        ParsedImport parsed;
        using (var reader = new StreamReader(context.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true))
        {
            parsed = node.ImportParser.Parse(importFormat, reader, signalType, designation);
        }

        string formatName = SignalImportParser.NameOf(importFormat);
        var importer = new SignalImporter(node.Store);
        var plan = await importer.PlanAsync(bank, parsed, context.RequestAborted).ConfigureAwait(false);
        var rejections = plan.Rejections;
        if (plan.Signals.Count == 0 && rejections.Count == 0)
        {
            throw Problems.BadRequest("the import holds no signals.");
        }

        if (rejections.Count > 0 && (!allowPartial || plan.Signals.Count == 0))
        {
            var refused = Problems.Unprocessable(
                $"{rejections.Count} of {plan.Lines} lines are not valid (first: line {rejections[0].Line}: {rejections[0].Reason}); nothing was imported"
                + (allowPartial ? "." : ". Fix them, or pass partial=true to import the valid lines."));
            refused.Extensions["report"] = Report(bank, formatName, plan.Lines, 0, rejections, applied: false);
            throw refused;
        }

        // One batch: one transaction, all or nothing if the store fails.
        var outcome = await importer.WriteAsync(plan, caller.MemberId, cancellationToken: context.RequestAborted).ConfigureAwait(false);

        // As after a single add: the importer's next lookup sees what it imported (up to the catch-up limit).
        await node.CaughtUpAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(Report(bank, formatName, plan.Lines, outcome.Added, outcome.Rejections, applied: outcome.Added > 0), NodeJsonContext.Default.ImportReport);
    }

    /// <summary>The report of an import, as the import route and <c>clearinghouse import --json</c> print it.</summary>
    internal static ImportReport Report(Bank bank, string format, int lines, int added, List<LineRejection> rejections, bool applied) =>
        new(bank.Name, format, lines, added, rejections.Count, applied, [.. rejections.Select(r => new ImportRejectionInfo(r.Line, r.Code, r.Reason, r.ExistingSignalId))]);

    private static async Task ExportAsync(Node node, HttpContext context, string name, [FromQuery] string? format)
    {
        var bank = await node.VisibleBankAsync(context.Caller(), name, context.RequestAborted).ConfigureAwait(false);
        var exportFormat = BankExport.FormatOf(format) ?? throw Problems.BadRequest($"unknown export format '{format}' (local_file or jsonl).");
        bool jsonl = exportFormat == ExportFormat.JsonLines;
        context.Response.ContentType = jsonl ? "application/x-ndjson; charset=utf-8" : "text/plain; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{bank.Name}.{(jsonl ? "jsonl" : "txt")}\"";
        var writer = new StreamWriter(context.Response.BodyWriter.AsStream(), new UTF8Encoding(false), 1 << 16);
        await using (writer.ConfigureAwait(false))
        {
            await BankExport.WriteAsync(node.Store, bank, exportFormat, writer, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task<Ok<SignalInfo>> GetAsync(Node node, HttpContext context, long id)
    {
        var (signal, bank) = await node.VisibleSignalAsync(context.Caller(), id, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(Mapping.ToInfo(signal, bank.Name));
    }

    private static async Task<Ok<SignalInfo>> WithdrawAsync(Node node, HttpContext context, long id, string? reason)
    {
        var caller = context.Caller();
        var (signal, bank) = await node.VisibleSignalAsync(caller, id, context.RequestAborted).ConfigureAwait(false);
        Node.RequireSteward(caller, signal, bank, "withdraw it");
        if (reason is not null && (string.IsNullOrWhiteSpace(reason) || reason.Length > 1000))
        {
            throw Problems.BadRequest("reason, when given, must have 1 to 1000 characters (it is published in the transparency log)");
        }

        await node.Store.WithdrawSignalAsync(id, new SignalWithdrawal(caller.MemberId, reason ?? SqlStore.DefaultWithdrawalReason), context.RequestAborted).ConfigureAwait(false);
        await node.CaughtUpAsync(context.RequestAborted).ConfigureAwait(false);
        var withdrawn = await node.Store.GetSignalAsync(id, context.RequestAborted).ConfigureAwait(false) ?? signal;
        return TypedResults.Ok(Mapping.ToInfo(withdrawn, bank.Name));
    }

    private static async Task<Ok<SignalInfo>> RecategoriseAsync(Node node, HttpContext context, long id, RecategoriseRequest request)
    {
        var caller = context.Caller();
        var (signal, bank) = await node.VisibleSignalAsync(caller, id, context.RequestAborted).ConfigureAwait(false);
        Node.RequireSteward(caller, signal, bank, "re-categorise it");
        if (string.IsNullOrWhiteSpace(request.Category))
        {
            throw Problems.BadRequest("category is required.");
        }

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 1000)
        {
            throw Problems.BadRequest("reason must have 1 to 1000 characters (it is published in the transparency log).");
        }

        if (request.Designation is not null && SignalImportParser.DesignationProblem(request.Designation) is { } problem)
        {
            throw Problems.BadRequest(problem);
        }

        await RequireKnownDesignationAsync(node, request.Designation, context.RequestAborted).ConfigureAwait(false);
        var moved = await node.Store.RecategoriseSignalAsync(
            id, new SignalRecategorisation(request.Category, request.Designation, caller.MemberId, request.Reason), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(Mapping.ToInfo(moved, bank.Name));
    }

    private static async Task<Ok<SignalInfo>> RecordOpinionAsync(Node node, HttpContext context, long id, OpinionRequest request)
    {
        var caller = context.Caller();
        var (_, bank) = await node.VisibleSignalAsync(caller, id, context.RequestAborted).ConfigureAwait(false);
        var kind = Mapping.ParseOpinion(request.Kind);
        if (request.Note is { Length: > 1000 })
        {
            throw Problems.BadRequest($"note must be at most 1000 characters; got {request.Note.Length}.");
        }

        var signal = await node.Store.RecordOpinionAsync(id, caller.MemberId, kind, request.Note, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(Mapping.ToInfo(signal, bank.Name));
    }

    private static async Task<Ok<OpinionInfo[]>> ListOpinionsAsync(Node node, HttpContext context, long id)
    {
        await node.VisibleSignalAsync(context.Caller(), id, context.RequestAborted).ConfigureAwait(false);
        var opinions = await node.Store.ListOpinionsAsync(id, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(opinions.Select(o => new OpinionInfo(o.MemberId, Mapping.OpinionName(o.Kind), o.Note, o.At)).ToArray());
    }

    private static async Task<Ok<MatchRecordPage>> ListMatchesAsync(Node node, HttpContext context, [FromQuery] string? cursor, [FromQuery] int? limit)
    {
        var caller = context.Caller();
        const string list = "matches";
        int size = QueryValues.Limit(limit);
        long after = cursor is null ? 0 : node.Cursors.Decode(cursor, caller.MemberId, list);
        var page = await node.Store.ListMatchesAsync(caller.MemberId, after, size, context.RequestAborted).ConfigureAwait(false);
        string? next = page.NextAfter is long position ? node.Cursors.Encode(position, caller.MemberId, list) : null;
        return TypedResults.Ok(new MatchRecordPage([.. page.Items.Select(m => new MatchRecordInfo(m.Id, m.SignalId, m.BankId, m.SignalType, m.Distance, m.At))], next));
    }
}
