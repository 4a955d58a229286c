using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Notes;
using Clearinghouse.Ledger.Tiles;

namespace Clearinghouse.Ledger.Auditing;

/// <summary>The outcome of a successful audit.</summary>
/// <param name="Checkpoint">The checkpoint now trusted (persist its <see cref="VerifiedCheckpoint.SignedNote"/>).</param>
/// <param name="PreviousSize">The size trusted before.</param>
/// <param name="EntriesChecked">Entries parsed and hashed, old and new.</param>
/// <param name="Stale">The checkpoint is older than the trusted one (consistent with it, so nothing changed).</param>
public sealed record LogAudit(VerifiedCheckpoint Checkpoint, long PreviousSize, long EntriesChecked, bool Stale);

/// <summary>
/// The auditor's core: checks a log's entries and signed checkpoint against the log's verifier key and against the
/// tree it verified before (kept as tiles in an <see cref="ITileStore"/>, with the checkpoint it trusted).
/// </summary>
/// <remarks>
/// <para>A successful <see cref="Verify"/> proves: the checkpoint is signed by the log's key for the expected
/// origin; every entry is a canonical log entry at its own index; the entries hash, as RFC 6962 leaves, exactly to the
/// signed root (so every entry is included); entries verified before are unchanged (leaf by leaf); and the new tree
/// extends the trusted one (the new root is computed by appending to the trusted tree, and an optional consistency
/// proof from the log is checked too). Then the new tiles are written and the checkpoint becomes the trusted one.</para>
/// <para>Failures are reported as <see cref="LogVerificationException"/> with a <see cref="LogFailure"/> and the
/// index of the offending entry where one is to blame. Nothing is written on failure.</para>
/// </remarks>
public sealed class LogVerifier
{
    private const int LeafBatch = TileLayout.Width;

    private readonly string _origin;
    private readonly NoteVerifierSet _logKey;
    private readonly ITileStore _tiles;
    private readonly MerkleLog _tree;

    /// <param name="origin">The log's origin (its checkpoint's first line).</param>
    /// <param name="logKey">The log's published verifier key.</param>
    /// <param name="verifiedTiles">The tiles of the tree verified so far (empty for a first audit).</param>
    /// <param name="trusted">The signed checkpoint trusted so far, or null for a first audit.</param>
    public LogVerifier(string origin, NoteVerifier logKey, ITileStore verifiedTiles, string? trusted = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        ArgumentNullException.ThrowIfNull(logKey);
        ArgumentNullException.ThrowIfNull(verifiedTiles);
        _origin = origin;
        _logKey = new NoteVerifierSet(logKey);
        _tiles = verifiedTiles;
        if (trusted is null)
        {
            _tree = MerkleLog.Create(verifiedTiles);
            return;
        }

        try
        {
            Trusted = OpenCheckpoint(trusted);
        }
        catch (LogVerificationException e)
        {
            throw new LogVerificationException(LogFailure.InconsistentState, $"the trusted checkpoint does not verify: {e.Message}", null, e);
        }

        try
        {
            _tree = MerkleLog.Open(verifiedTiles, Trusted.Checkpoint.Size, Trusted.Checkpoint.Root);
        }
        catch (Exception e) when (e is InvalidDataException or TileNotFoundException)
        {
            throw new LogVerificationException(LogFailure.InconsistentState, $"the saved tree does not match the trusted checkpoint: {e.Message}", null, e);
        }
    }

    /// <summary>The checkpoint trusted now (null before the first successful audit).</summary>
    public VerifiedCheckpoint? Trusted { get; private set; }

    /// <summary>
    /// Verifies <paramref name="signedCheckpoint"/> with the log entries <paramref name="entries"/>, the first of
    /// which is entry <paramref name="firstIndex"/> (at most the trusted size: 0 re-checks everything, the trusted size
    /// checks only new entries). The entries must run up to the checkpoint's size.
    /// </summary>
    /// <param name="consistencyProof">The log's consistency proof from the trusted size to the checkpoint's, if
    /// fetched: a failing one is reported as a fork before any entry is read.</param>
    /// <exception cref="LogVerificationException">What is wrong, precisely.</exception>
    public LogAudit Verify(string signedCheckpoint, IEnumerable<ReadOnlyMemory<byte>> entries, long firstIndex = 0, IReadOnlyList<MerkleHash>? consistencyProof = null)
    {
        ArgumentNullException.ThrowIfNull(signedCheckpoint);
        ArgumentNullException.ThrowIfNull(entries);
        VerifiedCheckpoint verified = OpenCheckpoint(signedCheckpoint);
        Checkpoint checkpoint = verified.Checkpoint;
        long trustedSize = _tree.Size;
        if (firstIndex < 0 || firstIndex > trustedSize)
        {
            throw new ArgumentOutOfRangeException(nameof(firstIndex), firstIndex,
                $"entries must start at or before the trusted size {trustedSize}, or entries {trustedSize}..{firstIndex - 1} would go unchecked");
        }

        CheckAgainstTrusted(checkpoint, consistencyProof);

        // Entries: before the trusted size compared leaf by leaf, from it on appended to a copy of the trusted tree.
        long end = checkpoint.Size;
        AppendBatch? growth = end > trustedSize ? _tree.BeginAppend() : null;
        var trustedLeaves = new MerkleHash[LeafBatch];
        long trustedLeavesStart = -1;
        long position = firstIndex;
        using IEnumerator<ReadOnlyMemory<byte>> cursor = entries.GetEnumerator();
        while (cursor.MoveNext())
        {
            if (position >= end)
            {
                throw new LogVerificationException(LogFailure.ExtraEntries,
                    $"the entries go past the checkpoint's size {end}: entry {position} is not covered by it", position);
            }

            LogEntry entry = ParseAt(cursor.Current.Span, position);
            if (entry.Index != position)
            {
                throw OutOfPlace(position, entry.Index, cursor);
            }

            MerkleHash leaf = Rfc6962.HashLeaf(cursor.Current.Span);
            if (position < trustedSize)
            {
                if (trustedLeavesStart < 0 || position >= trustedLeavesStart + LeafBatch)
                {
                    trustedLeavesStart = position;
                    int count = (int)Math.Min(LeafBatch, trustedSize - position);
                    _tree.ReadLeafHashes(position, trustedLeaves.AsSpan(0, count));
                }

                MerkleHash before = trustedLeaves[position - trustedLeavesStart];
                if (leaf != before)
                {
                    EnsureStoredLeafIsTrusted(position, before);
                    throw new LogVerificationException(LogFailure.EditedEntry,
                        $"entry {position} ({entry.Type}) differs from the entry verified before: its leaf hash is {leaf.ToBase64()}, it was {before.ToBase64()}",
                        position);
                }
            }
            else
            {
                growth!.Add(leaf);
            }

            position++;
        }

        if (position < end)
        {
            throw new LogVerificationException(LogFailure.MissingEntries,
                $"the checkpoint covers {end} entries but the entries end at {position}: entries {position}..{end - 1} are missing",
                position);
        }

        PendingAppend? pending = growth?.Prepare();
        MerkleHash root = pending?.NewRoot ?? _tree.RootAt(end);
        if (root != checkpoint.Root)
        {
            throw new LogVerificationException(LogFailure.RootMismatch, RootMismatchMessage(checkpoint, root, trustedSize, consistencyProof is not null));
        }

        if (pending is not null)
        {
            _tiles.WriteTiles(pending.Tiles);
            _tree.Commit(pending);
        }

        bool stale = end < trustedSize;
        if (!stale)
        {
            Trusted = verified;
        }

        return new LogAudit(verified, trustedSize, position - firstIndex, stale);
    }

    private VerifiedCheckpoint OpenCheckpoint(string signed)
    {
        VerifiedCheckpoint verified;
        try
        {
            verified = Checkpoint.Open(signed, _logKey);
        }
        catch (NoteException e) when (e.Error is NoteError.InvalidSignature or NoteError.NoTrustedSignature)
        {
            throw new LogVerificationException(LogFailure.BadSignature, $"bad checkpoint signature: {e.Message}", null, e);
        }
        catch (NoteException e)
        {
            throw new LogVerificationException(LogFailure.MalformedCheckpoint, $"malformed checkpoint note: {e.Message}", null, e);
        }
        catch (CheckpointFormatException e)
        {
            throw new LogVerificationException(LogFailure.MalformedCheckpoint, $"malformed checkpoint: {e.Message}", null, e);
        }

        if (verified.Checkpoint.Origin != _origin)
        {
            throw new LogVerificationException(LogFailure.WrongLog,
                $"the checkpoint is for log '{verified.Checkpoint.Origin}', not '{_origin}'");
        }

        return verified;
    }

    private void CheckAgainstTrusted(Checkpoint checkpoint, IReadOnlyList<MerkleHash>? consistencyProof)
    {
        if (Trusted is null)
        {
            return;
        }

        Checkpoint trusted = Trusted.Checkpoint;
        if (checkpoint.Size <= trusted.Size)
        {
            // Same size or older: the trusted tree knows the root it must have.
            MerkleHash expected = _tree.RootAt(checkpoint.Size);
            if (checkpoint.Root != expected)
            {
                EnsureStoredRootIsTrusted(checkpoint.Size, expected);
                throw new LogVerificationException(LogFailure.Fork,
                    $"fork: the log signed root {checkpoint.Root.ToBase64()} for size {checkpoint.Size}, but the tree verified up to size {trusted.Size} has root {expected.ToBase64()} there");
            }

            return;
        }

        if (consistencyProof is not null)
        {
            ProofCheck check = MerkleProof.VerifyConsistency(trusted.Size, checkpoint.Size, trusted.Root, checkpoint.Root, consistencyProof.ToArray());
            if (!check.IsValid)
            {
                throw new LogVerificationException(LogFailure.Fork,
                    $"fork: the log's consistency proof from the trusted size {trusted.Size} to {checkpoint.Size} does not verify ({check.Message})");
            }
        }
    }

    /// <summary>Before blaming the log for a changed entry, proves the saved leaf against the trusted root, so a
    /// damaged local copy is reported as such and not as the log's fault.</summary>
    private void EnsureStoredLeafIsTrusted(long index, MerkleHash stored)
    {
        MerkleHash[] proof = _tree.InclusionProof(index, _tree.Size);
        if (!MerkleProof.VerifyInclusion(index, _tree.Size, stored, proof, _tree.Root).IsValid)
        {
            throw new LogVerificationException(LogFailure.InconsistentState,
                $"the saved tree is damaged: its leaf {index} is not part of the trusted root; re-audit from an empty state", index);
        }
    }

    /// <summary>Before reporting a fork at an older size, proves the saved root there against the trusted root.</summary>
    private void EnsureStoredRootIsTrusted(long size, MerkleHash stored)
    {
        MerkleHash[] proof = _tree.ConsistencyProof(size, _tree.Size);
        if (!MerkleProof.VerifyConsistency(size, _tree.Size, stored, _tree.Root, proof).IsValid)
        {
            throw new LogVerificationException(LogFailure.InconsistentState,
                $"the saved tree is damaged: its root at size {size} is not consistent with the trusted root; re-audit from an empty state");
        }
    }

    private static LogEntry ParseAt(ReadOnlySpan<byte> bytes, long position)
    {
        try
        {
            return LogEntry.Parse(bytes);
        }
        catch (LogEntryFormatException e)
        {
            throw new LogVerificationException(LogFailure.MalformedEntry, $"entry {position} is malformed: {e.Message}", position, e);
        }
    }

    /// <summary>Entry <paramref name="claimed"/> stands at <paramref name="position"/>: reads on to tell a dropped
    /// entry from a moved or repeated one.</summary>
    private static LogVerificationException OutOfPlace(long position, long claimed, IEnumerator<ReadOnlyMemory<byte>> rest)
    {
        long later = position;
        long? foundAt = null;
        while (rest.MoveNext())
        {
            later++;
            try
            {
                if (LogEntry.Parse(rest.Current.Span).Index == position)
                {
                    foundAt = later;
                    break;
                }
            }
            catch (LogEntryFormatException)
            {
                // Only the indices matter here; the entry at fault is already known.
            }
        }

        if (foundAt is { } moved)
        {
            return new LogVerificationException(LogFailure.ReorderedEntry,
                $"entries are out of order: position {position} holds entry {claimed}, and entry {position} stands at position {moved}", position);
        }

        return claimed > position
            ? new LogVerificationException(LogFailure.DroppedEntry,
                $"entry {position} is missing: position {position} holds entry {claimed}", position)
            : new LogVerificationException(LogFailure.DuplicatedEntry,
                $"entry {claimed} appears again at position {position}, and entry {position} is nowhere", position);
    }

    private static string RootMismatchMessage(Checkpoint checkpoint, MerkleHash root, long trustedSize, bool provedGrowth)
    {
        string head = $"the {checkpoint.Size} entries hash to root {root.ToBase64()}, but the checkpoint signs {checkpoint.Root.ToBase64()}";
        if (trustedSize == 0)
        {
            return $"{head}: an entry was edited, or entries were reordered with their indices rewritten";
        }

        return provedGrowth
            ? $"{head}: the log proved its growth from size {trustedSize}, so an entry at or after index {trustedSize} was edited (or entries reordered with their indices rewritten)"
            : $"{head}: entries before {trustedSize} match the verified tree, so either an entry at or after index {trustedSize} was edited or the log rewrote its history (fork); fetch a consistency proof to tell which";
    }
}
