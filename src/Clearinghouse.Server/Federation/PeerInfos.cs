using Clearinghouse.Storage;

namespace Clearinghouse.Server.Federation;

/// <summary>A peer as the operator sees it (API and CLI): its settings without the API key, and its sync status.</summary>
internal static class PeerInfos
{
    public static async Task<PeerInfo> BuildAsync(IClearinghouseStore store, IFederationStore federation, Peer peer, PeerRuntime? runtime, CancellationToken cancellationToken)
    {
        Bank? bank = await store.GetBankAsync(peer.LocalBankId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<OutboxItem> outbox = await federation.ListOutboxAsync(peer.Id, cancellationToken).ConfigureAwait(false);
        int pending = outbox.Count(o => o.SentAt is null);
        PeerSyncState s = peer.State;
        long peerSize = Math.Max(runtime?.PeerSize ?? 0, s.CheckpointSize);
        string state = !peer.Enabled ? "disabled" : s.Stopped ? "stopped" : runtime?.State ?? (s.LastError is null ? "idle" : "retrying");
        var status = new PeerStatusInfo(
            state, s.Cursor, s.CheckpointSize, s.CheckpointNote, peerSize, peerSize - s.Cursor, s.Imported, s.Withdrawn, s.Skipped, s.LastSyncAt,
            s.LastError, s.LastErrorAt, s.Stopped, runtime?.ConsecutiveFailures ?? 0, runtime?.Attempts ?? 0, runtime?.NextAttemptAt, pending);
        return new PeerInfo(peer.Name, peer.Url, peer.VerifierKey, bank?.Name ?? $"#{peer.LocalBankId}", peer.Banks, peer.Categories, peer.SendOpinions, peer.Enabled, peer.CreatedAt, status);
    }
}
