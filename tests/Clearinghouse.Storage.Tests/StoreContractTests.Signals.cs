using System.Text.RegularExpressions;

namespace Clearinghouse.Storage.Tests;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task An_added_signal_is_read_back_with_a_random_url_safe_public_id()
    {
        Member owner = await MemberAsync();
        Member contributor = await MemberAsync();
        Bank bank = await BankAsync(owner, category: DesignationCategory);
        long before = await Store.GetChangePositionAsync();

        IReadOnlyList<AddSignalResult> results = await Store.AddSignalsAsync(
            bank.Id, contributor.Id, [new NewSignal("pdq", PdqValue(1), "un:QDe.115", """{"source":"import"}""")]);

        AddSignalResult result = Assert.Single(results);
        Assert.True(result.Added);
        Signal signal = (await Store.GetSignalAsync(result.SignalId))!;
        Assert.Matches(new Regex("^sig_[a-z2-7]{26}$"), signal.PublicId);
        Assert.Equal("pdq", signal.SignalType);
        Assert.Equal(PdqValue(1), signal.Value);
        Assert.Equal(bank.Id, signal.BankId);
        Assert.Equal(DesignationCategory, signal.Category);
        Assert.Equal("un:QDe.115", signal.Designation);
        Assert.Equal(contributor.Id, signal.ContributorMemberId);
        Assert.Equal(SignalStatus.Active, signal.Status);
        Assert.Equal(default, signal.Opinions);
        Assert.Equal("""{"source":"import"}""", signal.Metadata);
        Assert.Equal(before + 1, signal.ChangeSeq);
        Assert.InRange(signal.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(signal, await Store.FindSignalByPublicIdAsync(signal.PublicId));
        Assert.Null(await Store.FindSignalByPublicIdAsync("sig_aaaaaaaaaaaaaaaaaaaaaaaaaa"));
        Assert.Null(await Store.GetSignalAsync(signal.Id + 1));
    }

    [Fact]
    public async Task Public_ids_differ_between_signals_with_the_same_value_in_different_banks()
    {
        Member owner = await MemberAsync();
        Bank a = await BankAsync(owner);
        Bank b = await BankAsync(owner);
        long[] inA = await AddAllAsync(a, owner, [.. Enumerable.Range(0, 200).Select(i => Sig(i))]);
        long[] inB = await AddAllAsync(b, owner, [.. Enumerable.Range(0, 200).Select(i => Sig(i))]);

        IReadOnlyList<Signal> all = await Store.GetSignalsAsync([.. inA, .. inB]);
        Assert.Equal(400, all.Select(s => s.PublicId).Distinct().Count());
    }

    [Fact]
    public async Task A_bulk_add_rejects_duplicates_of_stored_and_of_earlier_items_naming_the_existing_signal()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        Bank other = await BankAsync(owner);
        long[] stored = await AddAllAsync(bank, owner, Sig(1), Sig(2));
        long otherBanks = (await AddAllAsync(other, owner, Sig(3)))[0];

        IReadOnlyList<AddSignalResult> results = await Store.AddSignalsAsync(bank.Id, owner.Id,
        [
            Sig(1),                          // duplicate of a stored signal
            Sig(3),                          // new here (only in another bank)
            new NewSignal("md5", PdqValue(2)), // same value, other type: new
            Sig(4),                          // new
            Sig(4),                          // duplicate of the item before
            Sig(2),                          // duplicate of a stored signal
        ]);

        Assert.Equal(new AddSignalResult(stored[0], SignalRejection.Duplicate), results[0]);
        Assert.True(results[1].Added);
        Assert.NotEqual(otherBanks, results[1].SignalId);
        Assert.True(results[2].Added);
        Assert.True(results[3].Added);
        Assert.Equal(new AddSignalResult(results[3].SignalId, SignalRejection.Duplicate), results[4]);
        Assert.Equal(new AddSignalResult(stored[1], SignalRejection.Duplicate), results[5]);

        Page<Signal> inBank = await Store.ListSignalsAsync(new SignalQuery(BankId: bank.Id));
        Assert.Equal(5, inBank.Items.Count);

        // The three added took positions in (type, value) order: md5 before pdq, then by value.
        IReadOnlyList<Signal> added = await Store.GetSignalsAsync([results[1].SignalId, results[2].SignalId, results[3].SignalId]);
        Assert.Equal([results[2].SignalId, results[1].SignalId, results[3].SignalId], added.OrderBy(s => s.ChangeSeq).Select(s => s.Id));
    }

    [Fact]
    public async Task Bulk_adds_larger_than_one_statement_find_every_duplicate_across_chunks()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        Bank other = await BankAsync(owner);
        await AddAllAsync(other, owner, [.. Enumerable.Range(0, 30_000).Select(i => Sig(i))]);
        long[] first = await AddAllAsync(bank, owner, [.. Enumerable.Range(0, 30_000).Select(i => Sig(i * 2))]);
        long before = await Store.GetChangePositionAsync();

        // 50 000 items: the 30 000 stored values (even numbers) interleaved with 20 000 new odd ones.
        NewSignal[] batch = [.. Enumerable.Range(0, 50_000).Select(i => Sig(i < 40_000 && i % 4 == 1 ? i : (i * 2) % 60_000 + (i >= 40_000 ? 1 : 0)))];
        IReadOnlyList<AddSignalResult> results = await Store.AddSignalsAsync(bank.Id, owner.Id, batch);

        var stored = new Dictionary<string, long>();
        for (int i = 0; i < 30_000; i++)
        {
            stored[PdqValue(i * 2)] = first[i];
        }

        var added = new HashSet<long>();
        for (int i = 0; i < batch.Length; i++)
        {
            if (stored.TryGetValue(batch[i].Value, out long existing))
            {
                Assert.Equal(new AddSignalResult(existing, SignalRejection.Duplicate), results[i]);
            }
            else if (results[i].Added)
            {
                Assert.True(added.Add(results[i].SignalId));
            }
            else
            {
                Assert.Equal(SignalRejection.Duplicate, results[i].Rejection);
                Assert.Contains(results[i].SignalId, added);
            }
        }

        int distinctNew = batch.Select(s => s.Value).Distinct().Count(v => !stored.ContainsKey(v));
        Assert.Equal(distinctNew, added.Count);
        ChangeBatch feed = await Store.ReadChangesAsync(before, 100_000);
        Assert.Equal(await Store.GetChangePositionAsync(), feed.Position);
        Assert.Equal(added.Order(), feed.Signals.Select(s => s.Id).Order());
    }

    [Fact]
    public async Task A_category_that_requires_a_designation_rejects_only_the_items_without_one()
    {
        Member owner = await MemberAsync();
        Bank designated = await BankAsync(owner, category: DesignationCategory);
        Bank footage = await BankAsync(owner, category: NoDesignationCategory);

        IReadOnlyList<AddSignalResult> results = await Store.AddSignalsAsync(designated.Id, owner.Id,
            [Sig(1, "un:QDe.115"), Sig(2), Sig(3, "  "), Sig(4, "un:QDe.001")]);

        Assert.True(results[0].Added);
        Assert.Equal(new AddSignalResult(0, SignalRejection.DesignationRequired), results[1]);
        Assert.Equal(new AddSignalResult(0, SignalRejection.DesignationRequired), results[2]);
        Assert.True(results[3].Added);
        Assert.Equal(2, (await Store.ListSignalsAsync(new SignalQuery(BankId: designated.Id))).Items.Count);

        // Categories without the rule accept signals with or without one.
        IReadOnlyList<AddSignalResult> free = await Store.AddSignalsAsync(footage.Id, owner.Id, [Sig(1), Sig(2, "un:QDe.115")]);
        Assert.All(free, r => Assert.True(r.Added));
        Assert.Null((await Store.GetSignalAsync(free[0].SignalId))!.Designation);
        Assert.Equal("un:QDe.115", (await Store.GetSignalAsync(free[1].SignalId))!.Designation);
    }

    [Fact]
    public async Task Adding_to_a_missing_or_deleted_bank_by_an_unknown_member_or_with_a_malformed_item_writes_nothing()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        Bank deleted = await BankAsync(owner);
        await Store.DeleteBankAsync(deleted.Id);
        long position = await Store.GetChangePositionAsync();

        await Refused(StoreError.NotFound, () => Store.AddSignalsAsync(bank.Id + 100, owner.Id, [Sig(1)]));
        await Refused(StoreError.NotFound, () => Store.AddSignalsAsync(deleted.Id, owner.Id, [Sig(1)]));
        await Refused(StoreError.NotFound, () => Store.AddSignalsAsync(bank.Id, owner.Id + 100, [Sig(1)]));
        await Refused(StoreError.Invalid, () => Store.AddSignalsAsync(bank.Id, owner.Id, [Sig(1), new NewSignal("pdq", "")]));
        await Refused(StoreError.Invalid, () => Store.AddSignalsAsync(bank.Id, owner.Id, [Sig(1), new NewSignal("", PdqValue(2))]));
        StoreException e = await Refused(StoreError.Invalid, () => Store.AddSignalsAsync(bank.Id, owner.Id, [Sig(1), Sig(2, metadata: "[1,2]")]));
        Assert.Contains("signals[1]", e.Message, StringComparison.Ordinal);
        await Refused(StoreError.Invalid, () => Store.AddSignalsAsync(bank.Id, owner.Id, [Sig(1, metadata: "{\"a\":1} x")]));

        Assert.Empty((await Store.ListSignalsAsync(new SignalQuery())).Items);
        Assert.Equal(position, await Store.GetChangePositionAsync());
    }

    [Fact]
    public async Task A_database_error_in_the_middle_of_a_bulk_add_writes_nothing()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        await AddAllAsync(bank, owner, Sig(1));
        long position = await Store.GetChangePositionAsync();
        await Database.FailWritesOfSignalValueAsync(PdqValue(500));

        NewSignal[] batch = [.. Enumerable.Range(2, 1000).Select(i => Sig(i))];
        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => Store.AddSignalsAsync(bank.Id, owner.Id, batch));
        Assert.Contains("injected failure", e.Message, StringComparison.Ordinal);

        Assert.Single((await Store.ListSignalsAsync(new SignalQuery(BankId: bank.Id))).Items);
        Assert.Equal(position, await Store.GetChangePositionAsync());
        Assert.Empty((await Store.ReadChangesAsync(position, 10)).Signals);

        // The store is unharmed: the same batch without the poisoned value goes in whole.
        IReadOnlyList<AddSignalResult> retry = await Store.AddSignalsAsync(bank.Id, owner.Id, [.. batch.Where(s => s.Value != PdqValue(500))]);
        Assert.Equal(999, retry.Count(r => r.Added));
        Assert.Equal(position + 999, await Store.GetChangePositionAsync());
    }

    [Fact]
    public async Task A_database_error_while_deleting_a_bank_leaves_the_bank_and_its_signals_as_they_were()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long[] ids = await AddAllAsync(bank, owner, Sig(1), Sig(500), Sig(3));
        long position = await Store.GetChangePositionAsync();
        await Database.FailWritesOfSignalValueAsync(PdqValue(500));

        Exception e = await Assert.ThrowsAnyAsync<Exception>(() => Store.DeleteBankAsync(bank.Id));
        Assert.Contains("injected failure", e.Message, StringComparison.Ordinal);

        Assert.False((await Store.GetBankAsync(bank.Id))!.Deleted);
        Assert.All(await Store.GetSignalsAsync(ids), s => Assert.Equal(SignalStatus.Active, s.Status));
        Assert.Equal(position, await Store.GetChangePositionAsync());
    }

    [Fact]
    public async Task Signals_are_fetched_by_ids_skipping_missing_ones_in_id_order()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long[] ids = await AddAllAsync(bank, owner, Sig(1), Sig(2), Sig(3));

        IReadOnlyList<Signal> found = await Store.GetSignalsAsync([ids[2], 999_999, ids[0]]);
        Assert.Equal([ids[0], ids[2]], found.Select(s => s.Id));
        Assert.Empty(await Store.GetSignalsAsync([]));
        Assert.Equal(ids, (await Store.GetSignalsAsync([.. ids, .. ids])).Select(s => s.Id));
    }

    [Fact]
    public async Task Listing_signals_pages_by_id_with_filters_and_ends_with_no_cursor()
    {
        Member owner = await MemberAsync();
        Bank a = await BankAsync(owner);
        Bank b = await BankAsync(owner);
        long[] inA = await AddAllAsync(a, owner, [.. Enumerable.Range(0, 25).Select(i => i % 5 == 0 ? new NewSignal("md5", PdqValue(i)) : Sig(i))]);
        long[] inB = await AddAllAsync(b, owner, [.. Enumerable.Range(0, 7).Select(i => Sig(i))]);
        await Store.WithdrawSignalAsync(inA[3]);
        await Store.WithdrawSignalAsync(inA[4]);

        async Task<List<long>> All(SignalQuery query)
        {
            var ids = new List<long>();
            int pages = 0;
            for (Page<Signal> page = await Store.ListSignalsAsync(query); ; page = await Store.ListSignalsAsync(query with { AfterId = page.NextAfter!.Value }))
            {
                Assert.True(page.Items.Count <= query.Limit);
                ids.AddRange(page.Items.Select(s => s.Id));
                Assert.True(++pages < 100);
                if (page.NextAfter is null)
                {
                    return ids;
                }

                Assert.Equal(page.Items[^1].Id, page.NextAfter);
            }
        }

        // Within one call ids follow (type, value) order, not item order: compare in id order.
        long[] ordered(params long[] ids) => [.. ids.Order()];
        Assert.Equal(ordered([.. inA, .. inB]), await All(new SignalQuery(Limit: 10)));
        Assert.Equal(ordered(inA), await All(new SignalQuery(BankId: a.Id, Limit: 5)));        // 25: an exact multiple of the page
        Assert.Equal(ordered(inB), await All(new SignalQuery(BankId: b.Id, Limit: 100)));
        Assert.Equal(ordered(inA[0], inA[5], inA[10], inA[15], inA[20]), await All(new SignalQuery(SignalType: "md5", Limit: 2)));
        Assert.Equal(ordered(inA[3], inA[4]), await All(new SignalQuery(Status: SignalStatus.Withdrawn, Limit: 1)));
        Assert.Equal(23, (await All(new SignalQuery(BankId: a.Id, Status: SignalStatus.Active, Limit: 7))).Count);
        Assert.Empty(await All(new SignalQuery(BankId: a.Id, SignalType: "url")));

        Page<Signal> exact = await Store.ListSignalsAsync(new SignalQuery(BankId: b.Id, Limit: 7));
        Assert.Equal(7, exact.Items.Count);
        Assert.Null(exact.NextAfter);
        await Refused(StoreError.Invalid, () => Store.ListSignalsAsync(new SignalQuery(Limit: 0)));
    }

    // --- withdraw and opinions ---------------------------------------------------------------------------------

    [Fact]
    public async Task Withdrawing_takes_a_position_once_and_frees_the_value_for_a_new_signal()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long id = (await AddAllAsync(bank, owner, Sig(1)))[0];
        long before = await Store.GetChangePositionAsync();

        Assert.True(await Store.WithdrawSignalAsync(id));
        Signal withdrawn = (await Store.GetSignalAsync(id))!;
        Assert.Equal(SignalStatus.Withdrawn, withdrawn.Status);
        Assert.Equal(before + 1, withdrawn.ChangeSeq);

        Assert.False(await Store.WithdrawSignalAsync(id));
        Assert.Equal(before + 1, await Store.GetChangePositionAsync());
        await Refused(StoreError.NotFound, () => Store.WithdrawSignalAsync(id + 100));

        long again = (await AddAllAsync(bank, owner, Sig(1)))[0];
        Assert.NotEqual(id, again);
        Assert.Equal(SignalStatus.Active, (await Store.GetSignalAsync(again))!.Status);
    }

    [Fact]
    public async Task Mixed_opinions_make_a_signal_disputed_and_it_is_active_again_when_they_are_not()
    {
        Member owner = await MemberAsync();
        Member a = await MemberAsync();
        Member b = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long id = (await AddAllAsync(bank, owner, Sig(1)))[0];

        Signal s1 = await Store.RecordOpinionAsync(id, a.Id, OpinionKind.Positive, null);
        Assert.Equal((SignalStatus.Active, new OpinionSummary(1, 0, 0)), (s1.Status, s1.Opinions));

        Signal s2 = await Store.RecordOpinionAsync(id, b.Id, OpinionKind.Negative, "false positive: a news report");
        Assert.Equal((SignalStatus.Disputed, new OpinionSummary(1, 1, 0)), (s2.Status, s2.Opinions));
        Assert.True(s2.ChangeSeq > s1.ChangeSeq);
        Assert.Equal(s2, await Store.GetSignalAsync(id));

        // b changes its mind: one opinion per member, replaced.
        Signal s3 = await Store.RecordOpinionAsync(id, b.Id, OpinionKind.InvestigationSeed, null);
        Assert.Equal((SignalStatus.Active, new OpinionSummary(1, 0, 1)), (s3.Status, s3.Opinions));
        Assert.Equal(s3, await Store.GetSignalAsync(id));

        IReadOnlyList<Opinion> opinions = await Store.ListOpinionsAsync(id);
        Assert.Equal([(a.Id, OpinionKind.Positive), (b.Id, OpinionKind.InvestigationSeed)], opinions.Select(o => (o.MemberId, o.Kind)));
        Assert.All(opinions, o => Assert.Equal(id, o.SignalId));
        Assert.Null(opinions[1].Note);
    }

    [Fact]
    public async Task A_withdrawn_signal_stays_withdrawn_whatever_the_opinions()
    {
        Member owner = await MemberAsync();
        Member a = await MemberAsync();
        Member b = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long id = (await AddAllAsync(bank, owner, Sig(1)))[0];
        await Store.RecordOpinionAsync(id, a.Id, OpinionKind.Positive, null);
        await Store.WithdrawSignalAsync(id);

        Signal mixed = await Store.RecordOpinionAsync(id, b.Id, OpinionKind.Negative, null);
        Assert.Equal(SignalStatus.Withdrawn, mixed.Status);
        Assert.Equal(new OpinionSummary(1, 1, 0), mixed.Opinions);
        Signal unmixed = await Store.RecordOpinionAsync(id, b.Id, OpinionKind.Positive, null);
        Assert.Equal(SignalStatus.Withdrawn, unmixed.Status);
        Assert.Equal(unmixed, await Store.GetSignalAsync(id));
    }

    [Fact]
    public async Task Opinions_on_unknown_signals_or_by_unknown_members_are_refused()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long id = (await AddAllAsync(bank, owner, Sig(1)))[0];
        long position = await Store.GetChangePositionAsync();

        await Refused(StoreError.NotFound, () => Store.RecordOpinionAsync(id + 10, owner.Id, OpinionKind.Positive, null));
        await Refused(StoreError.NotFound, () => Store.RecordOpinionAsync(id, owner.Id + 10, OpinionKind.Positive, null));
        await Refused(StoreError.Invalid, () => Store.RecordOpinionAsync(id, owner.Id, (OpinionKind)7, null));
        Assert.Empty(await Store.ListOpinionsAsync(id));
        Assert.Equal(position, await Store.GetChangePositionAsync());
    }
}
