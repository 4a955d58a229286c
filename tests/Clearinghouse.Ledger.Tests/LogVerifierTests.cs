using System.Text;
using Clearinghouse.Ledger.Auditing;
using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Tiles;

namespace Clearinghouse.Ledger.Tests;

/// <summary>
/// The auditor against a log built here and then tampered with: each kind of tampering is detected with its own
/// failure and the index to blame, and an honest log passes, incrementally and in full.
/// </summary>
public sealed class LogVerifierTests : IDisposable
{
    private const string Origin = "clearinghouse.example/log";
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly NodeSigningKey _key = NodeSigningKey.Generate(Origin);
    private readonly string _directory = Directory.CreateTempSubdirectory("ledger-audit-").FullName;

    public void Dispose()
    {
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Entries 0..count-1 of a plausible log: members, banks, signals, opinions, disputes.</summary>
    internal static List<byte[]> Entries(int count, int variant = 0)
    {
        var entries = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            DateTimeOffset time = Start.AddMinutes(i);
            LogEntry entry = (i % 5) switch
            {
                0 => new SignalAdded(i, time, $"sig-{i}", "pdq", "attack-footage", null, "bank-a", "Org A", ValueCommitment.Compute(new byte[32], $"value-{i}-{variant}")),
                1 => new OpinionRecorded(i, time, $"sig-{i - 1}", "Org B", "positive"),
                2 => new DisputeFiled(i, time, $"d-{i}", $"sig-{i - 2}", null),
                3 => new DisputeResolved(i, time, $"d-{i - 1}", $"sig-{i - 3}", "rejected", "designated entity's own publication"),
                _ => new MemberJoined(i, time, $"Org {i}"),
            };
            entries.Add(entry.ToCanonicalJson());
        }

        return entries;
    }

    /// <summary>The log's signed checkpoint over the first <paramref name="size"/> of <paramref name="entries"/>.</summary>
    private string SignedCheckpoint(IReadOnlyList<byte[]> entries, int size, NodeSigningKey? key = null)
    {
        var tree = MerkleLog.Create(new InMemoryTileStore());
        tree.Append(entries.Take(size).Select(e => Rfc6962.HashLeaf(e)).ToArray());
        return new Checkpoint(Origin, size, tree.Root).Sign(key ?? _key);
    }

    private static MerkleHash[] ConsistencyProof(IReadOnlyList<byte[]> entries, int from, int to)
    {
        var tree = MerkleLog.Create(new InMemoryTileStore());
        tree.Append(entries.Take(to).Select(e => Rfc6962.HashLeaf(e)).ToArray());
        return tree.ConsistencyProof(from, to);
    }

    private LogVerifier NewVerifier(ITileStore? tiles = null, string? trusted = null) =>
        new(Origin, _key.Verifier, tiles ?? new InMemoryTileStore(), trusted);

    private static IEnumerable<ReadOnlyMemory<byte>> From(IEnumerable<byte[]> entries) => entries.Select(e => (ReadOnlyMemory<byte>)e);

    private static byte[] Edit(byte[] entry, string from, string to) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(entry).Replace(from, to, StringComparison.Ordinal));

    [Fact]
    public void An_honest_log_verifies_fully_then_incrementally_then_fully_again()
    {
        var entries = Entries(700);
        var verifier = NewVerifier();

        LogAudit first = verifier.Verify(SignedCheckpoint(entries, 300), From(entries.Take(300)));
        Assert.Equal(300, first.Checkpoint.Checkpoint.Size);
        Assert.Equal(0, first.PreviousSize);
        Assert.Equal(300, first.EntriesChecked);

        LogAudit next = verifier.Verify(SignedCheckpoint(entries, 700), From(entries.Skip(300)), firstIndex: 300, ConsistencyProof(entries, 300, 700));
        Assert.Equal(300, next.PreviousSize);
        Assert.Equal(400, next.EntriesChecked);
        Assert.Equal(700, verifier.Trusted!.Checkpoint.Size);

        LogAudit again = verifier.Verify(SignedCheckpoint(entries, 700), From(entries));
        Assert.Equal(700, again.EntriesChecked);
        Assert.False(again.Stale);
    }

    [Fact]
    public void An_edited_entry_is_found_by_index_once_the_log_was_verified_before()
    {
        // The database row is edited; the log's tree and its signed checkpoint are not.
        var entries = Entries(300);
        string checkpoint = SignedCheckpoint(entries, 300);
        var verifier = NewVerifier();
        verifier.Verify(checkpoint, From(entries));

        entries[11] = Edit(entries[11], "\"opinion\":\"positive\"", "\"opinion\":\"negative\"");
        var e = Assert.Throws<LogVerificationException>(() => verifier.Verify(checkpoint, From(entries)));
        Assert.Equal(LogFailure.EditedEntry, e.Failure);
        Assert.Equal(11, e.Index);
        Assert.Contains("entry 11 (opinion-recorded) differs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_entry_breaks_the_signed_root_on_a_first_audit()
    {
        var entries = Entries(300);
        string checkpoint = SignedCheckpoint(entries, 300);
        entries[120] = Edit(entries[120], "attack-footage", "designated-entity");
        var e = Assert.Throws<LogVerificationException>(() => NewVerifier().Verify(checkpoint, From(entries)));
        Assert.Equal(LogFailure.RootMismatch, e.Failure);
        Assert.Contains("an entry was edited", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dropped_entry_is_found_by_index()
    {
        var entries = Entries(300);
        string checkpoint = SignedCheckpoint(entries, 300);
        entries.RemoveAt(41);
        var e = Assert.Throws<LogVerificationException>(() => NewVerifier().Verify(checkpoint, From(entries)));
        Assert.Equal(LogFailure.DroppedEntry, e.Failure);
        Assert.Equal(41, e.Index);
        Assert.Contains("entry 41 is missing: position 41 holds entry 42", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reordered_entry_is_found_by_index()
    {
        var entries = Entries(300);
        string checkpoint = SignedCheckpoint(entries, 300);
        (entries[50], entries[53]) = (entries[53], entries[50]);
        var e = Assert.Throws<LogVerificationException>(() => NewVerifier().Verify(checkpoint, From(entries)));
        Assert.Equal(LogFailure.ReorderedEntry, e.Failure);
        Assert.Equal(50, e.Index);
        Assert.Contains("position 50 holds entry 53, and entry 50 stands at position 53", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_entry_is_found_by_index()
    {
        var entries = Entries(300);
        string checkpoint = SignedCheckpoint(entries, 300);
        entries[61] = entries[60];
        var e = Assert.Throws<LogVerificationException>(() => NewVerifier().Verify(checkpoint, From(entries)));
        Assert.Equal(LogFailure.DuplicatedEntry, e.Failure);
        Assert.Equal(61, e.Index);
    }

    [Fact]
    public void Reordering_with_rewritten_indices_is_an_edit()
    {
        var entries = Entries(300);
        string checkpoint = SignedCheckpoint(entries, 300);
        var verifier = NewVerifier();
        verifier.Verify(checkpoint, From(entries));
        (entries[70], entries[71]) = (Edit(entries[71], "\"index\":71", "\"index\":70"), Edit(entries[70], "\"index\":70", "\"index\":71"));
        var e = Assert.Throws<LogVerificationException>(() => verifier.Verify(checkpoint, From(entries)));
        Assert.Equal(LogFailure.EditedEntry, e.Failure);
        Assert.Equal(70, e.Index);
    }

    [Fact]
    public void Two_roots_for_the_same_size_are_a_fork()
    {
        var entries = Entries(300);
        var verifier = NewVerifier();
        verifier.Verify(SignedCheckpoint(entries, 300), From(entries));

        var rewritten = Entries(300, variant: 1);
        var e = Assert.Throws<LogVerificationException>(() => verifier.Verify(SignedCheckpoint(rewritten, 300), From(rewritten)));
        Assert.Equal(LogFailure.Fork, e.Failure);
        Assert.Contains("for size 300", e.Message, StringComparison.Ordinal);

        // A smaller, rewritten checkpoint is a fork too; a smaller honest one is merely stale.
        Assert.Equal(LogFailure.Fork, Assert.Throws<LogVerificationException>(() => verifier.Verify(SignedCheckpoint(rewritten, 200), From(rewritten.Take(200)))).Failure);
        LogAudit stale = verifier.Verify(SignedCheckpoint(entries, 200), From(entries.Take(200)));
        Assert.True(stale.Stale);
        Assert.Equal(300, verifier.Trusted!.Checkpoint.Size);
    }

    [Fact]
    public void Growth_that_rewrites_history_is_a_fork_detected_by_the_proof_or_by_the_old_entries()
    {
        var entries = Entries(300);
        var verifier = NewVerifier();
        verifier.Verify(SignedCheckpoint(entries, 300), From(entries));

        // The log rewrites entry 5 and grows to 400, with a consistency proof from its own (forked) tree.
        var forked = Entries(400);
        forked[5] = Edit(forked[5], "sig-5", "sig-5x");
        string checkpoint = SignedCheckpoint(forked, 400);

        var byProof = Assert.Throws<LogVerificationException>(() => verifier.Verify(checkpoint, From(forked.Skip(300)), 300, ConsistencyProof(forked, 300, 400)));
        Assert.Equal(LogFailure.Fork, byProof.Failure);

        var byRoot = Assert.Throws<LogVerificationException>(() => verifier.Verify(checkpoint, From(forked.Skip(300)), 300));
        Assert.Equal(LogFailure.RootMismatch, byRoot.Failure);
        Assert.Contains("rewrote its history (fork)", byRoot.Message, StringComparison.Ordinal);

        var byEntries = Assert.Throws<LogVerificationException>(() => verifier.Verify(checkpoint, From(forked)));
        Assert.Equal(LogFailure.EditedEntry, byEntries.Failure);
        Assert.Equal(5, byEntries.Index);

        // Nothing was written: the honest continuation still verifies.
        var honest = Entries(400);
        verifier.Verify(SignedCheckpoint(honest, 400), From(honest.Skip(300)), 300, ConsistencyProof(honest, 300, 400));
    }

    [Fact]
    public void Bad_signatures_are_rejected()
    {
        var entries = Entries(50);
        using var stranger = NodeSigningKey.Generate(Origin);
        var e = Assert.Throws<LogVerificationException>(() => NewVerifier().Verify(SignedCheckpoint(entries, 50, stranger), From(entries)));
        Assert.Equal(LogFailure.BadSignature, e.Failure);

        // The signed text altered: the size changed under the original signature.
        string signed = SignedCheckpoint(entries, 50).Replace("\n50\n", "\n49\n", StringComparison.Ordinal);
        var altered = Assert.Throws<LogVerificationException>(() => NewVerifier().Verify(signed, From(entries.Take(49))));
        Assert.Equal(LogFailure.BadSignature, altered.Failure);
        Assert.Contains("invalid signature", altered.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_logs_checkpoint_is_refused()
    {
        using var other = NodeSigningKey.Generate("other.example/log");
        var verifier = new LogVerifier(Origin, other.Verifier, new InMemoryTileStore());
        var entries = Entries(5);
        var tree = MerkleLog.Create(new InMemoryTileStore());
        tree.Append(entries.Select(e => Rfc6962.HashLeaf(e)).ToArray());
        string signed = new Checkpoint("other.example/log", 5, tree.Root).Sign(other);
        var e = Assert.Throws<LogVerificationException>(() => verifier.Verify(signed, From(entries)));
        Assert.Equal(LogFailure.WrongLog, e.Failure);
    }

    [Fact]
    public void Missing_extra_and_malformed_entries_are_reported()
    {
        var entries = Entries(100);
        string checkpoint = SignedCheckpoint(entries, 100);
        var missing = Assert.Throws<LogVerificationException>(() => NewVerifier().Verify(checkpoint, From(entries.Take(97))));
        Assert.Equal(LogFailure.MissingEntries, missing.Failure);
        Assert.Contains("entries 97..99 are missing", missing.Message, StringComparison.Ordinal);

        var extra = Assert.Throws<LogVerificationException>(() => NewVerifier().Verify(SignedCheckpoint(entries, 90), From(entries)));
        Assert.Equal(LogFailure.ExtraEntries, extra.Failure);
        Assert.Equal(90, extra.Index);

        var broken = entries.ToList();
        broken[7] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(broken[7]) + " ");
        var malformed = Assert.Throws<LogVerificationException>(() => NewVerifier().Verify(checkpoint, From(broken)));
        Assert.Equal(LogFailure.MalformedEntry, malformed.Failure);
        Assert.Equal(7, malformed.Index);
    }

    [Fact]
    public void The_auditor_state_survives_a_restart_and_detects_a_corrupted_copy()
    {
        var entries = Entries(600);
        string stateDirectory = Path.Combine(_directory, "state");
        using (var state = AuditorState.Open(stateDirectory, Origin, _key.Verifier))
        {
            state.Verify(SignedCheckpoint(entries, 400), From(entries.Take(400)));
        }

        using (var state = AuditorState.Open(stateDirectory, Origin, _key.Verifier))
        {
            Assert.Equal(400, state.Verifier.Trusted!.Checkpoint.Size);
            string checkpoint = SignedCheckpoint(entries, 600);
            state.Verify(checkpoint, From(entries.Skip(400)), 400);

            entries[3] = Edit(entries[3], "designated entity", "Designated entity");
            Assert.Equal(LogFailure.EditedEntry, Assert.Throws<LogVerificationException>(() => state.Verify(checkpoint, From(entries))).Failure);
        }

        // A flipped bit in a saved leaf hash (leaf 599: bottom position 87 of level-0 tile 2): the next audit reports
        // the damaged copy, not an edit by the log.
        string leaves = Path.Combine(stateDirectory, "tiles", "level-0.tiles");
        byte[] original = File.ReadAllBytes(leaves);
        byte[] bytes = (byte[])original.Clone();
        bytes[(2 * FileTileStore.SlotBytes) + 4 + (87 * 32)] ^= 1;
        File.WriteAllBytes(leaves, bytes);
        var honest = Entries(600);
        using (var state = AuditorState.Open(stateDirectory, Origin, _key.Verifier))
        {
            var damaged = Assert.Throws<LogVerificationException>(() => state.Verify(SignedCheckpoint(honest, 600), From(honest)));
            Assert.Equal(LogFailure.InconsistentState, damaged.Failure);
            Assert.Equal(599, damaged.Index);
        }

        // A flipped bit in a node the trusted root is made of (row 3, position 10 of the same tile, 88 wide: leaves
        // 592..599) is found on opening.
        bytes = (byte[])original.Clone();
        bytes[(2 * FileTileStore.SlotBytes) + 4 + ((TileLayout.RowOffset(88, 3) + 10) * 32)] ^= 1;
        File.WriteAllBytes(leaves, bytes);
        var e = Assert.Throws<LogVerificationException>(() => AuditorState.Open(stateDirectory, Origin, _key.Verifier));
        Assert.Equal(LogFailure.InconsistentState, e.Failure);
    }
}
