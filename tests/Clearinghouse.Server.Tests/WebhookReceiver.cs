using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Server.Tests;

/// <summary>One request the receiver got.</summary>
internal sealed record ReceivedWebhook(string Body, string? Signature, string? IdempotencyKey, string? Event, DateTimeOffset At, int AnsweredStatus);

/// <summary>
/// A real HTTP receiver on a loopback port (Kestrel): each request is recorded and answered by a script, which can
/// answer with any status or hang past the node's timeout. Verifies signatures the way docs/actions.md tells
/// receivers to: recompute HMAC-SHA256 over "t.body" and compare in constant time.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    /// <summary>Answer with this status (0: hang until the caller gives up).</summary>
    public const int Hang = 0;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _count;

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>Decides the answer to the n-th request (1-based) with this body.</summary>
    public Func<int, string, int> Script { get; set; } = (_, _) => 200;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = new Uri(new Uri(NodeApplication.BoundUrls(app)[0]), "/hook");
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        string body = await reader.ReadToEndAsync();
        int n = Interlocked.Increment(ref _count);
        int status = Script(n, body);
        _received.Enqueue(new ReceivedWebhook(
            body,
            context.Request.Headers["Clearinghouse-Signature"].ToString(),
            context.Request.Headers["Idempotency-Key"].ToString(),
            context.Request.Headers["Clearinghouse-Event"].ToString(),
            DateTimeOffset.UtcNow,
            status));
        if (status == Hang)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token).Token);
            }
            catch (OperationCanceledException)
            {
            }

            return;
        }

        context.Response.StatusCode = status;
    }

    /// <summary>Checks a signature header against the body as a receiver would: HMAC-SHA256(secret, t + "." + body), within <paramref name="tolerance"/> of now.</summary>
    public static bool Verify(ReceivedWebhook webhook, string secret, TimeSpan tolerance)
    {
        string? timestamp = null, v1 = null;
        foreach (string part in (webhook.Signature ?? "").Split(','))
        {
            string[] pair = part.Split('=', 2);
            if (pair.Length == 2 && pair[0] == "t")
            {
                timestamp = pair[1];
            }
            else if (pair.Length == 2 && pair[0] == "v1")
            {
                v1 = pair[1];
            }
        }

        if (timestamp is null || v1 is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
        {
            return false;
        }

        if ((webhook.At - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
        {
            return false;
        }

        byte[] expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + webhook.Body));
        return v1.Length == 64 && CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(v1));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
