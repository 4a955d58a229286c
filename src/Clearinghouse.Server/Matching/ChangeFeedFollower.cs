using System.Diagnostics;
using Clearinghouse.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Server.Matching;

/// <summary>
/// Keeps the <see cref="NodeIndex"/> current: at start-up it pages through the store's whole change feed, then it
/// polls the feed every <see cref="NodeOptions.ChangePollInterval"/>, so a change made through any route — this
/// node, another replica, a direct writer to the same database — reaches matching within about one interval.
/// </summary>
internal sealed partial class ChangeFeedFollower(NodeIndex index, IClearinghouseStore store, NodeOptions options, ILogger<ChangeFeedFollower> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _waitersLock = new();
    private readonly List<(long Position, TaskCompletionSource Done)> _waiters = [];
    private readonly HashSet<string> _unknownTypesLogged = new(StringComparer.Ordinal);

    /// <summary>
    /// Waits until the index has applied every change committed before this call (read-your-writes for a
    /// client of this node), or until <paramref name="timeout"/>; false on timeout.
    /// </summary>
    public async Task<bool> CatchUpAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        long target = await store.GetChangePositionAsync(cancellationToken).ConfigureAwait(false);
        if (index.Position >= target)
        {
            return true;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            _waiters.Add((target, done));
        }

        Wake();
        try
        {
            await done.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Asks for a poll now rather than at the next interval.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending.
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting (Kestrel answers /status with 503 meanwhile).
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await LoadAsync(stoppingToken).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogLoadFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(options.ChangePollInterval, stoppingToken).ConfigureAwait(false);
                await PollAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The store may be briefly unreachable; keep serving the last state and try again. /status turns
                // 503 (stale) if this lasts.
                LogPollFailed(ex);
            }
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();

        // Banks first: a signal's bank may have changed after the signal, so the feed would show it later.
        var banks = await store.ListBanksAsync(cancellationToken).ConfigureAwait(false);
        index.ApplyBanks(banks);
        int changes;
        using (index.BeginBulkLoad())
        {
            // Not ready yet, so no member waits on the deferred indexing; it runs once, when the scope closes.
            changes = await PollAsync(cancellationToken).ConfigureAwait(false);
        }

        index.MarkReady();
        LogLoaded(changes, index.Position, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Applies every change after the current position; returns how many were read.</summary>
    private async Task<int> PollAsync(CancellationToken cancellationToken)
    {
        int total = 0;
        long position = index.Position;
        while (true)
        {
            var batch = await store.ReadChangesAsync(position, options.ChangePageSize, cancellationToken).ConfigureAwait(false);
            int count = batch.Signals.Count + batch.Banks.Count;
            if (count > 0)
            {
                await ApplyAsync(batch, cancellationToken).ConfigureAwait(false);
                total += count;
            }

            bool moved = batch.Position > position;
            position = Math.Max(position, batch.Position);
            index.MarkSynced(position);
            if (count == 0 || !moved)
            {
                break;
            }
        }

        ReleaseWaiters(position);
        return total;
    }

    private async Task ApplyAsync(ChangeBatch batch, CancellationToken cancellationToken)
    {
        index.ApplyBanks(batch.Banks);
        foreach (var signal in batch.Signals)
        {
            if (signal.Status != SignalStatus.Withdrawn && !index.KnowsBank(signal.BankId))
            {
                // The bank was created after the start-up bank list, or the feed shows it in a later page.
                var bank = await store.GetBankAsync(signal.BankId, cancellationToken).ConfigureAwait(false);
                if (bank is not null)
                {
                    index.ApplyBanks([bank]);
                }
            }

            try
            {
                if (index.ApplySignal(signal) == SignalApplyResult.UnknownType && _unknownTypesLogged.Add(signal.SignalType))
                {
                    LogUnknownType(signal.SignalType);
                }
            }
            catch (FormatException ex)
            {
                LogBadValue(signal.Id, signal.SignalType, ex.Message);
            }
        }
    }

    private void ReleaseWaiters(long position)
    {
        lock (_waitersLock)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Position <= position)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Matcher ready: {Changes} changes loaded to position {Position} in {Seconds:F2} s")]
    private partial void LogLoaded(int changes, long position, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Loading the matcher's indexes failed; retrying")]
    private partial void LogLoadFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the change feed failed; matching continues on the last state")]
    private partial void LogPollFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signals of type {SignalType} are in the store but this node does not know the type; they are not matched")]
    private partial void LogUnknownType(string signalType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Signal {SignalId} ({SignalType}) has a value its type rejects and is not matched: {Reason}")]
    private partial void LogBadValue(long signalId, string signalType, string reason);
}
