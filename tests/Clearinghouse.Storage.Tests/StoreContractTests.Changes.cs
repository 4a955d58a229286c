using FsCheck;
using FsCheck.Fluent;

namespace Clearinghouse.Storage.Tests;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Every_change_takes_a_new_higher_position_and_the_feed_returns_each_row_once_at_its_latest()
    {
        Member owner = await MemberAsync();
        Assert.Equal(0, await Store.GetChangePositionAsync());
        ChangeBatch empty = await Store.ReadChangesAsync(0, 10);
        Assert.Empty(empty.Signals);
        Assert.Empty(empty.Banks);
        Assert.Equal(0, empty.Position);

        Bank bank = await BankAsync(owner);                                          // 1
        long[] ids = await AddAllAsync(bank, owner, Sig(1), Sig(2), Sig(3));          // 2, 3, 4
        await Store.WithdrawSignalAsync(ids[0]);                                      // 5
        Signal opined = await Store.RecordOpinionAsync(ids[1], owner.Id, OpinionKind.Positive, null); // 6
        Bank updated = await Store.UpdateBankAsync(bank.Id, new BankUpdate(Description: "x"));     // 7

        Assert.Equal(1, bank.ChangeSeq);
        Assert.Equal(6, opined.ChangeSeq);
        Assert.Equal(7, updated.ChangeSeq);
        Assert.Equal(7, await Store.GetChangePositionAsync());

        ChangeBatch all = await Store.ReadChangesAsync(0, 100);
        Assert.Equal(7, all.Position);
        Assert.Equal([(ids[2], 4L), (ids[0], 5L), (ids[1], 6L)], all.Signals.Select(s => (s.Id, s.ChangeSeq)));
        Assert.Equal(SignalStatus.Withdrawn, all.Signals[1].Status);
        Assert.Equal(new OpinionSummary(1, 0, 0), all.Signals[2].Opinions);
        Assert.Equal([(bank.Id, 7L)], all.Banks.Select(b => (b.Id, b.ChangeSeq)));
        Assert.Equal("x", all.Banks[0].Description);

        ChangeBatch tail = await Store.ReadChangesAsync(5, 100);
        Assert.Equal([ids[1]], tail.Signals.Select(s => s.Id));
        Assert.Equal([bank.Id], tail.Banks.Select(b => b.Id));

        ChangeBatch none = await Store.ReadChangesAsync(7, 100);
        Assert.Empty(none.Signals);
        Assert.Empty(none.Banks);
        Assert.Equal(7, none.Position);
        Assert.Equal(50, (await Store.ReadChangesAsync(50, 100)).Position);
    }

    [Fact]
    public async Task Paging_the_feed_with_small_limits_yields_every_change_once_in_order()
    {
        Member owner = await MemberAsync();
        var expected = new List<(char Kind, long Id, long Seq)>();
        for (int round = 0; round < 6; round++)
        {
            Bank bank = await BankAsync(owner);
            long[] ids = await AddAllAsync(bank, owner, [.. Enumerable.Range(round * 10, round + 1).Select(i => Sig(i))]);
            if (round % 2 == 1)
            {
                await Store.WithdrawSignalAsync(ids[0]);
            }

            if (round % 3 == 2)
            {
                await Store.UpdateBankAsync(bank.Id, new BankUpdate(Enabled: false));
            }
        }

        (List<Signal> signals, List<Bank> banks, long end) = await ReadAllChangesAsync();
        expected.AddRange(signals.Select(s => ('s', s.Id, s.ChangeSeq)));
        expected.AddRange(banks.Select(b => ('b', b.Id, b.ChangeSeq)));
        expected.Sort((x, y) => x.Seq.CompareTo(y.Seq));
        Assert.Equal(await Store.GetChangePositionAsync(), end);

        foreach (int limit in new[] { 1, 2, 3, 7 })
        {
            var seen = new List<(char Kind, long Id, long Seq)>();
            long position = 0;
            while (true)
            {
                ChangeBatch batch = await Store.ReadChangesAsync(position, limit);
                int count = batch.Signals.Count + batch.Banks.Count;
                Assert.InRange(count, 0, limit);
                if (count == 0)
                {
                    Assert.Equal(position, batch.Position);
                    break;
                }

                var page = batch.Signals.Select(s => ('s', s.Id, s.ChangeSeq)).Concat(batch.Banks.Select(b => ('b', b.Id, b.ChangeSeq))).OrderBy(c => c.Item3).ToList();
                Assert.All(page, c => Assert.True(c.Item3 > position));
                Assert.Equal(page[^1].Item3, batch.Position);
                seen.AddRange(page);
                position = batch.Position;
            }

            Assert.Equal(expected, seen);
        }
    }

    [Fact]
    public async Task Reading_the_feed_with_a_bad_position_or_limit_is_refused()
    {
        await Refused(StoreError.Invalid, () => Store.ReadChangesAsync(-1, 10));
        await Refused(StoreError.Invalid, () => Store.ReadChangesAsync(0, 0));
    }

    [Fact]
    public async Task A_poller_beside_concurrent_writers_sees_every_change_exactly_once_and_skips_none()
    {
        const int Writers = 6;
        const int Rounds = 30;
        Member owner = await MemberAsync();
        Member[] reviewers = [await MemberAsync(), await MemberAsync(), await MemberAsync()];
        Bank[] banks = [await BankAsync(owner), await BankAsync(owner), await BankAsync(owner)];

        var lastSignal = new Dictionary<long, Signal>();
        var lastBank = new Dictionary<long, Bank>();
        var seen = new HashSet<(char Kind, long Id, long Seq)>();
        int writersRunning = Writers;
        int polls = 0;

        Task<long> poller = Task.Run(async () =>
        {
            long position = 0;
            while (true)
            {
                // Read the flag before polling: a read that starts after the last writer finished sees everything.
                bool finished = Volatile.Read(ref writersRunning) == 0;
                ChangeBatch batch = await Store.ReadChangesAsync(position, 37);
                polls++;
                foreach (Signal s in batch.Signals)
                {
                    Assert.True(s.ChangeSeq > position && s.ChangeSeq <= batch.Position);
                    Assert.True(seen.Add(('s', s.Id, s.ChangeSeq)), $"signal {s.Id} at {s.ChangeSeq} seen twice");
                    lastSignal[s.Id] = s;
                }

                foreach (Bank b in batch.Banks)
                {
                    Assert.True(b.ChangeSeq > position && b.ChangeSeq <= batch.Position);
                    Assert.True(seen.Add(('b', b.Id, b.ChangeSeq)), $"bank {b.Id} at {b.ChangeSeq} seen twice");
                    lastBank[b.Id] = b;
                }

                Assert.True(batch.Position >= position);
                if (finished && batch.Position == position)
                {
                    return position;
                }

                position = batch.Position;
            }
        });

        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var mine = new List<long>();
            int next = 0;
            try
            {
                for (int round = 0; round < Rounds; round++)
                {
                    Bank bank = banks[random.Next(banks.Length)];
                    switch (random.Next(6))
                    {
                        case < 3:
                            NewSignal[] batch = [.. Enumerable.Range(0, random.Next(1, 120)).Select(_ => Sig((w * 1_000_000) + next++))];
                            mine.AddRange((await Store.AddSignalsAsync(bank.Id, owner.Id, batch)).Select(r => r.SignalId));
                            break;
                        case 3 when mine.Count > 0:
                            await Store.WithdrawSignalAsync(mine[random.Next(mine.Count)]);
                            break;
                        case 4 when mine.Count > 0:
                            await Store.RecordOpinionAsync(mine[random.Next(mine.Count)], reviewers[random.Next(reviewers.Length)].Id, (OpinionKind)random.Next(3), null);
                            break;
                        default:
                            await Store.UpdateBankAsync(bank.Id, new BankUpdate(Description: $"writer {w} round {round}"));
                            break;
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref writersRunning);
            }
        }))];

        await Task.WhenAll(writers);
        long reached = await poller;

        // The truth after the fact: every row at its final state. The poller must have seen each final state.
        (List<Signal> signals, List<Bank> finalBanks, long end) = await ReadAllChangesAsync();
        Assert.Equal(end, reached);
        Assert.Equal(end, await Store.GetChangePositionAsync());
        Assert.Equal(signals.Count, lastSignal.Count);
        foreach (Signal s in signals)
        {
            Assert.Equal(s, lastSignal[s.Id]);
        }

        Assert.Equal(finalBanks.Count, lastBank.Count);
        foreach (Bank b in finalBanks)
        {
            Assert.Equal(b.ChangeSeq, lastBank[b.Id].ChangeSeq);
            Assert.Equal(b.Description, lastBank[b.Id].Description);
        }

        Assert.True(polls > 1, "the poller should have polled while the writers ran");
    }

    [Fact]
    public async Task Status_and_counts_follow_the_opinion_rule_for_any_sequence_of_opinions_and_withdrawals()
    {
        Member owner = await MemberAsync();
        Member[] members = [await MemberAsync(), await MemberAsync(), await MemberAsync(), await MemberAsync()];
        Bank bank = await BankAsync(owner);
        int signalNumber = 0;

        // An op is (member index, kind), or (-1, _) for a withdrawal.
        Gen<(int Member, OpinionKind Kind)> op = Gen.Frequency(
            (12, from m in Gen.Choose(0, members.Length - 1)
                 from k in Gen.Elements(OpinionKind.Positive, OpinionKind.Negative, OpinionKind.InvestigationSeed)
                 select (m, k)),
            (1, Gen.Constant((-1, OpinionKind.Positive))));

        async Task<bool> Run((int Member, OpinionKind Kind)[] ops)
        {
            long id = (await AddAllAsync(bank, owner, Sig(Interlocked.Increment(ref signalNumber))))[0];
            var model = new Dictionary<int, OpinionKind>();
            bool withdrawn = false;
            long lastSeq = 0;
            foreach ((int member, OpinionKind kind) in ops)
            {
                Signal after;
                if (member < 0)
                {
                    Assert.Equal(!withdrawn, await Store.WithdrawSignalAsync(id));
                    withdrawn = true;
                    after = (await Store.GetSignalAsync(id))!;
                }
                else
                {
                    model[member] = kind;
                    after = await Store.RecordOpinionAsync(id, members[member].Id, kind, null);
                    Assert.True(after.ChangeSeq > lastSeq);
                }

                var expected = new OpinionSummary(
                    model.Values.Count(k => k == OpinionKind.Positive),
                    model.Values.Count(k => k == OpinionKind.Negative),
                    model.Values.Count(k => k == OpinionKind.InvestigationSeed));
                SignalStatus status = withdrawn ? SignalStatus.Withdrawn
                    : expected.Positive > 0 && expected.Negative > 0 ? SignalStatus.Disputed
                    : SignalStatus.Active;
                Signal stored = (await Store.GetSignalAsync(id))!;
                Assert.Equal(after, stored);
                Assert.Equal(expected, stored.Opinions);
                Assert.Equal(status, stored.Status);
                Assert.Equal(model.Count, (await Store.ListOpinionsAsync(id)).Count);
                lastSeq = stored.ChangeSeq;
            }

            return true;
        }

        // FsCheck drives the store synchronously; off the test's context so blocking cannot deadlock.
        await Task.Run(() => Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(40),
            Prop.ForAll(op.ArrayOf().ToArbitrary(), ops => Run(ops).GetAwaiter().GetResult())));
    }

    // --- matches -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Matches_are_recorded_in_a_batch_and_listed_per_member_with_a_cursor()
    {
        Member a = await MemberAsync();
        Member b = await MemberAsync();
        Bank bank = await BankAsync(a);
        long[] ids = await AddAllAsync(bank, a, Sig(1), Sig(2));
        DateTimeOffset at = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

        await Store.RecordMatchesAsync(
        [
            .. Enumerable.Range(0, 5).Select(i => new MatchRecord(0, a.Id, ids[i % 2], bank.Id, "pdq", i, at.AddSeconds(i))),
            new MatchRecord(0, b.Id, ids[0], bank.Id, "pdq", 9, default),
        ]);
        await Store.RecordMatchesAsync([]);

        var mine = new List<MatchRecord>();
        long after = 0;
        while (true)
        {
            Page<MatchRecord> page = await Store.ListMatchesAsync(a.Id, after, 2);
            mine.AddRange(page.Items);
            if (page.NextAfter is null)
            {
                break;
            }

            after = page.NextAfter.Value;
        }

        Assert.Equal(5, mine.Count);
        Assert.Equal(mine.OrderBy(m => m.Id).Select(m => m.Id), mine.Select(m => m.Id));
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(new MatchRecord(mine[i].Id, a.Id, ids[i % 2], bank.Id, "pdq", i, at.AddSeconds(i)), mine[i]);
        }

        MatchRecord theirs = Assert.Single((await Store.ListMatchesAsync(b.Id, 0, 10)).Items);
        Assert.Equal(9, theirs.Distance);
        Assert.InRange(theirs.At, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task A_match_batch_naming_an_unknown_signal_writes_nothing()
    {
        Member a = await MemberAsync();
        Bank bank = await BankAsync(a);
        long id = (await AddAllAsync(bank, a, Sig(1)))[0];

        await Refused(StoreError.NotFound, () => Store.RecordMatchesAsync(
            [new MatchRecord(0, a.Id, id, bank.Id, "pdq", 1, default), new MatchRecord(0, a.Id, id + 99, bank.Id, "pdq", 1, default)]));
        await Refused(StoreError.Invalid, () => Store.RecordMatchesAsync([new MatchRecord(0, a.Id, id, bank.Id, "pdq", -1, default)]));

        Assert.Empty((await Store.ListMatchesAsync(a.Id, 0, 10)).Items);
        await Refused(StoreError.Invalid, () => Store.ListMatchesAsync(a.Id, 0, 0));
    }
}
