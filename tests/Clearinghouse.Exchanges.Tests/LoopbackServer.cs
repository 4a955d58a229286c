using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Clearinghouse.Exchanges.Tests;

/// <summary>A real HTTP server on 127.0.0.1 answering with recorded fixtures, logging every request it receives.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerRequest, Reply> _route;
    private readonly Task _loop;

    public LoopbackServer(Func<HttpListenerRequest, Reply> route)
    {
        _route = route;
        int port = FreePort();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    /// <summary>"METHOD path?query" of each request, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Answers the next <see cref="FailNext"/> requests with this status before routing any.</summary>
    public int FailNext { get; set; }

    public int FailStatus { get; set; } = 503;

    public sealed record Reply(int Status, string Body, string ContentType = "application/json");

    public static Reply File(string program, string file) =>
        new(200, System.IO.File.ReadAllText(ExchangeHarness.Fixture(program, file)), file.EndsWith(".xml", StringComparison.Ordinal) ? "application/xml" : "application/json");

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Requests.Enqueue($"{context.Request.HttpMethod} {context.Request.Url!.PathAndQuery}");
            Reply reply;
            if (FailNext > 0)
            {
                FailNext--;
                reply = new Reply(FailStatus, "{\"error\": \"injected\"}");
            }
            else
            {
                reply = _route(context.Request);
            }

            byte[] body = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.ContentType;
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        int port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
