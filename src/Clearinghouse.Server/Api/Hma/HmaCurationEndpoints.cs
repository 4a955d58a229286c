using System.Text.Json;
using System.Text.RegularExpressions;
using Clearinghouse.Server.Api.Own;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Hashing;
using Clearinghouse.Server.Import;
using Clearinghouse.Server.Json;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api.Hma;

/// <summary>
/// HMA's /c (curation) routes: banks and bank content with HMA's shapes. An HMA "content" is one signal here (its
/// id is the signal id); content added with several signal types becomes several signals, added all or none.
/// </summary>
internal static partial class HmaCurationEndpoints
{
    private const int MaxNoteLength = 255;
    private const ApiScopes Readers = ApiScopes.Contribute | ApiScopes.Review;

    public static void Map(IEndpointRouteBuilder app, NodeOptions options)
    {
        var c = app.MapGroup("/c").WithTags("HMA: curation");
        c.MapGet("/banks", ListBanksAsync)
            .RequireKey(ApiScopes.None).WithName("HmaListBanks").WithSummary("Banks this member may see")
            .Produces<HmaBank[]>();
        c.MapPost("/banks", CreateBankAsync)
            .RequireKey(ApiScopes.Contribute).WithName("HmaCreateBank")
            .WithSummary("Create a bank (UPPER_WITH_UNDERSCORE name; extension fields: category, scope, sharing_group_id, negative)")
            .Produces<HmaBank>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        c.MapGet("/bank/{bank_name}", GetBankAsync)
            .RequireKey(ApiScopes.None).WithName("HmaGetBank").WithSummary("Get bank configuration by name")
            .Produces<HmaBank>().ProducesProblem(StatusCodes.Status404NotFound);
        c.MapPut("/bank/{bank_name}", UpdateBankAsync)
            .RequireKey(ApiScopes.Contribute).WithName("HmaUpdateBank").WithSummary("Rename, enable or disable a bank (owner only)")
            .Produces<HmaBank>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        c.MapDelete("/bank/{bank_name}", DeleteBankAsync)
            .RequireKey(ApiScopes.Contribute).WithName("HmaDeleteBank").WithSummary("Delete a bank (owner only; deleting a missing bank succeeds)")
            .Produces<HmaMessage>().ProducesProblem(StatusCodes.Status403Forbidden);
        c.MapPost("/bank/{bank_name}/content", AddContentAsync)
            .RequireKey(ApiScopes.Contribute)
            .WithBodyLimit(options.MaxUploadBytes)
            .DisableAntiforgery()
            .WithUploadDoc("photo", "One file, its field name its content type; optional form fields metadata (JSON) and note. Or no body and ?url=.")
            .WithName("HmaAddContent")
            .WithSummary("Add content to a bank by upload (multipart, field named by content type) or url (allow-listed hosts); optional metadata and note; extension: designation")
            .Produces<HmaContentAdded>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        c.MapPost("/bank/{bank_name}/signal", AddSignalsAsync)
            .RequireKey(ApiScopes.Contribute)
            .WithBodyDoc("{signal_type: value, ..., \"note\": text}", "application/json")
            .WithName("HmaAddSignal")
            .WithSummary("Add content to a bank as signal values: {\"pdq\": \"…\", \"note\": \"…\"} (extension key: designation)")
            .Produces<HmaContentAdded>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        c.MapGet("/bank/{bank_name}/content/{content_id}", GetContentAsync)
            .RequireKey(Readers).WithName("HmaGetContent").WithSummary("Get one content item of a bank (include_signals, include_metadata)")
            .Produces<HmaContent>().ProducesProblem(StatusCodes.Status404NotFound);
        c.MapPut("/bank/{bank_name}/content/{content_id}", UpdateContentAsync)
            .RequireKey(ApiScopes.Contribute).WithName("HmaUpdateContent")
            .WithSummary("Update a content item: only disable_until_ts = 1 (enabled) is accepted; withdraw with DELETE")
            .Produces<HmaContentConfig>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        c.MapDelete("/bank/{bank_name}/content/{content_id}", DeleteContentAsync)
            .RequireKey(ApiScopes.Contribute).WithName("HmaDeleteContent").WithSummary("Remove (withdraw) a content item")
            .Produces<HmaDeleted>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static HmaBank ToHma(Bank bank) => new(bank.Name, bank.Enabled ? 1.0 : 0.0);

    private static void ValidateHmaName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !HmaNamePattern().IsMatch(name))
        {
            throw Problems.BadRequest("Bank names must be UPPER_WITH_UNDERSCORE");
        }
    }

    /// <summary>HMA's enabled_ratio: this node matches a bank fully or not at all, so only 0 and 1 are meaningful.</summary>
    private static bool? EnabledOf(double? ratio, bool? enabled)
    {
        if (ratio is double r)
        {
            return r switch
            {
                0 => false,
                1 => true,
                _ => throw Problems.BadRequest($"enabled_ratio {r} is not supported: this node matches a bank fully (1.0) or not at all (0.0)."),
            };
        }

        return enabled;
    }

    private static async Task<Ok<HmaBank[]>> ListBanksAsync(Node node, HttpContext context)
    {
        var caller = context.Caller();
        var banks = caller.IsAdmin
            ? await node.Store.ListBanksAsync(context.RequestAborted).ConfigureAwait(false)
            : await node.Store.ListVisibleBanksAsync(caller.MemberId, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(banks.Select(ToHma).ToArray());
    }

    private static async Task<Created<HmaBank>> CreateBankAsync(Node node, HttpContext context, HmaBankCreateRequest request)
    {
        var caller = context.Caller();
        ValidateHmaName(request.Name);
        bool enabled = EnabledOf(request.EnabledRatio, request.Enabled) ?? true;
        string category = request.Category ?? node.Options.HmaDefaultCategory
            ?? throw Problems.BadRequest("category is required: banks here belong to one taxonomy category (HMA banks have none); add \"category\" to the request.");
        var (scope, group) = BankEndpoints.ValidateSharing(caller, request.Scope is null ? SharingScope.AllMembers : Mapping.ParseScope(request.Scope), request.SharingGroupId);
        if (await node.Store.FindBankAsync(request.Name!, context.RequestAborted).ConfigureAwait(false) is not null)
        {
            throw Problems.Forbidden("Bank already exists");
        }

        Bank bank;
        try
        {
            bank = await BankEndpoints.CreateBankAsync(node, new NewBank(request.Name!, category, caller.MemberId, scope, group, enabled, request.Negative ?? false), context.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreException ex) when (ex.Error == StoreError.Conflict)
        {
            throw Problems.Forbidden("Bank already exists");
        }

        return TypedResults.Created($"/c/bank/{bank.Name}", ToHma(bank));
    }

    private static async Task<Ok<HmaBank>> GetBankAsync(Node node, HttpContext context, [FromRoute(Name = "bank_name")] string bankName) =>
        TypedResults.Ok(ToHma(await HmaVisibleBankAsync(node, context, bankName).ConfigureAwait(false)));

    private static async Task<Ok<HmaBank>> UpdateBankAsync(Node node, HttpContext context, [FromRoute(Name = "bank_name")] string bankName, HmaBankUpdateRequest request)
    {
        var caller = context.Caller();
        var bank = await node.Store.FindBankAsync(bankName, context.RequestAborted).ConfigureAwait(false);
        if (bank is null || !caller.MaySee(bank))
        {
            throw Problems.NotFound("Bank not found");
        }

        Node.RequireManage(caller, bank);
        if (request.Name is not null)
        {
            ValidateHmaName(request.Name);
        }

        bool? enabled = EnabledOf(request.EnabledRatio, request.Enabled);
        try
        {
            var updated = await BankEndpoints.UpdateBankAsync(node, bank, new BankUpdate(Name: request.Name, Enabled: enabled), context.RequestAborted).ConfigureAwait(false);
            return TypedResults.Ok(ToHma(updated));
        }
        catch (ApiProblemException ex) when (ex.Status == StatusCodes.Status409Conflict)
        {
            throw Problems.Forbidden("Bank name already exists");
        }
    }

    private static async Task<Ok<HmaMessage>> DeleteBankAsync(Node node, HttpContext context, [FromRoute(Name = "bank_name")] string bankName)
    {
        var caller = context.Caller();
        var bank = await node.Store.FindBankAsync(bankName, context.RequestAborted).ConfigureAwait(false);

        // As HMA: deleting a bank that does not exist (or that this member cannot see) succeeds and changes nothing.
        if (bank is not null && caller.MaySee(bank))
        {
            Node.RequireManage(caller, bank);
            await node.Store.DeleteBankAsync(bank.Id, context.RequestAborted).ConfigureAwait(false);
            await node.CaughtUpAsync(context.RequestAborted).ConfigureAwait(false);
        }

        return TypedResults.Ok(new HmaMessage("Done"));
    }

    private static async Task<IResult> AddContentAsync(
        Node node,
        HttpContext context,
        [FromRoute(Name = "bank_name")] string bankName,
        [FromQuery] string? url,
        [FromQuery(Name = "content_type")] string? contentType,
        [FromQuery] string? types,
        [FromQuery] string? designation)
    {
        var caller = context.Caller();
        var bank = await HmaVisibleBankAsync(node, context, bankName).ConfigureAwait(false);
        var request = context.Request;
        Dictionary<string, ContentHash> hashes;
        string? metadata;
        string? note;
        if (!string.IsNullOrEmpty(url))
        {
            (metadata, note) = request.HasJsonContentType() ? await ReadJsonExtrasAsync(request).ConfigureAwait(false) : (null, null);
            hashes = await HmaHashing.HashUrlAsync(node, url, contentType, types, context.RequestAborted).ConfigureAwait(false);
        }
        else if (request.HasFormContentType)
        {
            using var upload = await Uploads.ReadSingleAsync(request, node.Options.MaxUploadBytes, context.RequestAborted).ConfigureAwait(false);
            metadata = upload.Form.TryGetValue("metadata", out var m) ? ParseMetadata(m.ToString()) : null;
            note = upload.Form.TryGetValue("note", out var n) ? ValidateNote(n.ToString()) : null;
            var type = HmaHashing.ContentTypeNamed(node, upload.FieldName);
            var wanted = node.Hashing.Select(type, types, node.Hashing.OwnTypesOf(type));
            hashes = node.Hashing.Hash(type, upload.Buffer, upload.Length, wanted).ToDictionary(h => h.SignalType, StringComparer.Ordinal);
        }
        else
        {
            throw Problems.BadRequest("Neither `url` nor multipart file upload was received");
        }

        var values = hashes.ToDictionary(p => p.Key, p => p.Value.Value, StringComparer.Ordinal);
        return await AddAsync(node, caller, bank, values, designation, metadata, note, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> AddSignalsAsync(Node node, HttpContext context, [FromRoute(Name = "bank_name")] string bankName, [FromQuery] string? designation)
    {
        var caller = context.Caller();
        var bank = await HmaVisibleBankAsync(node, context, bankName).ConfigureAwait(false);
        using var document = await ReadJsonObjectAsync(context.Request).ConfigureAwait(false);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? note = null;
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name == "note")
            {
                note = ValidateNote(property.Value);
                continue;
            }

            if (property.Name == "designation")
            {
                designation = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : throw Problems.BadRequest("designation should be a string");
                continue;
            }

            if (!node.Types.TryGet(property.Name, out var type))
            {
                throw Problems.BadRequest($"No such signal type {property.Name}");
            }

            if (property.Value.ValueKind != JsonValueKind.String || !type.TryCanonicalize(property.Value.GetString()!, out var canonical, out var reason))
            {
                throw Problems.BadRequest($"Invalid {property.Name} signal: {(property.Value.ValueKind == JsonValueKind.String ? ReasonOf(type, property.Value.GetString()!) : "the value must be a string")}");
            }

            values[type.Name] = canonical;
        }

        return await AddAsync(node, caller, bank, values, designation, null, note, context.RequestAborted).ConfigureAwait(false);
    }

    private static string ReasonOf(Signals.ISignalType type, string value) => type.TryCanonicalize(value, out _, out var reason) ? "" : reason;

    /// <summary>
    /// Adds one HMA content item — one signal per type — all or none: if the store refuses any (duplicate, missing
    /// designation), those it accepted are withdrawn again before the refusal is reported.
    /// </summary>
    private static async Task<IResult> AddAsync(Node node, Caller caller, Bank bank, Dictionary<string, string> values, string? designation, string? metadata, string? note, CancellationToken cancellationToken)
    {
        if (values.Count == 0)
        {
            throw Problems.BadRequest("No signals given");
        }

        if (designation is not null && SignalImportParser.DesignationProblem(designation) is { } problem)
        {
            throw Problems.BadRequest(problem);
        }

        await SignalEndpoints.RequireKnownDesignationAsync(node, designation, cancellationToken).ConfigureAwait(false);
        string? stored = StoredMetadata(metadata, note);
        var signals = values.Select(p => new NewSignal(p.Key, p.Value, designation, stored)).ToArray();
        var results = await node.Store.AddSignalsAsync(bank.Id, caller.MemberId, signals, cancellationToken).ConfigureAwait(false);
        int refused = Array.FindIndex(results.ToArray(), r => !r.Added);
        if (refused >= 0)
        {
            for (int i = 0; i < results.Count; i++)
            {
                if (results[i].Added)
                {
                    await node.Store.WithdrawSignalAsync(results[i].SignalId, CancellationToken.None).ConfigureAwait(false);
                }
            }

            var rejection = results[refused];
            if (rejection.Rejection == SignalRejection.Duplicate)
            {
                var duplicate = Problems.Conflict($"this {signals[refused].SignalType} signal is already in bank '{bank.Name}' (content {rejection.SignalId}); nothing was added.");
                duplicate.Extensions["existing_signal_id"] = rejection.SignalId;
                throw duplicate;
            }

            throw Problems.Unprocessable($"bank '{bank.Name}' is in category '{bank.Category}', which requires a designation reference: pass designation (e.g. un:QDe.115); nothing was added.");
        }

        await node.CaughtUpAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new HmaContentAdded(results[0].SignalId, values), NodeJsonContext.Default.HmaContentAdded);
    }

    private static async Task<Ok<HmaContent>> GetContentAsync(
        Node node,
        HttpContext context,
        [FromRoute(Name = "bank_name")] string bankName,
        [FromRoute(Name = "content_id")] string contentId,
        [FromQuery(Name = "include_signals")] string? includeSignals,
        [FromQuery(Name = "include_metadata")] string? includeMetadata)
    {
        var (bank, signal) = await ContentAsync(node, context, bankName, contentId).ConfigureAwait(false);
        bool withSignals = string.Equals(includeSignals, "true", StringComparison.OrdinalIgnoreCase);
        bool withMetadata = includeMetadata is null || string.Equals(includeMetadata, "true", StringComparison.OrdinalIgnoreCase);
        var (metadata, note) = SplitMetadata(signal.Metadata);
        return TypedResults.Ok(new HmaContent(
            signal.Id,
            DisableUntil(signal),
            null,
            ToHma(bank),
            withSignals ? new Dictionary<string, string> { [signal.SignalType] = signal.Value } : null,
            withMetadata ? metadata : null,
            note));
    }

    private static async Task<Ok<HmaContentConfig>> UpdateContentAsync(Node node, HttpContext context, [FromRoute(Name = "bank_name")] string bankName, [FromRoute(Name = "content_id")] string contentId)
    {
        var (bank, signal) = await ContentAsync(node, context, bankName, contentId).ConfigureAwait(false);
        using var document = await ReadJsonObjectAsync(context.Request).ConfigureAwait(false);
        var (metadata, note) = SplitMetadata(signal.Metadata);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            switch (property.Name)
            {
                case "disable_until_ts":
                    if (!property.Value.TryGetInt64(out long ts) && !(property.Value.ValueKind == JsonValueKind.String && long.TryParse(property.Value.GetString(), out ts)))
                    {
                        throw Problems.BadRequest($"Invalid int: '{property.Value}'");
                    }

                    if (ts < 0)
                    {
                        throw Problems.BadRequest("disable_until_ts must be a non-negative integer");
                    }

                    if (ts != DisableUntil(signal))
                    {
                        throw Problems.Unprocessable("disabling one content item (disable_until_ts) is not supported by this node: signals are active or withdrawn; withdraw with DELETE /c/bank/{name}/content/{id}.");
                    }

                    break;
                case "note":
                    if (ValidateNote(property.Value) != note)
                    {
                        throw Problems.Unprocessable("changing a content item's note is not supported by this node: notes are kept as given when the content was added.");
                    }

                    break;
            }
        }

        return TypedResults.Ok(new HmaContentConfig(
            signal.Id, DisableUntil(signal), new Dictionary<string, IReadOnlyList<string>>(), null, ToHma(bank),
            metadata is null ? null : JsonSerializer.SerializeToElement(metadata, NodeJsonContext.Default.HmaContentMetadata), note));
    }

    private static async Task<Ok<HmaDeleted>> DeleteContentAsync(Node node, HttpContext context, [FromRoute(Name = "bank_name")] string bankName, [FromRoute(Name = "content_id")] string contentId)
    {
        var caller = context.Caller();
        var bank = await HmaVisibleBankAsync(node, context, bankName).ConfigureAwait(false);
        var signal = long.TryParse(contentId, out long id) ? await node.Store.GetSignalAsync(id, context.RequestAborted).ConfigureAwait(false) : null;
        if (signal is null || signal.BankId != bank.Id || signal.Status == SignalStatus.Withdrawn)
        {
            return TypedResults.Ok(new HmaDeleted(0));
        }

        Node.RequireSteward(caller, signal, bank, "withdraw it");
        bool withdrawn = await node.Store.WithdrawSignalAsync(signal.Id, context.RequestAborted).ConfigureAwait(false);
        await node.CaughtUpAsync(context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new HmaDeleted(withdrawn ? 1 : 0));
    }

    /// <summary>HMA's disable_until_ts: 1 (enabled) for a live signal, 0 (disabled) for a withdrawn one.</summary>
    private static long DisableUntil(Signal signal) => signal.Status == SignalStatus.Withdrawn ? 0 : 1;

    private static async Task<Bank> HmaVisibleBankAsync(Node node, HttpContext context, string bankName)
    {
        var bank = await node.Store.FindBankAsync(bankName, context.RequestAborted).ConfigureAwait(false);
        return bank is not null && context.Caller().MaySee(bank) ? bank : throw Problems.NotFound($"bank '{bankName}' not found");
    }

    private static async Task<(Bank Bank, Signal Signal)> ContentAsync(Node node, HttpContext context, string bankName, string contentId)
    {
        var bank = await HmaVisibleBankAsync(node, context, bankName).ConfigureAwait(false);
        if (!long.TryParse(contentId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long id))
        {
            throw Problems.NotFound($"content '{contentId}' not found");
        }

        var signal = await node.Store.GetSignalAsync(id, context.RequestAborted).ConfigureAwait(false);
        return signal is not null && signal.BankId == bank.Id ? (bank, signal) : throw Problems.NotFound($"content '{contentId}' not found");
    }

    private static async Task<JsonDocument> ReadJsonObjectAsync(HttpRequest request)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw Problems.BadRequest(NodeExceptionHandler.DescribeJson(ex));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw Problems.BadRequest("this endpoint expects a json object payload");
        }

        return document;
    }

    private static async Task<(string? Metadata, string? Note)> ReadJsonExtrasAsync(HttpRequest request)
    {
        using var document = await ReadJsonObjectAsync(request).ConfigureAwait(false);
        string? metadata = null;
        string? note = null;
        if (document.RootElement.TryGetProperty("metadata", out var m) && m.ValueKind != JsonValueKind.Null)
        {
            metadata = ParseMetadata(m.GetRawText());
        }

        if (document.RootElement.TryGetProperty("note", out var n))
        {
            note = ValidateNote(n);
        }

        return (metadata, note);
    }

    /// <summary>Validates HMA metadata (content_id, content_uri, json; collab is dropped) and returns it as JSON text.</summary>
    private static string? ParseMetadata(string text)
    {
        HmaContentMetadata? metadata;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Problems.BadRequest("metadata should be a json object");
            }

            var copy = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name != "collab")
                {
                    copy[property.Name] = property.Value.Clone();
                }
            }

            metadata = JsonSerializer.Deserialize(JsonSerializer.Serialize(copy), NodeJsonContext.Default.HmaContentMetadata);
        }
        catch (JsonException ex)
        {
            throw Problems.BadRequest($"Invalid metadata: {ex.Message}");
        }

        if (metadata is null || (metadata.ContentId is null && metadata.ContentUri is null && metadata.Json is null))
        {
            return null;
        }

        return JsonSerializer.Serialize(metadata, NodeJsonContext.Default.HmaContentMetadata);
    }

    private static string? ValidateNote(JsonElement note) => note.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => ValidateNote(note.GetString()),
        _ => throw Problems.BadRequest("note should be a string"),
    };

    private static string? ValidateNote(string? note)
    {
        if (string.IsNullOrEmpty(note))
        {
            return null;
        }

        return note.Length <= MaxNoteLength ? note : throw Problems.BadRequest($"note must be at most {MaxNoteLength} characters");
    }

    /// <summary>The signal's stored metadata: {"metadata": {...}, "note": "..."}, or null when there is neither.</summary>
    private static string? StoredMetadata(string? metadata, string? note)
    {
        if (metadata is null && note is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (metadata is not null)
            {
                writer.WritePropertyName("metadata");
                writer.WriteRawValue(metadata);
            }

            if (note is not null)
            {
                writer.WriteString("note", note);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static (HmaContentMetadata? Metadata, string? Note) SplitMetadata(string? stored)
    {
        if (Mapping.ParseMetadata(stored) is not { ValueKind: JsonValueKind.Object } root)
        {
            return (null, null);
        }

        HmaContentMetadata? metadata = null;
        if (root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            try
            {
                metadata = m.Deserialize(NodeJsonContext.Default.HmaContentMetadata);
            }
            catch (JsonException)
            {
                metadata = null;
            }
        }

        string? note = root.TryGetProperty("note", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        return (metadata, note);
    }

    [GeneratedRegex("^[A-Z_][A-Z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex HmaNamePattern();
}
