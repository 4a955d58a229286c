namespace Clearinghouse.Storage.Tests;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_bank_is_created_with_every_field_and_read_back()
    {
        Member owner = await MemberAsync();
        SharingGroup group = await Store.CreateSharingGroupAsync("G");
        long before = await Store.GetChangePositionAsync();
        Bank created = await Store.CreateBankAsync(new NewBank(
            "FOOTAGE_2024", NoDesignationCategory, owner.Id, SharingScope.Group, group.Id, Enabled: false, Negative: true,
            Thresholds: new Dictionary<string, int> { ["pdq"] = 20, ["md5"] = 0 }, Description: "test bank"));

        Assert.True(created.ChangeSeq > before);
        Assert.Equal(created.ChangeSeq, await Store.GetChangePositionAsync());
        foreach (Bank? read in new[] { await Store.GetBankAsync(created.Id), await Store.FindBankAsync("FOOTAGE_2024") })
        {
            AssertSameBank(created, read!);
            Assert.Equal("FOOTAGE_2024", read!.Name);
            Assert.Equal(NoDesignationCategory, read.Category);
            Assert.Equal(owner.Id, read.OwnerMemberId);
            Assert.Equal(SharingScope.Group, read.Scope);
            Assert.Equal(group.Id, read.SharingGroupId);
            Assert.False(read.Enabled);
            Assert.True(read.Negative);
            Assert.Equal(20, read.Thresholds["pdq"]);
            Assert.Equal(0, read.Thresholds["md5"]);
            Assert.Equal(2, read.Thresholds.Count);
            Assert.Equal("test bank", read.Description);
            Assert.False(read.Deleted);
        }

        Assert.Null(await Store.GetBankAsync(created.Id + 1));
        Assert.Null(await Store.FindBankAsync("footage_2024"));
    }

    [Fact]
    public async Task A_bank_with_an_unknown_category_owner_or_group_or_a_bad_scope_is_refused()
    {
        Member owner = await MemberAsync();
        StoreException e = await Refused(StoreError.UnknownCategory, () => Store.CreateBankAsync(new NewBank("B", "political-speech", owner.Id)));
        Assert.Contains("political-speech", e.Message, StringComparison.Ordinal);
        Assert.Contains("attack-footage", e.Message, StringComparison.Ordinal);
        await Refused(StoreError.NotFound, () => Store.CreateBankAsync(new NewBank("B", NoDesignationCategory, owner.Id + 5)));
        await Refused(StoreError.NotFound, () => Store.CreateBankAsync(new NewBank("B", NoDesignationCategory, owner.Id, SharingScope.Group, 77)));
        await Refused(StoreError.Invalid, () => Store.CreateBankAsync(new NewBank("B", NoDesignationCategory, owner.Id, SharingScope.Group)));
        await Refused(StoreError.Invalid, () => Store.CreateBankAsync(new NewBank("B", NoDesignationCategory, owner.Id, SharingScope.Private, 1)));
        await Refused(StoreError.Invalid, () => Store.CreateBankAsync(new NewBank("B", NoDesignationCategory, owner.Id, Thresholds: new Dictionary<string, int> { ["pdq"] = -1 })));
        await Refused(StoreError.Invalid, () => Store.CreateBankAsync(new NewBank("", NoDesignationCategory, owner.Id)));
        Assert.Empty(await Store.ListBanksAsync());
        Assert.Equal(0, await Store.GetChangePositionAsync());
    }

    [Fact]
    public async Task Live_bank_names_are_unique_but_a_deleted_banks_name_can_be_reused()
    {
        Member owner = await MemberAsync();
        Bank first = await BankAsync(owner, "SHARED_NAME");
        await Refused(StoreError.Conflict, () => BankAsync(owner, "SHARED_NAME"));

        await Store.DeleteBankAsync(first.Id);
        Bank second = await BankAsync(owner, "SHARED_NAME");

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(second.Id, (await Store.FindBankAsync("SHARED_NAME"))!.Id);
        Assert.True((await Store.GetBankAsync(first.Id))!.Deleted);
        await Refused(StoreError.Conflict, () => BankAsync(owner, "SHARED_NAME"));
    }

    [Fact]
    public async Task Updating_a_bank_changes_only_the_given_fields_and_takes_a_new_position()
    {
        Member owner = await MemberAsync();
        SharingGroup group = await Store.CreateSharingGroupAsync("G");
        Bank bank = await Store.CreateBankAsync(new NewBank(
            "ORIGINAL", NoDesignationCategory, owner.Id, Thresholds: new Dictionary<string, int> { ["pdq"] = 16 }, Description: "d"));

        Bank renamed = await Store.UpdateBankAsync(bank.Id, new BankUpdate(Name: "RENAMED", Enabled: false));
        Assert.Equal("RENAMED", renamed.Name);
        Assert.False(renamed.Enabled);
        Assert.Equal(16, renamed.Thresholds["pdq"]);
        Assert.Equal("d", renamed.Description);
        Assert.Equal(SharingScope.AllMembers, renamed.Scope);
        Assert.True(renamed.ChangeSeq > bank.ChangeSeq);
        AssertSameBank(renamed, (await Store.GetBankAsync(bank.Id))!);
        Assert.Null(await Store.FindBankAsync("ORIGINAL"));

        Bank grouped = await Store.UpdateBankAsync(bank.Id, new BankUpdate(Scope: SharingScope.Group, SharingGroupId: group.Id, Thresholds: new Dictionary<string, int> { ["md5"] = 0 }, Negative: true));
        Assert.Equal(group.Id, grouped.SharingGroupId);
        Assert.True(grouped.Negative);
        Assert.Equal(["md5"], grouped.Thresholds.Keys);
        AssertSameBank(grouped, (await Store.GetBankAsync(bank.Id))!);

        Bank opened = await Store.UpdateBankAsync(bank.Id, new BankUpdate(Scope: SharingScope.AllMembers));
        Assert.Null(opened.SharingGroupId);
        AssertSameBank(opened, (await Store.GetBankAsync(bank.Id))!);
    }

    [Fact]
    public async Task Updating_onto_a_taken_name_a_deleted_bank_or_a_groupless_group_scope_is_refused()
    {
        Member owner = await MemberAsync();
        Bank a = await BankAsync(owner, "A");
        Bank b = await BankAsync(owner, "B");
        long position = await Store.GetChangePositionAsync();

        await Refused(StoreError.Conflict, () => Store.UpdateBankAsync(b.Id, new BankUpdate(Name: "A")));
        await Refused(StoreError.Invalid, () => Store.UpdateBankAsync(b.Id, new BankUpdate(Scope: SharingScope.Group)));
        await Refused(StoreError.NotFound, () => Store.UpdateBankAsync(b.Id + 10, new BankUpdate(Enabled: false)));
        Assert.Equal(position, await Store.GetChangePositionAsync());
        AssertSameBank(b, (await Store.GetBankAsync(b.Id))!);

        // Renaming to its own name is no conflict.
        await Store.UpdateBankAsync(a.Id, new BankUpdate(Name: "A"));
        await Store.DeleteBankAsync(a.Id);
        await Refused(StoreError.NotFound, () => Store.UpdateBankAsync(a.Id, new BankUpdate(Enabled: false)));
        await Refused(StoreError.NotFound, () => Store.DeleteBankAsync(a.Id));
    }

    [Fact]
    public async Task Deleting_a_bank_withdraws_its_signals_each_at_a_new_position_and_leaves_other_banks_alone()
    {
        Member owner = await MemberAsync();
        Bank doomed = await BankAsync(owner);
        Bank kept = await BankAsync(owner);
        long[] doomedIds = await AddAllAsync(doomed, owner, Sig(1), Sig(2), Sig(3));
        long[] keptIds = await AddAllAsync(kept, owner, Sig(1), Sig(2));
        await Store.WithdrawSignalAsync(doomedIds[1]);
        long before = await Store.GetChangePositionAsync();

        await Store.DeleteBankAsync(doomed.Id);

        Bank deleted = (await Store.GetBankAsync(doomed.Id))!;
        Assert.True(deleted.Deleted);
        Assert.Null(await Store.FindBankAsync(doomed.Name));
        Assert.DoesNotContain(await Store.ListBanksAsync(), b => b.Id == doomed.Id);
        IReadOnlyList<Signal> doomedSignals = await Store.GetSignalsAsync(doomedIds);
        Assert.All(doomedSignals, s => Assert.Equal(SignalStatus.Withdrawn, s.Status));
        Assert.All(await Store.GetSignalsAsync(keptIds), s => Assert.Equal(SignalStatus.Active, s.Status));

        // The bank and the two signals it still had live: three changes, three new positions.
        ChangeBatch changes = await Store.ReadChangesAsync(before, 100);
        Assert.Equal([deleted.ChangeSeq], changes.Banks.Select(b => b.ChangeSeq));
        Assert.Equal([doomedIds[0], doomedIds[2]], changes.Signals.Select(s => s.Id).Order());
        Assert.Equal(before + 3, changes.Position);
        Assert.Equal(before + 3, await Store.GetChangePositionAsync());
        Assert.Equal(3, changes.Signals.Select(s => s.ChangeSeq).Append(deleted.ChangeSeq).Distinct().Count());
    }

    private static void AssertSameBank(Bank expected, Bank actual)
    {
        Assert.Equal(expected with { Thresholds = actual.Thresholds }, actual);
        Assert.Equal(expected.Thresholds.OrderBy(t => t.Key), actual.Thresholds.OrderBy(t => t.Key));
    }
}
