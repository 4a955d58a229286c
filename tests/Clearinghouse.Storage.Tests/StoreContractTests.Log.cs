using System.Text;
using System.Text.Json;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Tiles;

namespace Clearinghouse.Storage.Tests;

// The transparency log: every change writes its entry in its own transaction, and the stored tree is the RFC 6962
// tree of those entries.
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Every_logged_change_appends_its_entry_in_order()
    {
        // The taxonomy applied in InitializeAsync is entry 0.
        Member owner = await MemberAsync("org-owner");
        Member other = await MemberAsync("org-other");
        SharingGroup group = await Store.CreateSharingGroupAsync("partners");
        Bank bank = await BankAsync(owner, "B1");
        long[] ids = await AddAllAsync(bank, owner, Sig(1), Sig(2));
        await Store.RecordOpinionAsync(ids[0], other.Id, OpinionKind.Negative, "not terrorist content");
        await Store.WithdrawSignalAsync(ids[0], new SignalWithdrawal(owner.Id, "added by mistake"));
        await Store.UpdateBankAsync(bank.Id, new BankUpdate(Scope: SharingScope.Group, SharingGroupId: group.Id));
        await Store.UpdateBankAsync(bank.Id, new BankUpdate(Enabled: false)); // not a logged change
        await Store.DeleteBankAsync(bank.Id);
        await Store.SetMemberActiveAsync(other.Id, false);

        List<JsonElement> entries = await ReadEntriesAsync();
        Assert.Equal(
            ["taxonomy-changed", "member-joined", "member-joined", "bank-created", "signal-added", "signal-added", "opinion-recorded",
             "signal-withdrawn", "bank-scope-changed", "signal-withdrawn", "member-left"],
            entries.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(Enumerable.Range(0, entries.Count).Select(i => (long)i), entries.Select(e => e.GetProperty("index").GetInt64()));
        Assert.Equal("org-owner", entries[1].GetProperty("member").GetString());
        Assert.Equal("all-members", entries[3].GetProperty("scope").GetString());
        Assert.Equal(NoDesignationCategory, entries[3].GetProperty("category").GetString());
        Signal second = (await Store.GetSignalAsync(ids[1]))!;
        Signal first = (await Store.GetSignalAsync(ids[0]))!;
        Assert.Equal(
            new[] { first.PublicId, second.PublicId }.Order(StringComparer.Ordinal),
            entries.Skip(4).Take(2).Select(e => e.GetProperty("publicId").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal("negative", entries[6].GetProperty("opinion").GetString());
        Assert.Equal("org-other", entries[6].GetProperty("member").GetString());
        Assert.Equal("added by mistake", entries[7].GetProperty("reason").GetString());
        Assert.Equal("group:partners", entries[8].GetProperty("scope").GetString());
        Assert.Equal(second.PublicId, entries[9].GetProperty("publicId").GetString());
        Assert.Equal("bank B1 deleted", entries[9].GetProperty("reason").GetString());
        Assert.Equal("org-other", entries[10].GetProperty("member").GetString());

        await AssertStoredTreeMatchesEntriesAsync();
    }

    [Fact]
    public async Task The_log_never_holds_a_raw_value_and_the_salt_opens_the_commitment()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        long[] ids = await AddAllAsync(bank, owner, Sig(7), Sig(8), Sig(9));
        IReadOnlyList<LogRecord> records = await Store.ReadLogEntriesAsync(0, (await Store.GetLogHeadAsync()).Size);
        foreach (long id in ids)
        {
            Signal signal = (await Store.GetSignalAsync(id))!;
            Assert.DoesNotContain(records, r => Encoding.UTF8.GetString(r.Body).Contains(signal.Value, StringComparison.Ordinal));
            SignalCommitment commitment = (await Store.GetSignalCommitmentAsync(signal.PublicId))!;
            Assert.Equal(id, commitment.SignalId);
            var entry = (SignalAdded)LogEntry.Parse(records[(int)commitment.LogIndex].Body);
            Assert.Equal(signal.PublicId, entry.PublicId);
            Assert.True(ValueCommitment.Matches(entry.Commitment, commitment.Salt, signal.Value));
            Assert.False(ValueCommitment.Matches(entry.Commitment, commitment.Salt, PdqValue(10)));
        }

        Assert.Null(await Store.GetSignalCommitmentAsync("sig_unknown"));
        SignalCommitment a = (await Store.GetSignalCommitmentAsync((await Store.GetSignalAsync(ids[0]))!.PublicId))!;
        SignalCommitment b = (await Store.GetSignalCommitmentAsync((await Store.GetSignalAsync(ids[1]))!.PublicId))!;
        Assert.NotEqual(a.Salt, b.Salt);
    }

    [Fact]
    public async Task A_failed_change_logs_nothing()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        Bank other = await BankAsync(owner);
        long[] ids = await AddAllAsync(bank, owner, Sig(1), Sig(2));
        LogHead before = await Store.GetLogHeadAsync();
        await Database.FailWritesOfSignalValueAsync(PdqValue(2));

        await Assert.ThrowsAnyAsync<Exception>(() => Store.WithdrawSignalAsync(ids[1]));
        await Assert.ThrowsAnyAsync<Exception>(() => Store.AddSignalsAsync(other.Id, owner.Id, [Sig(3), Sig(2)]));
        await Refused(StoreError.Invalid, () => Store.WithdrawSignalAsync(ids[0], new SignalWithdrawal(null, " ")));
        Assert.Equal(before, await Store.GetLogHeadAsync());

        Assert.True(await Store.WithdrawSignalAsync(ids[0]));
        Assert.Equal(before.Size + 1, (await Store.GetLogHeadAsync()).Size);
        await AssertStoredTreeMatchesEntriesAsync();
    }

    [Fact]
    public async Task Proofs_from_the_stored_tree_verify_against_its_roots()
    {
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        for (int batch = 0; batch < 6; batch++)
        {
            await AddAllAsync(bank, owner, [.. Enumerable.Range(batch * 1000, 37 + (batch * 40)).Select(n => Sig(n))]);
        }

        LogHead head = await Store.GetLogHeadAsync();
        List<MerkleHash> leaves = [.. (await Store.ReadLogEntriesAsync(0, head.Size)).Select(r => Rfc6962.HashLeaf(r.Body))];
        Assert.Equal(head.Size, leaves.Count);
        var reference = MerkleLog.Create(new InMemoryTileStore());
        reference.Append([.. leaves]);
        Assert.Equal(reference.Root, head.Root);

        foreach (long size in new long[] { 1, 2, 255, 256, 257, head.Size / 2, head.Size })
        {
            MerkleHash root = reference.RootAt(size);
            foreach (long index in new long[] { 0, size / 3, size - 1 })
            {
                IReadOnlyList<MerkleHash> proof = await Store.GetInclusionProofAsync(index, size);
                Assert.True(MerkleProof.VerifyInclusion(index, size, leaves[(int)index], [.. proof], root).IsValid, $"inclusion {index} in {size}");
            }

            IReadOnlyList<MerkleHash> consistency = await Store.GetConsistencyProofAsync(size, head.Size);
            Assert.True(MerkleProof.VerifyConsistency(size, head.Size, root, head.Root, [.. consistency]).IsValid, $"consistency {size} -> {head.Size}");
        }

        StoreException beyond = await Refused(StoreError.Invalid, () => Store.GetInclusionProofAsync(0, head.Size + 1));
        Assert.Contains($"log's size {head.Size}", beyond.Message, StringComparison.Ordinal);
        await Refused(StoreError.Invalid, () => Store.GetInclusionProofAsync(head.Size, head.Size));
        await Refused(StoreError.Invalid, () => Store.GetConsistencyProofAsync(5, head.Size + 1));
        await Refused(StoreError.Invalid, () => Store.GetConsistencyProofAsync(5, 4));
        await Refused(StoreError.Invalid, () => Store.ReadLogEntriesAsync(0, head.Size + 1));
        await Refused(StoreError.Invalid, () => Store.ReadLogEntriesAsync(-1, 2));
    }

    [Fact]
    public async Task Two_store_objects_on_one_database_append_to_one_log()
    {
        // Two processes (replicas) on one database: each keeps its own cached tree and must notice the other's appends.
        IClearinghouseStore replica = Open(Database);
        Member owner = await MemberAsync();
        Bank bank = await BankAsync(owner);
        Member viaReplica = await replica.CreateMemberAsync("via-replica");
        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (int i = 0; i < 15; i++)
                {
                    await Store.AddSignalsAsync(bank.Id, owner.Id, [Sig(i * 2)]);
                }
            }),
            Task.Run(async () =>
            {
                for (int i = 0; i < 15; i++)
                {
                    await replica.AddSignalsAsync(bank.Id, viaReplica.Id, [Sig((i * 2) + 1)]);
                }
            }));
        await MemberAsync();

        Assert.Equal(await Store.GetLogHeadAsync(), await replica.GetLogHeadAsync());
        Assert.Equal(35, (await Store.GetLogHeadAsync()).Size); // taxonomy, 3 members, bank, 30 signals
        await AssertStoredTreeMatchesEntriesAsync();
        IReadOnlyList<MerkleHash> proof = await replica.GetConsistencyProofAsync(3, 35);
        Assert.NotEmpty(proof);
    }

    /// <summary>Every stored entry is canonical and at its index, and the stored head is the RFC 6962 root of them all.</summary>
    private async Task AssertStoredTreeMatchesEntriesAsync()
    {
        LogHead head = await Store.GetLogHeadAsync();
        IReadOnlyList<LogRecord> records = await Store.ReadLogEntriesAsync(0, head.Size);
        Assert.Equal(head.Size, records.Count);
        var reference = MerkleLog.Create(new InMemoryTileStore());
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal(i, records[i].Index);
            Assert.Equal(i, LogEntry.Parse(records[i].Body).Index);
        }

        reference.Append([.. records.Select(r => Rfc6962.HashLeaf(r.Body))]);
        Assert.Equal(reference.Root, head.Root);
    }

    private async Task<List<JsonElement>> ReadEntriesAsync()
    {
        LogHead head = await Store.GetLogHeadAsync();
        return [.. (await Store.ReadLogEntriesAsync(0, head.Size)).Select(r => JsonDocument.Parse(r.Body).RootElement.Clone())];
    }
}
