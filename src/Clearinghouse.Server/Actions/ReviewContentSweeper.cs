using Clearinghouse.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Server.Actions;

/// <summary>Deletes review copies whose retention ran out, every <see cref="NodeOptions.ReviewSweepInterval"/>.</summary>
internal sealed partial class ReviewContentSweeper(IActionStore store, NodeOptions options, TimeProvider time, ILogger<ReviewContentSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(options.ReviewSweepInterval, time);
        do
        {
            try
            {
                int deleted = await store.DeleteExpiredReviewContentAsync(stoppingToken).ConfigureAwait(false);
                if (deleted > 0)
                {
                    LogDeleted(deleted);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(e);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired review copies")]
    private partial void LogDeleted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired review copies failed; retrying at the next interval")]
    private partial void LogFailed(Exception exception);
}
