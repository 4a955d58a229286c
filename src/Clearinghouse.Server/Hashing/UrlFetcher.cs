using System.Buffers;
using System.Net;
using Clearinghouse.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Clearinghouse.Server.Hashing;

/// <summary>Content fetched from a URL, in a pooled buffer; dispose to return it.</summary>
internal sealed class FetchedContent(byte[] buffer, int length, string? mediaType) : IDisposable
{
    private byte[]? _buffer = buffer;

    public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(FetchedContent));

    public int Length { get; } = length;

    /// <summary>The response's Content-Type media type (e.g. image/jpeg), if any.</summary>
    public string? MediaType { get; } = mediaType;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } b)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}

/// <summary>
/// Fetches content for URL-based hashing (HMA's <c>?url=</c>), only from hosts the operator allow-listed: a node that
/// fetches any URL a member names can be turned against its own network (server-side request forgery). With no
/// allow-list it fetches nothing. Redirects are followed only within the same host; size and time are bounded.
/// </summary>
internal sealed class UrlFetcher : IDisposable
{
    private const int MaxRedirects = 3;
    private readonly NodeOptions _options;
    private readonly HttpClient _client;

    public UrlFetcher(NodeOptions options)
    {
        _options = options;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = options.UrlFetchTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Checks a URL against the rules and the allow-list; a 400 or 403 problem when it may not be fetched.</summary>
    public Uri Validate(string? url)
    {
        if (_options.UrlFetchAllowedHosts.Count == 0)
        {
            throw Problems.Forbidden(
                "This node does not fetch URLs: its operator has not allow-listed any host for URL-based hashing. Upload the file instead (multipart/form-data).");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw Problems.BadRequest("Invalid or unsafe URL provided: an absolute http or https URL without credentials is required.");
        }

        if (!IsAllowed(uri.IdnHost))
        {
            throw Problems.Forbidden($"Host '{uri.IdnHost}' is not on this node's allow-list for URL-based hashing.");
        }

        return uri;
    }

    public async Task<FetchedContent> FetchAsync(string? url, CancellationToken cancellationToken)
    {
        var uri = Validate(url);
        string host = uri.IdnHost;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.UrlFetchTimeout);
        try
        {
            for (int redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode))
                {
                    var location = response.Headers.Location;
                    if (location is null || redirects >= MaxRedirects)
                    {
                        throw Problems.BadRequest($"Failed to fetch URL: too many redirects or a redirect without a location ({(int)response.StatusCode}).");
                    }

                    var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    if (!string.Equals(next.IdnHost, host, StringComparison.OrdinalIgnoreCase) || (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps))
                    {
                        throw Problems.Forbidden($"Failed to fetch URL: it redirects to another host ('{next.IdnHost}'), which this node does not follow.");
                    }

                    uri = next;
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw Problems.BadRequest($"Failed to fetch URL: the server answered {(int)response.StatusCode} {response.ReasonPhrase}.");
                }

                return await ReadBodyAsync(response, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Problems.BadRequest($"Failed to fetch URL: no complete answer within {_options.UrlFetchTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            throw Problems.BadRequest($"Failed to fetch URL: {ex.Message}");
        }
    }

    private bool IsAllowed(string host)
    {
        foreach (var allowed in _options.UrlFetchAllowedHosts)
        {
            if (string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase)
                || host.EndsWith("." + allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsRedirect(HttpStatusCode status) => (int)status is >= 300 and < 400 && status != HttpStatusCode.NotModified;

    private async Task<FetchedContent> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        long max = _options.UrlFetchMaxBytes;
        if (response.Content.Headers.ContentLength is long declared && declared > max)
        {
            throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, $"Content too large: {declared:N0} bytes, over the limit of {max:N0}.");
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            int length = 0;
            try
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, max + 1));
                        buffer.AsSpan(0, length).CopyTo(grown);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = grown;
                    }

                    int n = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    length += n;
                    if (length > max)
                    {
                        throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, $"Content too large: over the limit of {max:N0} bytes.");
                    }
                }

                return new FetchedContent(buffer, length, response.Content.Headers.ContentType?.MediaType);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
    }
}
