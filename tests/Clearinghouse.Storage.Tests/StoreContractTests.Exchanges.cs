using Clearinghouse.Ledger.Entries;

namespace Clearinghouse.Storage.Tests;

// Exchanges: ordered updates from a program applied with their checkpoint in one transaction; only what the
// exchange imported is ever withdrawn; re-applying changes nothing; a full fetch withdraws what it no longer lists.
public abstract partial class StoreContractTests
{
    private IExchangeStore Exchanges => (IExchangeStore)Store;

    private async Task<(Exchange Exchange, Bank Bank, Member Member)> ExchangeAsync(string program = "tcap")
    {
        Member member = await MemberAsync();
        Bank bank = await BankAsync(member);
        Exchange exchange = await Exchanges.CreateExchangeAsync(new NewExchange(Unique("ex"), program, bank.Id, member.Id, """{"base_url":"http://127.0.0.1:1/"}"""));
        return (exchange, bank, member);
    }

    private static ExchangeRecord Rec(string key, string labels = """{"ideology":"islamist"}""", params int[] pdqs) =>
        new(key, [.. pdqs.Select(n => new ExchangeValue("pdq", PdqValue(n)))], labels);

    private static ExchangeRecord Deleted(string key) => new(key, [], "{}", Deleted: true, DeleteReason: "deleted by the program");

    [Fact]
    public async Task An_exchange_is_configured_listed_disabled_and_removed()
    {
        (Exchange exchange, Bank bank, Member member) = await ExchangeAsync();
        Assert.Equal(("tcap", bank.Id, member.Id, true, (string?)null, 0L), (exchange.Program, exchange.BankId, exchange.ContributorMemberId, exchange.Enabled, exchange.Checkpoint, exchange.Imported));
        Assert.Equal(exchange, await Exchanges.FindExchangeAsync(exchange.Name));
        await Refused(StoreError.Conflict, () => Exchanges.CreateExchangeAsync(new NewExchange(exchange.Name, "tcap", bank.Id, member.Id, "{}")));
        await Refused(StoreError.Invalid, () => Exchanges.CreateExchangeAsync(new NewExchange("x", "tcap", bank.Id, member.Id, "[1]")));
        await Refused(StoreError.NotFound, () => Exchanges.CreateExchangeAsync(new NewExchange("y", "tcap", 9999, member.Id, "{}")));

        Assert.False((await Exchanges.SetExchangeEnabledAsync(exchange.Id, false)).Enabled);
        await Exchanges.RecordExchangeErrorAsync(exchange.Id, "HTTP 401 from the program");
        Assert.Equal("HTTP 401 from the program", (await Exchanges.GetExchangeAsync(exchange.Id))!.LastError);
        Assert.Equal([exchange.Name], (await Exchanges.ListExchangesAsync()).Select(e => e.Name));

        await Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch([Rec("1", pdqs: 1)], "c1"));
        await Exchanges.DeleteExchangeAsync(exchange.Id);
        Assert.Null(await Exchanges.GetExchangeAsync(exchange.Id));
        // The imported signal stays, with its provenance.
        Signal kept = Assert.Single((await Store.ListSignalsAsync(new SignalQuery(BankId: bank.Id))).Items);
        Assert.Equal(SignalStatus.Active, kept.Status);
        Assert.Contains(exchange.Name, kept.Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Updates_add_relabel_and_delete_with_the_checkpoint_and_are_logged()
    {
        (Exchange exchange, Bank bank, Member member) = await ExchangeAsync();
        long logBefore = (await Store.GetLogHeadAsync()).Size;

        ExchangeApplyResult first = await Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch(
            [Rec("10", pdqs: 1), Rec("11", pdqs: [2, 3]), Rec("12", pdqs: 4)], "1700000000,12", StartsFullFetch: true));
        Assert.Equal((4, 0, 0), (first.Added, first.Relabelled, first.Withdrawn));
        Exchange after = (await Exchanges.GetExchangeAsync(exchange.Id))!;
        Assert.Equal(("1700000000,12", 4L, 1L), (after.Checkpoint, after.Imported, after.Generation));

        IReadOnlyList<Signal> signals = (await Store.ListSignalsAsync(new SignalQuery(BankId: bank.Id))).Items;
        Assert.Equal(4, signals.Count);
        Assert.All(signals, s => Assert.Equal(member.Id, s.ContributorMemberId));
        Signal one = signals.Single(s => s.Value == PdqValue(1));
        Assert.Contains("\"program\":\"tcap\"", one.Metadata, StringComparison.Ordinal);
        Assert.Contains("\"record\":\"10\"", one.Metadata, StringComparison.Ordinal);
        Assert.Contains("\"ideology\":\"islamist\"", one.Metadata, StringComparison.Ordinal);
        IReadOnlyList<LogRecord> added = await Store.ReadLogEntriesAsync(logBefore, logBefore + 4);
        Assert.All(added, r => Assert.IsType<SignalAdded>(LogEntry.Parse(r.Body)));

        // Same batch again: nothing changes, nothing is logged.
        long logSize = (await Store.GetLogHeadAsync()).Size;
        ExchangeApplyResult again = await Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch(
            [Rec("10", pdqs: 1), Rec("11", pdqs: [2, 3]), Rec("12", pdqs: 4)], "1700000000,12"));
        Assert.Equal((0, 0, 0, 4), (again.Added, again.Relabelled, again.Withdrawn, again.Unchanged));
        Assert.Equal(logSize, (await Store.GetLogHeadAsync()).Size);

        // Record 10 relabelled, record 11 drops value 3 for 5, record 12 deleted; the last update of a key wins.
        ExchangeApplyResult second = await Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch(
            [Rec("12", pdqs: 4), Rec("10", """{"ideology":"far-right"}""", 1), Rec("11", pdqs: [2, 5]), Deleted("12")], "1700000100,13"));
        Assert.Equal((1, 1, 2), (second.Added, second.Relabelled, second.Withdrawn));
        Assert.Equal("1700000100,13", (await Exchanges.GetExchangeAsync(exchange.Id))!.Checkpoint);
        IReadOnlyList<Signal> live = (await Store.ListSignalsAsync(new SignalQuery(BankId: bank.Id, Status: SignalStatus.Active))).Items;
        Assert.Equal([PdqValue(1), PdqValue(2), PdqValue(5)], live.Select(s => s.Value).Order(StringComparer.Ordinal));
        IReadOnlyList<ExchangeSignal> rows = (await Exchanges.ListExchangeSignalsAsync(exchange.Id, 0, 100)).Items;
        Assert.Equal("""{"ideology":"far-right"}""", rows.Single(r => r.Key == "10").Labels);
        List<LogEntry> entries = [.. (await Store.ReadLogEntriesAsync(logSize, (await Store.GetLogHeadAsync()).Size)).Select(r => LogEntry.Parse(r.Body))];
        List<SignalWithdrawn> withdrawals = [.. entries.OfType<SignalWithdrawn>()];
        Assert.Equal(2, withdrawals.Count);
        Assert.All(withdrawals, w => Assert.Contains(exchange.Name, w.Reason, StringComparison.Ordinal));
        Assert.Contains(withdrawals, w => w.Reason.Contains("record 12", StringComparison.Ordinal) && w.Reason.Contains("deleted by the program", StringComparison.Ordinal));
        Assert.Single(entries.OfType<SignalAdded>());
    }

    [Fact]
    public async Task Only_signals_the_exchange_imported_are_withdrawn_and_others_are_reported()
    {
        (Exchange exchange, Bank bank, Member member) = await ExchangeAsync();
        long[] mine = await AddAllAsync(bank, member, Sig(7));
        ExchangeApplyResult result = await Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch([Rec("a", pdqs: [7, 8])], "c"));
        Assert.Equal(1, result.Added);
        ExchangeConflict conflict = Assert.Single(result.Conflicts);
        Assert.Equal(("a", "duplicate", (long?)mine[0]), (conflict.Key, conflict.Code, conflict.ExistingSignalId));

        ExchangeApplyResult deleted = await Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch([Deleted("a")], "d"));
        Assert.Equal(1, deleted.Withdrawn);
        Assert.Equal(SignalStatus.Active, (await Store.GetSignalAsync(mine[0]))!.Status);

        // A designation-requiring bank refuses program values without one: reported, nothing added.
        Bank strict = await BankAsync(member, category: DesignationCategory);
        Exchange strictExchange = await Exchanges.CreateExchangeAsync(new NewExchange(Unique("ex"), "tcap", strict.Id, member.Id, "{}"));
        ExchangeApplyResult refused = await Exchanges.ApplyExchangeBatchAsync(strictExchange.Id, new ExchangeBatch([Rec("b", pdqs: 9)], "e"));
        Assert.Equal(("designation_required", 0), (Assert.Single(refused.Conflicts).Code, refused.Added));
    }

    [Fact]
    public async Task A_full_fetch_withdraws_what_it_no_longer_lists()
    {
        (Exchange exchange, Bank bank, _) = await ExchangeAsync();
        await Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch([Rec("1", pdqs: 1), Rec("2", pdqs: 2), Rec("3", pdqs: 3)], "old", StartsFullFetch: true, EndsFullFetch: true));

        // A refetch over two pages that lists 1 and 3 only.
        ExchangeApplyResult page1 = await Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch([Rec("1", pdqs: 1)], "p1", StartsFullFetch: true));
        Assert.Equal(0, page1.Withdrawn);
        ExchangeApplyResult page2 = await Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch([Rec("3", pdqs: 3)], "p2", EndsFullFetch: true));
        Assert.Equal(1, page2.Withdrawn);
        IReadOnlyList<Signal> live = (await Store.ListSignalsAsync(new SignalQuery(BankId: bank.Id, Status: SignalStatus.Active))).Items;
        Assert.Equal([PdqValue(1), PdqValue(3)], live.Select(s => s.Value).Order(StringComparer.Ordinal));
        Assert.Equal(("p2", 2L), ((await Exchanges.GetExchangeAsync(exchange.Id))!.Checkpoint, (await Exchanges.GetExchangeAsync(exchange.Id))!.Imported));
    }

    [Fact]
    public async Task A_bad_batch_writes_nothing_not_even_its_checkpoint()
    {
        (Exchange exchange, Bank bank, _) = await ExchangeAsync();
        await Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch([Rec("1", pdqs: 1)], "good"));
        long log = (await Store.GetLogHeadAsync()).Size;

        await Refused(StoreError.Invalid, () => Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch([Rec("2", pdqs: 2), new ExchangeRecord("3", [], "not json")], "bad")));
        await Refused(StoreError.Invalid, () => Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch([new ExchangeRecord("", [], "{}")], "bad")));
        await Database.FailWritesOfSignalValueAsync(PdqValue(4));
        await Assert.ThrowsAnyAsync<Exception>(() => Exchanges.ApplyExchangeBatchAsync(exchange.Id, new ExchangeBatch([Deleted("1"), Rec("4", pdqs: 4)], "bad")));

        Assert.Equal("good", (await Exchanges.GetExchangeAsync(exchange.Id))!.Checkpoint);
        Assert.Equal(log, (await Store.GetLogHeadAsync()).Size);
        Assert.Equal([PdqValue(1)], (await Store.ListSignalsAsync(new SignalQuery(BankId: bank.Id, Status: SignalStatus.Active))).Items.Select(s => s.Value));
        Assert.Equal(1, (await Exchanges.GetExchangeAsync(exchange.Id))!.Imported);
    }
}
