using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Clearinghouse.Server.Json;

namespace Clearinghouse.Cli.Node;

/// <summary>
/// A member's client of a node's own API: sends the API key as a bearer token and turns every failure into one
/// precise line (unreachable node: exit 4; refused key, missing scope, bad request: exit 5, with the problem's detail).
/// </summary>
internal sealed class NodeClient : IDisposable
{
    /// <summary>Environment variable holding the API key when <c>--key</c> is not given.</summary>
    public const string KeyVariable = "CLEARINGHOUSE_API_KEY";

    /// <summary>Environment variable naming the node when <c>--server</c> is not given.</summary>
    public const string ServerVariable = "CLEARINGHOUSE_SERVER";

    private readonly HttpClient _http;
    private readonly Uri _server;

    public NodeClient(Uri server, string key, TimeSpan timeout)
    {
        _server = server;
        _http = new HttpClient { BaseAddress = server, Timeout = timeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("clearinghouse-cli", "1"));
    }

    /// <summary>POST /api/v1/match: up to 1000 values in one call.</summary>
    public async Task<MatchResponse> MatchAsync(MatchRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => _http.PostAsJsonAsync("api/v1/match", request, NodeJsonContext.Default.MatchRequest, cancellationToken), cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, NodeJsonContext.Default.MatchResponse, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await send().ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            string why = ex.InnerException is SocketException socket ? socket.Message : ex.Message;
            throw new CommandFailedException(ExitCodes.Unavailable, $"cannot reach the node at {_server}: {why} (is 'clearinghouse serve' running there? give its address with --server)");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CommandFailedException(ExitCodes.Unavailable, $"the node at {_server} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string detail = await ProblemDetailAsync(response, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            string message = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => $"the node at {_server} refused the API key (401): {detail} (give a valid key with --key or ${KeyVariable})",
                HttpStatusCode.Forbidden => $"the node at {_server} refused the request (403): {detail}",
                HttpStatusCode.TooManyRequests => $"the node at {_server} is rate-limiting this key (429): {detail}",
                _ => $"the node at {_server} answered {status} {response.ReasonPhrase}: {detail}",
            };
            throw new CommandFailedException(status >= 500 || status == 429 ? ExitCodes.Unavailable : ExitCodes.Refused, message);
        }
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("empty body");
        }
        catch (JsonException ex)
        {
            throw new CommandFailedException(ExitCodes.Unavailable, $"the node at {_server} sent an answer that is not the expected JSON ({ex.Message}); is it a Clearinghouse node?");
        }
    }

    /// <summary>The detail of a problem+json body (or HMA's message, or the start of a plain body).</summary>
    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            foreach (var name in (string[])["detail", "message", "title"])
            {
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall back to the text itself.
        }

        body = body.ReplaceLineEndings(" ").Trim();
        return body.Length == 0 ? "(no details)" : body.Length <= 200 ? body : string.Concat(body.AsSpan(0, 197), "...");
    }

    public void Dispose() => _http.Dispose();
}
