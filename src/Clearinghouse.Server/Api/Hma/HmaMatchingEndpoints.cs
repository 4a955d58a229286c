using System.Text.Json;
using Clearinghouse.Server.Auth;
using Clearinghouse.Server.Hashing;
using Clearinghouse.Server.Json;
using Clearinghouse.Server.Matching;
using Clearinghouse.Signals;
using Clearinghouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Clearinghouse.Server.Api.Hma;

/// <summary>HMA's /h (hashing) and /m (matching) routes with HMA's request and response shapes.</summary>
internal static class HmaMatchingEndpoints
{
    private static readonly HmaRawLookup NoMatches = new([]);

    public static void Map(IEndpointRouteBuilder app, NodeOptions options)
    {
        var h = app.MapGroup("/h").WithTags("HMA: hashing");
        h.MapGet("/hash", HashUrlAsync)
            .RequireKey(ApiScopes.Hash)
            .WithName("HmaHashUrl")
            .WithSummary("Hash content from a URL (only hosts the operator allow-listed; refused otherwise)")
            .Produces<Dictionary<string, string>>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        h.MapPost("/hash", HashUploadAsync)
            .RequireKey(ApiScopes.Hash)
            .WithBodyLimit(options.MaxUploadBytes)
            .DisableAntiforgery()
            .WithUploadDoc("photo", "One file; its field name is its content type (photo, video).")
            .WithName("HmaHashUpload")
            .WithSummary("Hash an uploaded file; the multipart field name is its content type (photo, video)")
            .Produces<Dictionary<string, string>>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        var m = app.MapGroup("/m").WithTags("HMA: matching");
        m.MapGet("/raw_lookup", RawLookup)
            .RequireKey(ApiScopes.Match)
            .WithName("HmaRawLookup")
            .WithSummary("Look a hash up: matching content ids (with include_distance, ids and distances)")
            .Produces<HmaRawLookup>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        m.MapGet("/lookup", LookupGetAsync)
            .RequireKey(ApiScopes.Match)
            .WithName("HmaLookup")
            .WithSummary("Look up a hash (signal, signal_type) or a URL's content; matches by bank")
            .Produces<Dictionary<string, List<HmaMatch>>>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden);
        m.MapPost("/lookup", LookupPostAsync)
            .RequireKey(ApiScopes.Match)
            .WithBodyLimit(options.MaxUploadBytes)
            .DisableAntiforgery()
            .WithUploadDoc("photo", "One file; its field name is its content type (photo, video).")
            .WithName("HmaLookupUpload")
            .WithSummary("Look up an uploaded file; matches by signal type, then bank")
            .Produces<Dictionary<string, Dictionary<string, List<HmaMatch>>>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        m.MapPost("/compare", CompareAsync)
            .RequireKey(ApiScopes.Match)
            .WithBodyDoc("{signal_type: [hash, hash], ...}", "application/json")
            .WithName("HmaCompare")
            .WithSummary("Compare pairs of hashes: {type: [a, b]} gives {type: [match, {distance}]}")
            .Produces<Dictionary<string, JsonElement>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        m.MapGet("/index/status", IndexStatus)
            .RequireKey(ApiScopes.Match)
            .WithName("HmaIndexStatus")
            .WithSummary("Index status per signal type: present, built_to (unix time of the last change-feed read), size")
            .Produces<Dictionary<string, HmaIndexStatus>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    /// <summary>HMA's distance text: the number, or "-" for exact types (python-threatexchange's pretty_str).</summary>
    public static string DistanceText(ISignalType type, int distance) => type.IsExact ? "-" : distance.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>HMA's lookup: matches by bank name, each with content id and distance. No store reads.</summary>
    public static async Task<Dictionary<string, List<HmaMatch>>> LookupAsync(Node node, Caller caller, ISignalType type, string canonical, IReadOnlySet<string>? banks, CancellationToken cancellationToken)
    {
        var hits = node.Matcher.Lookup(caller, type, canonical, banks);
        var byBank = new Dictionary<string, List<HmaMatch>>(StringComparer.Ordinal);
        if (hits.IsEmpty || hits.Suppressed)
        {
            return byBank;
        }

        foreach (var hit in hits.Positives)
        {
            if (!byBank.TryGetValue(hit.Bank.Name, out var list))
            {
                byBank[hit.Bank.Name] = list = [];
            }

            list.Add(new HmaMatch(hit.SignalId, DistanceText(type, hit.Distance)));
        }

        await node.Matcher.RecordAsync(caller, type, canonical, hits.Positives, cancellationToken).ConfigureAwait(false);
        return byBank;
    }

    private static async Task<IResult> HashUrlAsync(
        Node node,
        HttpContext context,
        [FromQuery] string? url,
        [FromQuery(Name = "content_type")] string? contentType,
        [FromQuery] string? types)
    {
        if (string.IsNullOrEmpty(url))
        {
            throw Problems.BadRequest("url is required");
        }

        var hashes = await HmaHashing.HashUrlAsync(node, url, contentType, types, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(hashes.ToDictionary(p => p.Key, p => p.Value.Value), NodeJsonContext.Default.DictionaryStringString);
    }

    private static async Task<IResult> HashUploadAsync(Node node, HttpContext context, [FromQuery] string? types)
    {
        var hashes = await HmaHashing.HashUploadAsync(node, context.Request, types).ConfigureAwait(false);
        return TypedResults.Json(hashes.ToDictionary(p => p.Key, p => p.Value.Value), NodeJsonContext.Default.DictionaryStringString);
    }

    private static async Task<IResult> RawLookup(
        Node node,
        HttpContext context,
        [FromQuery] string? signal,
        [FromQuery(Name = "signal_type")] string? signalType,
        [FromQuery] string? banks,
        [FromQuery(Name = "include_distance")] string? includeDistance)
    {
        if (signal is null || signalType is null)
        {
            throw Problems.BadRequest($"{(signal is null ? "signal" : "signal_type")} is required");
        }

        bool withDistance = QueryValues.Bool(includeDistance, "include_distance");
        var type = HmaSignalType(node, signalType);
        string canonical = HmaCanonical(type, signal);
        var caller = context.Caller();
        var hits = node.Matcher.Lookup(caller, type, canonical, QueryValues.BankNames(banks));
        if (hits.IsEmpty || hits.Suppressed)
        {
            return TypedResults.Json(NoMatches, NodeJsonContext.Default.HmaRawLookup);
        }

        await node.Matcher.RecordAsync(caller, type, canonical, hits.Positives, context.RequestAborted).ConfigureAwait(false);
        return withDistance
            ? TypedResults.Json(new HmaRawLookupWithDistance([.. hits.Positives.Select(h => new HmaMatch(h.SignalId, DistanceText(type, h.Distance)))]), NodeJsonContext.Default.HmaRawLookupWithDistance)
            : TypedResults.Json(new HmaRawLookup([.. hits.Positives.Select(h => h.SignalId)]), NodeJsonContext.Default.HmaRawLookup);
    }

    private static async Task<IResult> LookupGetAsync(
        Node node,
        HttpContext context,
        [FromQuery] string? url,
        [FromQuery(Name = "content_type")] string? contentType,
        [FromQuery] string? types,
        [FromQuery] string? signal,
        [FromQuery(Name = "signal_type")] string? signalType,
        [FromQuery] string? banks)
    {
        var caller = context.Caller();
        var bankNames = QueryValues.BankNames(banks);
        if (string.IsNullOrEmpty(url))
        {
            if (string.IsNullOrEmpty(signal) || string.IsNullOrEmpty(signalType))
            {
                throw Problems.BadRequest("Either url or both signal and signal_type are required");
            }

            var type = HmaSignalType(node, signalType);
            var matches = await LookupAsync(node, caller, type, HmaCanonical(type, signal), bankNames, context.RequestAborted).ConfigureAwait(false);
            return TypedResults.Json(matches, NodeJsonContext.Default.DictionaryStringListHmaMatch);
        }

        if (!caller.Has(ApiScopes.Hash))
        {
            throw Problems.Forbidden("Hashing is disabled, missing role: looking up a URL needs an API key with the 'hash' scope.");
        }

        var hashes = await HmaHashing.HashUrlAsync(node, url, contentType, types, context.RequestAborted).ConfigureAwait(false);
        var byType = await LookupHashesAsync(node, caller, hashes, bankNames, context.RequestAborted).ConfigureAwait(false);
        if (signalType is not null)
        {
            return TypedResults.Json(byType.GetValueOrDefault(signalType) ?? [], NodeJsonContext.Default.DictionaryStringListHmaMatch);
        }

        return TypedResults.Json(byType, NodeJsonContext.Default.DictionaryStringDictionaryStringListHmaMatch);
    }

    private static async Task<IResult> LookupPostAsync(Node node, HttpContext context, [FromQuery] string? banks, [FromQuery] string? types)
    {
        var caller = context.Caller();
        if (!caller.Has(ApiScopes.Hash))
        {
            throw Problems.Forbidden("Hashing is disabled, missing role: looking up an upload needs an API key with the 'hash' scope.");
        }

        var hashes = await HmaHashing.HashUploadAsync(node, context.Request, types).ConfigureAwait(false);
        var byType = await LookupHashesAsync(node, caller, hashes, QueryValues.BankNames(banks), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(byType, NodeJsonContext.Default.DictionaryStringDictionaryStringListHmaMatch);
    }

    private static async Task<Dictionary<string, Dictionary<string, List<HmaMatch>>>> LookupHashesAsync(
        Node node, Caller caller, Dictionary<string, ContentHash> hashes, IReadOnlySet<string>? banks, CancellationToken cancellationToken)
    {
        var byType = new Dictionary<string, Dictionary<string, List<HmaMatch>>>(StringComparer.Ordinal);
        foreach (var (name, hash) in hashes)
        {
            var type = node.Types.Get(name);
            byType[name] = MatchService.WhyNotMatched(hash) is null
                ? await LookupAsync(node, caller, type, hash.Value, banks, cancellationToken).ConfigureAwait(false)
                : [];
        }

        return byType;
    }

    private static async Task<IResult> CompareAsync(Node node, HttpContext context)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw Problems.BadRequest(NodeExceptionHandler.DescribeJson(ex));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Problems.BadRequest("Request input was not a dict");
            }

            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.Array)
                    {
                        throw Problems.BadRequest($"Comparison hashes for {property.Name} was not a list");
                    }

                    if (property.Value.GetArrayLength() != 2)
                    {
                        throw Problems.BadRequest("Comparison hash list length must be exactly 2");
                    }

                    var type = HmaSignalType(node, property.Name);
                    string a = CompareOperand(type, property.Name, property.Value[0]);
                    string b = CompareOperand(type, property.Name, property.Value[1]);

                    int distance = type.Distance(a, b);
                    writer.WritePropertyName(property.Name);
                    writer.WriteStartArray();
                    writer.WriteBooleanValue(distance <= type.DefaultThreshold);
                    writer.WriteStartObject();
                    writer.WriteNumber("distance", distance);
                    writer.WriteEndObject();
                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            return TypedResults.Bytes(buffer.ToArray(), "application/json");
        }
    }

    private static string CompareOperand(ISignalType type, string name, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw Problems.BadRequest($"Invalid {name} hash: hashes must be strings");
        }

        return type.TryCanonicalize(element.GetString()!, out var canonical, out var reason)
            ? canonical
            : throw Problems.BadRequest($"Invalid {name} hash: {reason}");
    }

    private static JsonHttpResult<Dictionary<string, HmaIndexStatus>> IndexStatus(Node node, [FromQuery(Name = "signal_type")] string? signalType)
    {
        IEnumerable<ISignalType> types = node.Types.All;
        if (signalType is not null)
        {
            types = [node.Types.TryGet(signalType, out var one) ? one : throw Problems.BadRequest($"No such signal type '{signalType}'")];
        }

        var status = new Dictionary<string, HmaIndexStatus>(StringComparer.Ordinal);
        foreach (var type in types)
        {
            bool present = node.Index.IsReady;
            status[type.Name] = new HmaIndexStatus(present, present ? node.Index.LastSyncUnixSeconds : -1, node.Index.CountOf(type.Name));
        }

        return TypedResults.Json(status, NodeJsonContext.Default.DictionaryStringHmaIndexStatus);
    }

    private static ISignalType HmaSignalType(Node node, string name) =>
        node.Types.TryGet(name, out var type) ? type : throw Problems.BadRequest($"No such SignalType '{name}'");

    private static string HmaCanonical(ISignalType type, string value) =>
        type.TryCanonicalize(value, out var canonical, out var reason) ? canonical : throw Problems.BadRequest($"invalid signal: {reason}");
}
