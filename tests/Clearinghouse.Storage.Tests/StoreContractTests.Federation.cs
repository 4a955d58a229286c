using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Storage.Tests;

// Federation: peers, verified batches applied with their cursor in one transaction, idempotent on the peer's public
// ids, withdrawals of what a peer brought, provenance in the log, and the outbox written with opinions.
public abstract partial class StoreContractTests
{
    private IFederationStore Federation => (IFederationStore)Store;

    private async Task<(Peer Peer, Bank Bank)> PeerAsync(string name = "node-a")
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner, "from-" + name);
        Peer peer = await Federation.CreatePeerAsync(new NewPeer(name, "http://node-a.example:5100/", "node-a.example/log+00000000+AQ==", "chk_k_s", [], [], bank.Id, SendOpinions: true));
        return (peer, bank);
    }

    private static ImportedSignal Import(long index, int n) =>
        new(index, $"sig_a{n}", 100 + n, "pdq", PdqValue(n), NoDesignationCategory, null, "node-a.example/log", $"sig_a{n}", "Member A");

    private static PeerBatch Batch(long from, long to, IReadOnlyList<ImportedSignal> adds, IReadOnlyList<PeerWithdrawal>? withdrawals = null) =>
        new(from, to, MerkleFrontierBytes(to), to, new byte[32], $"node-a.example/log\n{to}\n", adds, withdrawals ?? [], 0);

    private static byte[] MerkleFrontierBytes(long size)
    {
        var frontier = MerkleFrontier.Empty();
        for (long i = 0; i < size; i++)
        {
            frontier.Append(Rfc6962.HashLeaf([(byte)i]));
        }

        return frontier.ToBytes();
    }

    [Fact]
    public async Task A_peer_is_added_with_its_member_listed_and_removed()
    {
        (Peer peer, Bank bank) = await PeerAsync();
        Assert.Equal(("node-a", "http://node-a.example:5100", bank.Id, true, true), (peer.Name, peer.Url, peer.LocalBankId, peer.SendOpinions, peer.Enabled));
        Assert.Equal(0, peer.State.Cursor);
        Assert.Equal("peer:node-a", (await Store.GetMemberAsync(peer.MemberId))!.Name);
        Assert.Equal([peer.Name], (await Federation.ListPeersAsync()).Select(p => p.Name));
        await Refused(StoreError.Conflict, () => Federation.CreatePeerAsync(new NewPeer("node-a", "http://x", "k", "k", [], [], bank.Id, true)));
        await Refused(StoreError.Invalid, () => Federation.CreatePeerAsync(new NewPeer("node-z", "ftp://x", "k", "k", [], [], bank.Id, true)));
        await Refused(StoreError.NotFound, () => Federation.CreatePeerAsync(new NewPeer("node-z", "http://x", "k", "k", [], [], 9999, true)));
        Assert.True(await Federation.RemovePeerAsync("node-a"));
        Assert.False(await Federation.RemovePeerAsync("node-a"));
        Assert.Null(await Federation.FindPeerAsync("node-a"));
    }

    [Fact]
    public async Task A_batch_imports_with_provenance_moves_the_cursor_and_applying_it_again_changes_nothing()
    {
        (Peer peer, Bank bank) = await PeerAsync();
        LogHead before = await Store.GetLogHeadAsync();
        PeerBatch batch = Batch(0, 10, [Import(3, 1), Import(7, 2)]);
        PeerBatchResult result = await Federation.ApplyPeerBatchAsync(peer.Id, batch);
        Assert.Equal(new PeerBatchResult(2, 0, 0, false), result);
        Peer after = (await Federation.GetPeerAsync(peer.Id))!;
        Assert.Equal((10L, 10L, 2L), (after.State.Cursor, after.State.CheckpointSize, after.State.Imported));
        Assert.Equal(MerkleFrontierBytes(10), after.State.Frontier);

        Page<Signal> signals = await Store.ListSignalsAsync(new SignalQuery(bank.Id));
        Assert.Equal([PdqValue(1), PdqValue(2)], signals.Items.Select(s => s.Value).Order());
        Assert.All(signals.Items, s => Assert.Equal(peer.MemberId, s.ContributorMemberId));
        Assert.Contains("\"origin_member\":\"Member A\"", signals.Items[0].Metadata, StringComparison.Ordinal);
        SignalProvenance provenance = (await Federation.GetProvenanceAsync(signals.Items.Single(s => s.Value == PdqValue(1)).Id))!;
        Assert.Equal(("node-a", "sig_a1", 3L, "node-a.example/log", "sig_a1", "Member A"),
            (provenance.PeerName, provenance.PeerPublicId, provenance.PeerIndex, provenance.OriginLog, provenance.OriginPublicId, provenance.OriginMember));

        // The local log records each import, with its provenance.
        var added = (await Store.ReadLogEntriesAsync(before.Size, (await Store.GetLogHeadAsync()).Size)).Select(r => LogEntry.Parse(r.Body)).OfType<SignalAdded>().ToList();
        Assert.Equal(2, added.Count);
        Assert.All(added, e => Assert.Equal(("node-a.example/log", "Member A", "peer:node-a"), (e.OriginLog, e.OriginMember, e.Member)));

        // The same range again: nothing; a range that skips ahead of the cursor: refused.
        Assert.True((await Federation.ApplyPeerBatchAsync(peer.Id, batch)).AlreadyApplied);
        await Refused(StoreError.Conflict, () => Federation.ApplyPeerBatchAsync(peer.Id, Batch(12, 20, [Import(15, 3)])));
        Assert.Equal(2, (await Store.ListSignalsAsync(new SignalQuery(bank.Id))).Items.Count);

        // An event already imported, replayed in a later range, is skipped (idempotent on the peer's public id).
        PeerBatchResult replay = await Federation.ApplyPeerBatchAsync(peer.Id, Batch(10, 20, [Import(7, 2) with { PeerIndex = 12 }, Import(15, 3)]));
        Assert.Equal((1, 1), (replay.Added, replay.Duplicates));
        Assert.Equal(3, (await Store.ListSignalsAsync(new SignalQuery(bank.Id))).Items.Count);
    }

    [Fact]
    public async Task A_withdrawal_at_the_peer_withdraws_only_what_this_peer_brought()
    {
        (Peer peer, Bank bank) = await PeerAsync();
        Member local = await MemberAsync();
        long[] mine = await AddAllAsync(bank, local, Sig(9));
        await Federation.ApplyPeerBatchAsync(peer.Id, Batch(0, 5, [Import(1, 1), Import(2, 9)]));
        PeerBatchResult result = await Federation.ApplyPeerBatchAsync(peer.Id, Batch(5, 8, [], [new PeerWithdrawal(6, "sig_a1", "mistake"), new PeerWithdrawal(7, "sig_a9", "mistake"), new PeerWithdrawal(7, "sig_unknown", "x")]));
        Assert.Equal(1, result.Withdrawn);
        Assert.Equal(SignalStatus.Active, (await Store.GetSignalAsync(mine[0]))!.Status);
        Signal imported = (await Store.ListSignalsAsync(new SignalQuery(bank.Id, Status: SignalStatus.Withdrawn))).Items.Single();
        Assert.Equal(PdqValue(1), imported.Value);
        var withdrawn = (SignalWithdrawn)LogEntry.Parse((await Store.ReadLogEntriesAsync((await Store.GetLogHeadAsync()).Size - 1, (await Store.GetLogHeadAsync()).Size))[0].Body);
        Assert.Equal(("peer:node-a", imported.PublicId), (withdrawn.Member, withdrawn.PublicId));
        Assert.Contains("mistake", withdrawn.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_negative_opinion_or_an_upheld_dispute_on_an_imported_signal_is_owed_to_its_peer()
    {
        (Peer peer, Bank bank) = await PeerAsync();
        Member reviewer = await MemberAsync();
        long[] local = await AddAllAsync(bank, reviewer, Sig(50));
        await Federation.ApplyPeerBatchAsync(peer.Id, Batch(0, 3, [Import(1, 1), Import(2, 2)]));
        long[] imported = [.. (await Store.ListSignalsAsync(new SignalQuery(bank.Id))).Items.Where(s => s.ContributorMemberId == peer.MemberId).Select(s => s.Id)];

        await Store.RecordOpinionAsync(imported[0], reviewer.Id, OpinionKind.Positive, null);
        await Store.RecordOpinionAsync(local[0], reviewer.Id, OpinionKind.Negative, null);
        Assert.Empty(await Federation.ListOutboxAsync(peer.Id));

        await Store.RecordOpinionAsync(imported[0], reviewer.Id, OpinionKind.Negative, "benign");
        Signal second = (await Store.GetSignalAsync(imported[1]))!;
        Dispute dispute = await Store.FileDisputeAsync(second.PublicId, null, "lawful", null);
        await Store.ResolveDisputeAsync(dispute.PublicId, DisputeOutcome.Upheld, "news", reviewer.Id);

        IReadOnlyList<OutboxItem> outbox = await Federation.ListOutboxAsync(peer.Id);
        Assert.Equal([(OutboxKind.NegativeOpinion, "sig_a1", 101L), (OutboxKind.UpheldDispute, "sig_a2", 102L)], outbox.Select(o => (o.Kind, o.PeerPublicId, o.PeerSignalId)));
        Assert.Equal(2, (await Federation.ListDueOutboxAsync(peer.Id, DateTimeOffset.UtcNow.AddSeconds(1), 10)).Count);
        await Federation.MarkOutboxFailedAsync(outbox[0].Id, "down", DateTimeOffset.UtcNow.AddHours(1));
        await Federation.MarkOutboxSentAsync(outbox[1].Id);
        Assert.Empty(await Federation.ListDueOutboxAsync(peer.Id, DateTimeOffset.UtcNow.AddSeconds(1), 10));
        OutboxItem failed = (await Federation.ListOutboxAsync(peer.Id))[0];
        Assert.Equal((1, "down"), (failed.Attempts, failed.LastError));
    }

    [Fact]
    public async Task A_stop_is_recorded_and_sticks_until_the_peer_is_enabled_again()
    {
        (Peer peer, _) = await PeerAsync();
        await Federation.RecordPeerErrorAsync(peer.Id, "fork at 12", halt: true);
        await Federation.RecordPeerErrorAsync(peer.Id, "timed out", halt: false);
        Peer stopped = (await Federation.GetPeerAsync(peer.Id))!;
        Assert.Equal((true, "fork at 12"), (stopped.State.Stopped, stopped.State.LastError));
        Peer resumed = await Federation.SetPeerEnabledAsync("node-a", true);
        Assert.Equal((false, (string?)null), (resumed.State.Stopped, resumed.State.LastError));
        Assert.False((await Federation.SetPeerEnabledAsync("node-a", false)).Enabled);
        await Refused(StoreError.NotFound, () => Federation.SetPeerEnabledAsync("nobody", true));
    }

    [Fact]
    public async Task The_feed_reads_signal_added_entries_by_log_index_with_value_and_salt()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long[] ids = await AddAllAsync(bank, owner, Sig(1), Sig(2), Sig(3));
        LogHead head = await Store.GetLogHeadAsync();
        IReadOnlyList<FeedSignal> all = await Federation.ReadFeedSignalsAsync(0, head.Size, 100);
        Assert.Equal(ids.Order(), all.Select(f => f.SignalId).Order());
        foreach (FeedSignal f in all)
        {
            var entry = (SignalAdded)LogEntry.Parse((await Store.ReadLogEntriesAsync(f.LogIndex, f.LogIndex + 1))[0].Body);
            Assert.Equal(f.PublicId, entry.PublicId);
            Assert.True(ValueCommitment.Matches(entry.Commitment, f.Salt, f.Value));
        }

        Assert.Equal(2, (await Federation.ReadFeedSignalsAsync(0, head.Size, 2)).Count);
        Assert.Equal(all.Skip(1).Select(f => f.LogIndex), (await Federation.ReadFeedSignalsAsync(all[0].LogIndex + 1, head.Size, 100)).Select(f => f.LogIndex));
    }
}
