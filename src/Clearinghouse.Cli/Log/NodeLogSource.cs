using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Server.Json;

namespace Clearinghouse.Cli.Log;

/// <summary>A node's public log routes (no key needed), read synchronously: the verifier pulls entries as it checks them.</summary>
internal sealed class NodeLogSource(Uri node, TimeSpan timeout) : ILogSource
{
    private readonly HttpClient _http = CreateClient(node, timeout);

    public string Describe() => node.ToString();

    public string PublishedVerifierKey() => GetText("log/verifier-key").TrimEnd('\n');

    public string SignedCheckpoint() => GetText("log/checkpoint");

    public IEnumerable<ReadOnlyMemory<byte>> Entries(long start, long end)
    {
        long next = start;
        while (next < end)
        {
            LogEntriesPage page = GetJson(Invariant($"log/entries?start={next}&end={end}"), NodeJsonContext.Default.LogEntriesPage);
            foreach (LogEntryItem item in page.Entries)
            {
                yield return Encoding.UTF8.GetBytes(item.Entry);
            }

            if (page.End <= next)
            {
                yield break; // the node claims no entries here: the verifier reports them missing
            }

            next = page.End;
        }
    }

    public IReadOnlyList<MerkleHash>? ConsistencyProof(long from, long to) =>
        Decode(GetJson(Invariant($"log/proof/consistency?from={from}&to={to}"), NodeJsonContext.Default.ConsistencyProofInfo).Proof);

    public IReadOnlyList<MerkleHash> InclusionProof(long index, long size) =>
        Decode(GetJson(Invariant($"log/proof/inclusion?index={index}&size={size}"), NodeJsonContext.Default.InclusionProofInfo).Proof);

    public string? PublishedReport(long size) => GetText(Invariant($"transparency/report.json?size={size}"));

    public long SignalEntryIndex(string publicId) =>
        GetJson("log/signals/" + Uri.EscapeDataString(publicId), NodeJsonContext.Default.SignalLogInfo).Index;

    public void Dispose() => _http.Dispose();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static MerkleHash[] Decode(IReadOnlyList<string> hashes)
    {
        var decoded = new MerkleHash[hashes.Count];
        for (int i = 0; i < decoded.Length; i++)
        {
            decoded[i] = MerkleHash.TryParseBase64(hashes[i], out MerkleHash hash)
                ? hash
                : throw new CommandFailedException(ExitCodes.VerificationFailed, $"the node's proof holds a malformed hash '{hashes[i]}'");
        }

        return decoded;
    }

    private static HttpClient CreateClient(Uri node, TimeSpan timeout)
    {
        var http = new HttpClient { BaseAddress = node, Timeout = timeout };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("clearinghouse-cli", "1"));
        return http;
    }

    private string GetText(string path)
    {
        using HttpResponseMessage response = Send(path);
        using var reader = new StreamReader(response.Content.ReadAsStream(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private T GetJson<T>(string path, JsonTypeInfo<T> type)
    {
        using HttpResponseMessage response = Send(path);
        try
        {
            return JsonSerializer.Deserialize(response.Content.ReadAsStream(), type)
                ?? throw new CommandFailedException(ExitCodes.VerificationFailed, $"{node}{path} answered null");
        }
        catch (JsonException e)
        {
            throw new CommandFailedException(ExitCodes.VerificationFailed, $"{node}{path} answered malformed JSON: {e.Message}");
        }
    }

    private HttpResponseMessage Send(string path)
    {
        HttpResponseMessage response;
        try
        {
            response = _http.Send(new HttpRequestMessage(HttpMethod.Get, path));
        }
        catch (HttpRequestException e)
        {
            string why = e.InnerException is SocketException socket ? socket.Message : e.Message;
            throw new CommandFailedException(ExitCodes.Unavailable, $"cannot reach the node at {node}: {why}");
        }
        catch (TaskCanceledException)
        {
            throw new CommandFailedException(ExitCodes.Unavailable, $"the node at {node} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string body;
            using (var reader = new StreamReader(response.Content.ReadAsStream(), Encoding.UTF8))
            {
                body = reader.ReadToEnd();
            }

            string detail = body;
            try
            {
                detail = JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out JsonElement d) ? d.GetString() ?? body : body;
            }
            catch (JsonException)
            {
            }

            int code = response.StatusCode == HttpStatusCode.NotFound || (int)response.StatusCode < 500 ? ExitCodes.Refused : ExitCodes.Unavailable;
            throw new CommandFailedException(code, $"{node}{path}: {(int)response.StatusCode} {detail}");
        }
    }
}
