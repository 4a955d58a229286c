using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Clearinghouse.Server.Federation;

/// <summary>
/// HTTP calls to one peer: its public log routes and its member routes (with the key it issued to this node). Each
/// request has a timeout and is retried a bounded number of times with exponential backoff and jitter; after that the
/// call fails with <see cref="PeerUnavailableException"/>.
/// </summary>
internal sealed class PeerClient(HttpClient http, string baseUrl, string apiKey, FederationOptions options)
{
    private readonly string _base = baseUrl.TrimEnd('/');

    public Task<string> CheckpointAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "/log/checkpoint", null, authenticated: false, (r, ct) => r.Content.ReadAsStringAsync(ct), cancellationToken);

    public Task<PeerEntriesPage> EntriesAsync(long start, long end, CancellationToken cancellationToken) =>
        GetJsonAsync(Invariant($"/log/entries?start={start}&end={end}"), FederationJsonContext.Default.PeerEntriesPage, authenticated: false, cancellationToken);

    public Task<PeerConsistencyProof> ConsistencyAsync(long from, long to, CancellationToken cancellationToken) =>
        GetJsonAsync(Invariant($"/log/proof/consistency?from={from}&to={to}"), FederationJsonContext.Default.PeerConsistencyProof, authenticated: false, cancellationToken);

    public Task<FeedPage> FeedAsync(long from, long to, int limit, CancellationToken cancellationToken) =>
        GetJsonAsync(Invariant($"/api/v1/feed?from={from}&to={to}&limit={limit}"), FederationJsonContext.Default.FeedPage, authenticated: true, cancellationToken);

    /// <summary>Posts a body to a member route; returns the status (2xx or 4xx; 5xx and transport failures throw after the retries).</summary>
    public Task<HttpStatusCode> PostAsync<T>(string path, T body, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, JsonSerializer.SerializeToUtf8Bytes(body, type), authenticated: true, (r, _) => Task.FromResult(r.StatusCode), cancellationToken, acceptClientErrors: true);

    private Task<T> GetJsonAsync<T>(string path, JsonTypeInfo<T> type, bool authenticated, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, authenticated, async (r, ct) =>
            await r.Content.ReadFromJsonAsync(type, ct).ConfigureAwait(false) ?? throw new JsonException("the body is JSON null"), cancellationToken);

    private async Task<T> SendAsync<T>(
        HttpMethod method, string path, byte[]? json, bool authenticated, Func<HttpResponseMessage, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken, bool acceptClientErrors = false)
    {
        string what = $"{method} {_base}{path}";
        string last = "";
        for (int attempt = 1; attempt <= options.RequestAttempts; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout);
            try
            {
                using var request = new HttpRequestMessage(method, _base + path);
                if (json is not null)
                {
                    request.Content = new ByteArrayContent(json);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                }

                if (authenticated)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
                }

                using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode || (acceptClientErrors && status is >= 400 and < 500 and not 429))
                {
                    return await read(response, timeout.Token).ConfigureAwait(false);
                }

                string detail = await ExcerptAsync(response, timeout.Token).ConfigureAwait(false);
                last = $"{what} answered {status} {response.ReasonPhrase}: {detail}";
                if (status is >= 400 and < 500 and not 429 and not 408)
                {
                    // The peer refused (a revoked key, a route it lacks): retrying now would not help.
                    throw new PeerUnavailableException(last);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = $"{what} timed out after {options.RequestTimeout.TotalSeconds:0.#} s";
            }
            catch (HttpRequestException e)
            {
                last = $"{what} failed: {e.Message}";
            }
            catch (JsonException e)
            {
                last = $"{what} returned a malformed body: {e.Message}";
            }

            if (attempt < options.RequestAttempts)
            {
                await Task.Delay(Backoff.Delay(options.RetryBase, attempt, options.MaxBackoff), cancellationToken).ConfigureAwait(false);
            }
        }

        throw new PeerUnavailableException($"{last} (after {options.RequestAttempts} attempts)");
    }

    private static async Task<string> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return body.Length <= 300 ? body : body[..300] + "…";
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
