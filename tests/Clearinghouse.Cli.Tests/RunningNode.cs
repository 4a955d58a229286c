using System.Diagnostics;
using System.Text.RegularExpressions;
using Clearinghouse.Cli.Commands;
using Clearinghouse.Cli.Node;
using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

/// <summary>
/// <c>clearinghouse serve</c> run in this process on a free loopback port (port 0) over a data directory, stopped
/// through the serve command's cancellation token — the path SIGINT/SIGTERM take.
/// </summary>
internal sealed partial class RunningNode : IAsyncDisposable
{
    private readonly StringWriter _output;
    private readonly Task<int> _run;

    private RunningNode(StringWriter output, Task<int> run, Uri address)
    {
        _output = output;
        _run = run;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>What serve printed up to the moment it was listening (the banner).</summary>
    public string Banner { get; private set; } = "";

    /// <summary>The admin key in the banner, or null when none was printed.</summary>
    public string? PrintedKey => KeyPattern().Match(Banner) is { Success: true } m ? m.Value : null;

    public static async Task<RunningNode> StartAsync(string dataDirectory, bool demo = false, string? postgres = null)
    {
        var output = new StringWriter { NewLine = "\n" };
        var started = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var settings = new ServeSettings(new StoreLocation(dataDirectory, postgres), ["http://127.0.0.1:0"], demo, TestData.PathOf("pdq", "images"), JsonLogs: false);
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => ServeCommand.RunAsync(settings, output, TextWriter.Null, urls => started.TrySetResult(urls), stop.Token));
        var first = await Task.WhenAny(started.Task, run, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != started.Task)
        {
            throw new InvalidOperationException(run.IsCompleted ? $"serve ended before listening: {(run.IsFaulted ? run.Exception!.InnerException : run.Result)}" : "serve did not start in 60 s");
        }

        var node = new RunningNode(output, run, new Uri(started.Task.Result[0]));
        node.Banner = output.ToString();
        node.StopSource = stop;
        await node.WaitReadyAsync();
        return node;
    }

    private CancellationTokenSource StopSource { get; set; } = null!;

    /// <summary>Waits until /status answers 200 (indexes loaded).</summary>
    public async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = Address };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/status");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (watch.Elapsed < TimeSpan.FromSeconds(30))
            {
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("/status did not answer 200 within 30 s");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Stops the node as SIGTERM would and returns serve's exit status.</summary>
    public async Task<int> StopAsync()
    {
        await StopSource.CancelAsync();
        return await _run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await StopAsync();
        }

        StopSource.Dispose();
        await _output.DisposeAsync();
    }

    [GeneratedRegex("chk_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}")]
    internal static partial Regex KeyPattern();
}
