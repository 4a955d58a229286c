using Clearinghouse.Exchanges;
using Clearinghouse.Signals;
using Clearinghouse.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Server.Exchanges;

/// <summary>
/// Syncs the enabled exchanges in the background: every <see cref="Tick"/> it looks for enabled exchanges whose last
/// sync (or failed attempt) is older than their <c>poll_seconds</c> and syncs them one at a time. A failure is stored
/// on the exchange (shown by <c>exchange list</c>) and waits for the next interval: no busy loop against a program
/// that is down or refuses the credentials. Several replicas may poll the same exchange: applying a page is
/// idempotent, so that costs requests, not correctness.
/// </summary>
internal sealed partial class ExchangePoller(IClearinghouseStore store, SignalTypeRegistry types, ILogger<ExchangePoller> logger, TimeProvider? time = null) : BackgroundService
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(100) };

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How often the poller looks for exchanges that are due.</summary>
    public static TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not IExchangeStore)
        {
            return;
        }

        var runner = new ExchangeRunner(store, types, Http, _time);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SyncDueAsync(runner, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPollFailed(logger, ex);
            }

            try
            {
                await Task.Delay(Tick, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Syncs every enabled exchange that is due, one at a time; returns how many were synced (or failed).</summary>
    public async Task<int> SyncDueAsync(ExchangeRunner runner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        int ran = 0;
        foreach (Exchange exchange in await runner.Exchanges.ListExchangesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!exchange.Enabled || !IsDue(exchange))
            {
                continue;
            }

            ran++;
            try
            {
                SyncReport report = await runner.SyncAsync(exchange, null, cancellationToken).ConfigureAwait(false);
                LogSynced(logger, exchange.Name, exchange.Program, report.Pages, report.Added, report.Withdrawn, report.ProblemCount + report.ConflictCount);
            }
            catch (Exception ex) when (ex is ExchangeFormatException or ExchangeAuthException or ExchangeUnavailableException or FormatException)
            {
                // RunAsync stored the error (and the time) on the exchange; it is retried at its next interval.
                if (ex is FormatException)
                {
                    await runner.Exchanges.RecordExchangeErrorAsync(exchange.Id, ex.Message, CancellationToken.None).ConfigureAwait(false);
                }

                LogSyncFailed(logger, exchange.Name, ex.Message);
            }
        }

        return ran;
    }

    private bool IsDue(Exchange exchange)
    {
        TimeSpan interval;
        try
        {
            interval = ExchangeSettings.Parse(exchange.Settings).PollInterval;
        }
        catch (FormatException)
        {
            interval = TimeSpan.FromHours(1);
        }

        return exchange.LastSyncAt is not { } last || _time.GetUtcNow() - last >= interval;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "exchange {Name} ({Program}): {Pages} pages, {Added} added, {Withdrawn} withdrawn, {Skipped} not imported")]
    private static partial void LogSynced(ILogger logger, string name, string program, int pages, int added, int withdrawn, int skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "exchange {Name}: sync failed: {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "exchange poller failed; retrying at the next tick")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
