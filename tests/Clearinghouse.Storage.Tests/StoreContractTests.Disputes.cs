using System.Text;
using Clearinghouse.Ledger.Entries;

namespace Clearinghouse.Storage.Tests;

// Disputes: filing and resolution are log entries, upheld withdraws the signal, the contributor is notified.
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_dispute_is_filed_rejected_or_upheld_and_each_step_is_logged()
    {
        Member owner = await MemberAsync("contributor-org");
        Member other = await MemberAsync("other-org");
        Member operatorOrg = await MemberAsync("operator-org");
        Bank bank = await BankAsync(owner);
        long[] ids = await AddAllAsync(bank, owner, Sig(1), Sig(2));
        Signal signal = (await Store.GetSignalAsync(ids[0]))!;

        Dispute filed = await Store.FileDisputeAsync(signal.PublicId, null, "This is my lawful news report, not attack footage.", "reporter@example.org");
        Assert.StartsWith("dsp_", filed.PublicId, StringComparison.Ordinal);
        Assert.Equal(SignalStatus.Disputed, (await Store.GetSignalAsync(ids[0]))!.Status);
        var filedEntry = (DisputeFiled)await EntryAtAsync(filed.FiledIndex);
        Assert.Equal((filed.PublicId, signal.PublicId, (string?)null), (filedEntry.DisputeId, filedEntry.PublicId, filedEntry.FiledBy));
        string filedJson = Encoding.UTF8.GetString((await Store.ReadLogEntriesAsync(filed.FiledIndex, filed.FiledIndex + 1))[0].Body);
        Assert.DoesNotContain("reporter@example.org", filedJson, StringComparison.Ordinal);
        Assert.DoesNotContain("lawful news", filedJson, StringComparison.Ordinal);

        Dispute rejected = await Store.ResolveDisputeAsync(filed.PublicId, DisputeOutcome.Rejected, "The footage was produced by the attacker.", operatorOrg.Id);
        Assert.Equal(DisputeOutcome.Rejected, rejected.Outcome);
        Assert.Equal(SignalStatus.Active, (await Store.GetSignalAsync(ids[0]))!.Status);
        var resolvedEntry = (DisputeResolved)await EntryAtAsync(rejected.ResolvedIndex!.Value);
        Assert.Equal(("rejected", "The footage was produced by the attacker."), (resolvedEntry.Outcome, resolvedEntry.Reason));
        await Refused(StoreError.Conflict, () => Store.ResolveDisputeAsync(filed.PublicId, DisputeOutcome.Upheld, "again", operatorOrg.Id));

        long feed = await Store.GetChangePositionAsync();
        Dispute byMember = await Store.FileDisputeAsync(signal.PublicId, other.Id, "We found this to be a false positive.", null);
        Assert.Equal("other-org", ((DisputeFiled)await EntryAtAsync(byMember.FiledIndex)).FiledBy);
        Dispute upheld = await Store.ResolveDisputeAsync(byMember.PublicId, DisputeOutcome.Upheld, "Confirmed false positive.", operatorOrg.Id);
        Assert.Equal(SignalStatus.Withdrawn, (await Store.GetSignalAsync(ids[0]))!.Status);
        var withdrawn = (SignalWithdrawn)await EntryAtAsync(upheld.ResolvedIndex!.Value + 1);
        Assert.Equal(signal.PublicId, withdrawn.PublicId);
        Assert.Contains(byMember.PublicId, withdrawn.Reason, StringComparison.Ordinal);
        (List<Signal> changed, _, _) = await ReadAllChangesAsync(feed);
        Assert.Equal(SignalStatus.Withdrawn, changed.Last(s => s.Id == ids[0]).Status);

        IReadOnlyList<MemberNotification> notes = (await Store.ListNotificationsAsync(owner.Id, 0, 100)).Items;
        Assert.Equal(["dispute-filed", "dispute-rejected", "dispute-filed", "dispute-upheld"], notes.Select(n => n.Kind));
        Assert.All(notes, n => Assert.Equal(signal.PublicId, n.SignalPublicId));
        Assert.Equal(["dispute-upheld"], (await Store.ListNotificationsAsync(other.Id, 0, 100)).Items.Select(n => n.Kind));

        Assert.Equal([filed.PublicId, byMember.PublicId], (await Store.ListDisputesAsync(false, 0, 10)).Items.Select(d => d.PublicId));
        Assert.Empty((await Store.ListDisputesAsync(true, 0, 10)).Items);
        Assert.Equal("reporter@example.org", (await Store.GetDisputeAsync(filed.PublicId))!.Contact);
        await AssertStoredTreeMatchesEntriesAsync();
    }

    [Fact]
    public async Task Bad_disputes_are_refused_and_log_nothing()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long[] ids = await AddAllAsync(bank, owner, Sig(1));
        Signal signal = (await Store.GetSignalAsync(ids[0]))!;
        await Store.WithdrawSignalAsync(ids[0]);
        LogHead before = await Store.GetLogHeadAsync();

        await Refused(StoreError.Conflict, () => Store.FileDisputeAsync(signal.PublicId, null, "statement", null));
        await Refused(StoreError.NotFound, () => Store.FileDisputeAsync("sig_nonexistent", null, "statement", null));
        await Refused(StoreError.Invalid, () => Store.FileDisputeAsync(signal.PublicId, null, " ", null));
        await Refused(StoreError.Invalid, () => Store.FileDisputeAsync(signal.PublicId, null, new string('x', 4001), null));
        await Refused(StoreError.Invalid, () => Store.FileDisputeAsync(signal.PublicId, null, "statement", "a\nb"));
        await Refused(StoreError.NotFound, () => Store.ResolveDisputeAsync("dsp_none", DisputeOutcome.Upheld, "reason", owner.Id));
        await Refused(StoreError.Invalid, () => Store.ResolveDisputeAsync("dsp_none", DisputeOutcome.Upheld, "", owner.Id));
        Assert.Equal(before, await Store.GetLogHeadAsync());
    }

    private async Task<LogEntry> EntryAtAsync(long index) =>
        LogEntry.Parse((await Store.ReadLogEntriesAsync(index, index + 1))[0].Body);
}
