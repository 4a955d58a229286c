using Clearinghouse.Server.Hashing;
using Clearinghouse.Signals;
using Microsoft.AspNetCore.Http;

namespace Clearinghouse.Server.Api.Hma;

/// <summary>
/// HMA's hashing rules, shared by /h/hash, /m/lookup and /c/bank/{name}/content: an upload's multipart field names
/// its content type (photo, video, …); a fetched URL's type comes from content_type or the response's media type.
/// By default a content type gives its own signal types (a photo gives pdq); <c>types</c> may select others,
/// such as the whole-file digests.
/// </summary>
internal static class HmaHashing
{
    /// <summary>Hashes the one file of a multipart request, its field naming the content type.</summary>
    public static async Task<Dictionary<string, ContentHash>> HashUploadAsync(Node node, HttpRequest request, string? types)
    {
        using var upload = await Uploads.ReadSingleAsync(request, node.Options.MaxUploadBytes, request.HttpContext.RequestAborted).ConfigureAwait(false);
        var contentType = ContentTypeNamed(node, upload.FieldName);
        return Hash(node, contentType, upload.Buffer, upload.Length, types);
    }

    /// <summary>Fetches a URL (allow-listed hosts only) and hashes it.</summary>
    public static async Task<Dictionary<string, ContentHash>> HashUrlAsync(Node node, string? url, string? contentTypeHint, string? types, CancellationToken cancellationToken)
    {
        // Refuse before any network I/O when the URL may not be fetched at all.
        node.Urls.Validate(url);
        using var fetched = await node.Urls.FetchAsync(url, cancellationToken).ConfigureAwait(false);
        ContentType contentType;
        if (!string.IsNullOrEmpty(contentTypeHint))
        {
            contentType = ContentTypeNamed(node, contentTypeHint);
        }
        else if (fetched.MediaType?.StartsWith("image", StringComparison.OrdinalIgnoreCase) == true)
        {
            contentType = ContentType.Photo;
        }
        else if (fetched.MediaType?.StartsWith("video", StringComparison.OrdinalIgnoreCase) == true)
        {
            contentType = ContentType.Video;
        }
        else
        {
            throw Problems.BadRequest(
                $"unsupported url ContentType: '{fetched.MediaType}', if you know the expected type, provide it with the content_type query param");
        }

        return Hash(node, contentType, fetched.Buffer, fetched.Length, types);
    }

    /// <summary>HMA's content type lookup ("no such content_type" for unknown names).</summary>
    public static ContentType ContentTypeNamed(Node node, string name)
    {
        if (!ContentHashing.TryParseContentType(name, out var contentType))
        {
            throw Problems.BadRequest($"no such content_type: '{name}'");
        }

        if (!node.Hashing.CanHash(contentType))
        {
            throw Problems.BadRequest($"content_type {name} is disabled");
        }

        return contentType;
    }

    private static Dictionary<string, ContentHash> Hash(Node node, ContentType contentType, byte[] data, int length, string? types)
    {
        var wanted = node.Hashing.Select(contentType, types, node.Hashing.OwnTypesOf(contentType));
        var result = new Dictionary<string, ContentHash>(StringComparer.Ordinal);
        foreach (var hash in node.Hashing.Hash(contentType, data, length, wanted))
        {
            result[hash.SignalType] = hash;
        }

        return result;
    }
}
