using Clearinghouse.Server.Actions;
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

namespace Clearinghouse.Server.Api.Own;

/// <summary>/api/v1: signal types, hashing (upload or value) and matching (value or upload).</summary>
internal static class HashMatchEndpoints
{
    public static void Map(RouteGroupBuilder api, NodeOptions options)
    {
        api.MapGet("/signal-types", (Node node) => TypedResults.Ok(SignalTypes(node)))
            .RequireKey(ApiScopes.None)
            .WithName("ListSignalTypes").WithSummary("Signal types this node knows").WithTags("Signals");

        api.MapGet("/hash", HashValue)
            .RequireKey(ApiScopes.Hash)
            .WithName("HashValue").WithTags("Hashing")
            .WithSummary("Validate a given signal value and return its canonical form")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        api.MapPost("/hash", HashUploadAsync)
            .RequireKey(ApiScopes.Hash)
            .WithBodyLimit(options.MaxUploadBytes)
            .DisableAntiforgery()
            .WithUploadDoc("file", "The content; optional form fields content_type (photo, file, …) and types (comma-separated signal types).")
            .WithName("HashUpload").WithTags("Hashing")
            .WithSummary("Hash an upload (multipart field 'file'; optional fields content_type and types): a photo gives pdq, md5 and sha256")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapGet("/match", MatchValueAsync)
            .RequireKey(ApiScopes.Match)
            .WithName("MatchValue").WithTags("Matching")
            .WithSummary("Match one value against the banks this member may see (the fast path)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapPost("/match", MatchValuesAsync)
            .RequireKey(ApiScopes.Match)
            .WithName("MatchValues").WithTags("Matching")
            .WithSummary("Match several values in one call")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        api.MapPost("/match/upload", MatchUploadAsync)
            .RequireKey(ApiScopes.Match)
            .WithBodyLimit(options.MaxUploadBytes)
            .DisableAntiforgery()
            .WithUploadDoc("file", "The content; optional form fields content_type, types, banks (comma-separated bank names) and review_copy (true: keep a copy for review when a rule enqueues the content; deleted after the decision or the node's review retention).")
            .WithName("MatchUpload").WithTags("Matching")
            .WithSummary("Hash an upload and match its signals in one call (multipart field 'file'; optional content_type, types, banks)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static SignalTypeInfo[] SignalTypes(Node node) =>
        [.. node.Types.All.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t =>
            new SignalTypeInfo(t.Name, [.. t.ContentTypes.Select(ContentHashing.NameOf)], t.DefaultThreshold, t.IsExact, node.Index.CountOf(t.Name)))];

    private static Ok<HashedSignal> HashValue(Node node, [FromQuery(Name = "signal_type")] string? signalType, [FromQuery] string? value)
    {
        var type = node.Matcher.TypeOf(signalType);
        return TypedResults.Ok(new HashedSignal(type.Name, MatchService.Canonical(type, value), null));
    }

    private static async Task<Ok<HashResponse>> HashUploadAsync(Node node, HttpContext context)
    {
        using var upload = await Uploads.ReadSingleAsync(context.Request, node.Options.MaxUploadBytes, context.RequestAborted).ConfigureAwait(false);
        var (contentType, hashes) = HashOwnUpload(node, upload);
        return TypedResults.Ok(new HashResponse(ContentHashing.NameOf(contentType), [.. hashes.Select(ToSignal)]));
    }

    private static async Task<IResult> MatchValueAsync(
        Node node,
        HttpContext context,
        [FromQuery(Name = "signal_type")] string? signalType,
        [FromQuery] string? value,
        [FromQuery] string? banks)
    {
        var type = node.Matcher.TypeOf(signalType);
        string canonical = MatchService.Canonical(type, value);
        var result = await node.Matcher.MatchAsync(context.Caller(), type, canonical, QueryValues.BankNames(banks), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(result, NodeJsonContext.Default.MatchResult);
    }

    private static async Task<Ok<MatchResponse>> MatchValuesAsync(Node node, HttpContext context, MatchRequest request)
    {
        if (request.Signals.Count == 0 || request.Signals.Count > 1000)
        {
            throw Problems.BadRequest($"signals must hold 1 to 1000 values; got {request.Signals.Count}.");
        }

        var caller = context.Caller();
        var bankNames = request.Banks is null ? null : request.Banks.ToHashSet(StringComparer.Ordinal);
        var parsed = new List<(ISignalType Type, string Value)>(request.Signals.Count);
        for (int i = 0; i < request.Signals.Count; i++)
        {
            var item = request.Signals[i];
            try
            {
                var type = node.Matcher.TypeOf(item.SignalType);
                parsed.Add((type, MatchService.Canonical(type, item.Value)));
            }
            catch (ApiProblemException ex)
            {
                throw Problems.BadRequest($"signals[{i}]: {ex.Message}");
            }
        }

        var results = new List<MatchResult>(parsed.Count);
        foreach (var (type, value) in parsed)
        {
            results.Add(await node.Matcher.MatchAsync(caller, type, value, bankNames, context.RequestAborted).ConfigureAwait(false));
        }

        return TypedResults.Ok(new MatchResponse(results));
    }

    private static async Task<Ok<UploadMatchResponse>> MatchUploadAsync(Node node, HttpContext context)
    {
        using var upload = await Uploads.ReadSingleAsync(context.Request, node.Options.MaxUploadBytes, context.RequestAborted).ConfigureAwait(false);
        var (contentType, hashes) = HashOwnUpload(node, upload);
        var caller = context.Caller();
        var bankNames = QueryValues.BankNames(upload.Form["banks"].ToString());
        bool keepCopy = QueryValues.Bool(upload.Form.TryGetValue("review_copy", out var reviewCopy) ? reviewCopy.ToString() : null, "review_copy");
        var lookups = new List<ContentLookup>(hashes.Count);
        foreach (var hash in hashes)
        {
            if (node.Types.TryGet(hash.SignalType, out var type))
            {
                lookups.Add(new ContentLookup(type, hash.Value, MatchService.WhyNotMatched(hash)));
            }
        }

        // The copy is kept only when the member asks for it and one of its rules enqueues the content for review.
        ReviewCopy? copy = keepCopy ? new ReviewCopy(MediaTypes.Sniff(upload.Buffer.AsSpan(0, upload.Length)), upload.Buffer.AsMemory(0, upload.Length)) : null;
        var results = await node.Matcher.MatchContentAsync(caller, lookups, bankNames, copy, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(new UploadMatchResponse(ContentHashing.NameOf(contentType), [.. hashes.Select(ToSignal)], results));
    }

    /// <summary>Hashes an own-API upload: the content type from the form (or recognised), every signal it can give unless 'types' narrows it.</summary>
    private static (ContentType Type, IReadOnlyList<ContentHash> Hashes) HashOwnUpload(Node node, UploadedFile upload)
    {
        string? given = upload.Form["content_type"].ToString();
        ContentType contentType;
        if (string.IsNullOrEmpty(given))
        {
            contentType = ContentHashing.Recognise(upload.Buffer.AsSpan(0, upload.Length));
        }
        else if (!ContentHashing.TryParseContentType(given, out contentType))
        {
            throw Problems.BadRequest($"no such content_type: '{given}' (known: {string.Join(", ", Enum.GetValues<ContentType>().Select(ContentHashing.NameOf))}).");
        }

        var wanted = node.Hashing.Select(contentType, upload.Form["types"].ToString(), node.Hashing.AllTypesOf(contentType));
        return (contentType, node.Hashing.Hash(contentType, upload.Buffer, upload.Length, wanted));
    }

    private static HashedSignal ToSignal(ContentHash hash) => new(hash.SignalType, hash.Value, hash.Quality);
}
