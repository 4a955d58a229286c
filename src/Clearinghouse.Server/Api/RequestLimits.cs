using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Clearinghouse.Server.Api;

/// <summary>Endpoint metadata: the largest request body this route accepts (uploads and imports are larger than JSON).</summary>
internal sealed record BodyLimit(long Bytes);

/// <summary>Applies each route's body limit (or the node's default for JSON) before the body is read.</summary>
internal sealed class BodyLimitMiddleware(RequestDelegate next, NodeOptions options)
{
    public Task InvokeAsync(HttpContext context)
    {
        long limit = context.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>()?.Bytes ?? options.MaxBodyBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength is long declared && declared > limit)
        {
            throw Problems.TooLarge($"The request body is {declared:N0} bytes, over this route's limit of {limit:N0} bytes.");
        }

        return next(context);
    }
}

internal static class RequestLimitExtensions
{
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));
}

/// <summary>Shared parsing of query parameters.</summary>
internal static class QueryValues
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>A page size in 1..1000 (default 100).</summary>
    public static int Limit(int? limit) =>
        limit switch
        {
            null => DefaultPageSize,
            < 1 or > MaxPageSize => throw Problems.BadRequest($"limit must be between 1 and {MaxPageSize}; got {limit}."),
            _ => limit.Value,
        };

    /// <summary>A comma-separated list of bank names, or null when absent or empty.</summary>
    public static IReadOnlySet<string>? BankNames(string? banks)
    {
        if (string.IsNullOrWhiteSpace(banks))
        {
            return null;
        }

        return banks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A boolean as pydantic reads it (true/false, 1/0, yes/no, on/off; any case).</summary>
    public static bool Bool(string? text, string name, bool absent = false)
    {
        if (text is null)
        {
            return absent;
        }

        return text.Trim().ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" or "t" or "y" => true,
            "false" or "0" or "no" or "off" or "f" or "n" => false,
            _ => throw Problems.BadRequest($"{name} must be a boolean (true or false); got '{text}'."),
        };
    }
}
