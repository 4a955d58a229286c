using System.Collections.Concurrent;
using System.Net;
using Clearinghouse.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clearinghouse.Server.Federation;

/// <summary>
/// Pulls every enabled peer: one loop per peer that runs a verified sync pass (<see cref="PeerSynchronizer"/>) and
/// delivers the peer's outbox, then sleeps the poll interval — or, after a failure, an exponential backoff with
/// jitter (never a busy loop). A verification failure stops the peer until the operator enables it again.
/// </summary>
internal sealed partial class FederationWorker(
    IFederationStore federation, PeerSynchronizer synchronizer, FederationOptions options, HttpClient http, TimeProvider time, ILogger<FederationWorker> logger)
    : BackgroundService
{
    /// <summary>The service key of the HTTP client used for peers.</summary>
    public const string HttpClientKey = "federation";

    private readonly ConcurrentDictionary<long, PeerRuntime> _runtimes = new();
    private readonly ConcurrentDictionary<long, Task> _loops = new();
    private readonly SemaphoreSlim _rescan = new(0, 1);

    /// <summary>The runtime state of a peer (created on first use).</summary>
    public PeerRuntime RuntimeOf(long peerId) => _runtimes.GetOrAdd(peerId, _ => new PeerRuntime());

    /// <summary>Asks the worker to look at the peer list now (a peer was added, enabled or removed).</summary>
    public void PeersChanged()
    {
        try
        {
            _rescan.Release();
        }
        catch (SemaphoreFullException)
        {
            // Pending already.
        }
    }

    /// <summary>
    /// Runs one sync pass and outbox delivery for a peer now (waiting for a pass under way), whatever its schedule; a
    /// verification failure stops the peer and is recorded, a transient one is recorded. Returns the error, if any.
    /// </summary>
    public async Task<string?> SyncNowAsync(long peerId, CancellationToken cancellationToken)
    {
        Peer peer = await federation.GetPeerAsync(peerId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"peer {peerId} vanished");
        PeerRuntime runtime = RuntimeOf(peerId);
        (string? error, _) = await PassAsync(peer, runtime, cancellationToken).ConfigureAwait(false);
        return error;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.WorkerEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (Peer peer in await federation.ListPeersAsync(stoppingToken).ConfigureAwait(false))
                {
                    if (peer.Enabled && !_loops.ContainsKey(peer.Id))
                    {
                        _loops[peer.Id] = Task.Run(() => PeerLoopAsync(peer.Id, stoppingToken), stoppingToken);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogScanFailed(logger, e);
            }

            try
            {
                await _rescan.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(_loops.Values).ConfigureAwait(false);
    }

    private async Task PeerLoopAsync(long peerId, CancellationToken stoppingToken)
    {
        PeerRuntime runtime = RuntimeOf(peerId);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Peer? peer = await federation.GetPeerAsync(peerId, stoppingToken).ConfigureAwait(false);
                if (peer is null || !peer.Enabled)
                {
                    runtime.State = peer is null ? "removed" : "disabled";
                    return;
                }

                TimeSpan delay = options.PollInterval;
                if (peer.State.Stopped)
                {
                    runtime.State = "stopped";
                }
                else
                {
                    (_, bool transientFailure) = await PassAsync(peer, runtime, stoppingToken).ConfigureAwait(false);
                    if (transientFailure)
                    {
                        delay = Backoff.Delay(options.PollInterval, runtime.ConsecutiveFailures, options.MaxBackoff);
                    }
                }

                runtime.NextAttemptAt = time.GetUtcNow() + delay;
                await runtime.Wake.WaitAsync(delay, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping.
        }
        finally
        {
            _loops.TryRemove(peerId, out _);
        }
    }

    /// <summary>One pass: sync, then outbox. Returns the error text and whether it was transient.</summary>
    private async Task<(string? Error, bool Transient)> PassAsync(Peer peer, PeerRuntime runtime, CancellationToken cancellationToken)
    {
        await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Re-read under the gate: a pass that just finished moved the cursor.
            peer = await federation.GetPeerAsync(peer.Id, cancellationToken).ConfigureAwait(false) ?? peer;
            runtime.Cursor = peer.State.Cursor;
            runtime.Attempted();
            runtime.State = "syncing";
            try
            {
                await synchronizer.SyncOnceAsync(peer, runtime, cancellationToken).ConfigureAwait(false);
                await DeliverOutboxAsync(peer, cancellationToken).ConfigureAwait(false);
                runtime.Succeeded();
                runtime.State = "synced";
                return (null, false);
            }
            catch (PeerVerificationException e)
            {
                runtime.State = "stopped";
                LogStopped(logger, peer.Name, e.Message);
                await federation.RecordPeerErrorAsync(peer.Id, e.Message, halt: true, CancellationToken.None).ConfigureAwait(false);
                return (e.Message, false);
            }
            catch (Exception e) when (e is PeerUnavailableException or StoreException or HttpRequestException)
            {
                int failures = runtime.Failed();
                runtime.State = "retrying";
                LogRetrying(logger, peer.Name, failures, e.Message);
                await federation.RecordPeerErrorAsync(peer.Id, e.Message, halt: false, CancellationToken.None).ConfigureAwait(false);
                return (e.Message, true);
            }
        }
        finally
        {
            runtime.Gate.Release();
        }
    }

    /// <summary>Sends what local members said about the peer's signals through the peer's own routes.</summary>
    private async Task DeliverOutboxAsync(Peer peer, CancellationToken cancellationToken)
    {
        IReadOnlyList<OutboxItem> due = await federation.ListDueOutboxAsync(peer.Id, time.GetUtcNow(), 100, cancellationToken).ConfigureAwait(false);
        if (due.Count == 0)
        {
            return;
        }

        var client = new PeerClient(http, peer.Url, peer.ApiKey, options);
        foreach (OutboxItem item in due)
        {
            HttpStatusCode status;
            try
            {
                status = item.Kind == OutboxKind.NegativeOpinion
                    ? await client.PostAsync(
                        $"/api/v1/signals/{item.PeerSignalId}/opinions", new PeerOpinionBody("negative", item.Note), FederationJsonContext.Default.PeerOpinionBody, cancellationToken).ConfigureAwait(false)
                    : await client.PostAsync(
                        "/api/v1/disputes", new PeerDisputeBody(item.PeerPublicId, item.Note), FederationJsonContext.Default.PeerDisputeBody, cancellationToken).ConfigureAwait(false);
            }
            catch (PeerUnavailableException e)
            {
                await federation.MarkOutboxFailedAsync(item.Id, e.Message, time.GetUtcNow() + Backoff.Delay(options.PollInterval, item.Attempts + 1, options.MaxBackoff), cancellationToken).ConfigureAwait(false);
                continue;
            }

            // 409: the peer has it already (an open dispute on the signal).
            if ((int)status is >= 200 and < 300 || status == HttpStatusCode.Conflict)
            {
                await federation.MarkOutboxSentAsync(item.Id, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await federation.MarkOutboxFailedAsync(
                    item.Id, $"the peer answered {(int)status}", time.GetUtcNow() + Backoff.Delay(options.PollInterval, item.Attempts + 1, options.MaxBackoff), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Federation: reading the peer list failed")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Federation: sync with peer {Peer} stopped: {Reason}")]
    private static partial void LogStopped(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Federation: sync with peer {Peer} failed ({Failures} in a row), will retry: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string peer, int failures, string reason);
}
