using System.Text.Json;

namespace Clearinghouse.Storage.Tests;

// Re-categorising a signal: the category moves, the change feed carries it, and the log says from what, to what and why.
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Recategorising_moves_the_signal_and_logs_previous_category_new_category_and_reason()
    {
        Member owner = await MemberAsync("org-curator");
        Bank bank = await BankAsync(owner);
        long[] ids = await AddAllAsync(bank, owner, Sig(1));
        long before = await Store.GetChangePositionAsync();

        Signal moved = await Store.RecategoriseSignalAsync(
            ids[0], new SignalRecategorisation(DesignationCategory, "un:QDe.115", owner.Id, "the video is the group's branded output"));

        Assert.Equal(DesignationCategory, moved.Category);
        Assert.Equal("un:QDe.115", moved.Designation);
        Signal stored = (await Store.GetSignalAsync(ids[0]))!;
        Assert.Equal(moved, stored);
        Assert.Equal(bank.Id, stored.BankId);
        var (changed, _, _) = await ReadAllChangesAsync(before);
        Assert.Equal([ids[0]], changed.Select(s => s.Id));

        JsonElement entry = (await ReadEntriesAsync())[^1];
        Assert.Equal("signal-recategorised", entry.GetProperty("type").GetString());
        Assert.Equal(stored.PublicId, entry.GetProperty("publicId").GetString());
        Assert.Equal(NoDesignationCategory, entry.GetProperty("previousCategory").GetString());
        Assert.Equal(DesignationCategory, entry.GetProperty("category").GetString());
        Assert.Equal("un:QDe.115", entry.GetProperty("designation").GetString());
        Assert.Equal("org-curator", entry.GetProperty("member").GetString());
        Assert.Equal("the video is the group's branded output", entry.GetProperty("reason").GetString());
        await AssertStoredTreeMatchesEntriesAsync();
    }

    [Fact]
    public async Task Recategorising_to_the_same_category_changes_and_logs_nothing()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long[] ids = await AddAllAsync(bank, owner, Sig(2));
        long size = (await Store.GetLogHeadAsync()).Size;
        long position = await Store.GetChangePositionAsync();

        Signal same = await Store.RecategoriseSignalAsync(ids[0], new SignalRecategorisation(NoDesignationCategory, null, owner.Id, "no change"));

        Assert.Equal(NoDesignationCategory, same.Category);
        Assert.Equal(size, (await Store.GetLogHeadAsync()).Size);
        Assert.Equal(position, await Store.GetChangePositionAsync());
    }

    [Fact]
    public async Task Refused_recategorisations_write_nothing()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long[] ids = await AddAllAsync(bank, owner, Sig(3), Sig(4));
        await Store.WithdrawSignalAsync(ids[1]);
        long size = (await Store.GetLogHeadAsync()).Size;
        long position = await Store.GetChangePositionAsync();

        await Refused(StoreError.UnknownCategory, () => Store.RecategoriseSignalAsync(ids[0], new SignalRecategorisation("protest-footage", null, owner.Id, "r")));
        await Refused(StoreError.Invalid, () => Store.RecategoriseSignalAsync(ids[0], new SignalRecategorisation(DesignationCategory, null, owner.Id, "needs a designation")));
        await Refused(StoreError.Invalid, () => Store.RecategoriseSignalAsync(ids[0], new SignalRecategorisation(DesignationCategory, "un:QDe.115", owner.Id, " ")));
        await Refused(StoreError.Conflict, () => Store.RecategoriseSignalAsync(ids[1], new SignalRecategorisation(DesignationCategory, "un:QDe.115", owner.Id, "withdrawn")));
        await Refused(StoreError.NotFound, () => Store.RecategoriseSignalAsync(999_999, new SignalRecategorisation(DesignationCategory, "un:QDe.115", owner.Id, "absent")));
        await Refused(StoreError.NotFound, () => Store.RecategoriseSignalAsync(ids[0], new SignalRecategorisation(DesignationCategory, "un:QDe.115", 999_999, "no such member")));

        Assert.Equal(NoDesignationCategory, (await Store.GetSignalAsync(ids[0]))!.Category);
        Assert.Equal(size, (await Store.GetLogHeadAsync()).Size);
        Assert.Equal(position, await Store.GetChangePositionAsync());
    }
}
