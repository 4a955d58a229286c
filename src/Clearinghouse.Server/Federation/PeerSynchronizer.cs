using System.Globalization;
using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Notes;
using Clearinghouse.Storage;

namespace Clearinghouse.Server.Federation;

/// <summary>
/// One sync pass with a peer, verifying before applying, strictly in log order:
/// <list type="number">
/// <item>the peer's checkpoint verifies under the configured verifier key and names that key's log;</item>
/// <item>it is consistent with the last checkpoint verified (an RFC 9162 consistency proof): a fork or a rewritten
/// history stops the sync;</item>
/// <item>per batch of entries, the entries (fetched in bulk) are appended to the saved frontier of the peer's tree and
/// the resulting root is proven a prefix of the signed tree (consistency proof) or, for the last batch, equal to the
/// signed root — so every entry is included in the signed checkpoint without one proof per entry;</item>
/// <item>each feed event names a signal-added entry of the batch with the same public id and type, and its value and
/// salt open that entry's commitment;</item>
/// <item>the batch (imports with provenance, withdrawals read from the verified signal-withdrawn entries, the new
/// cursor, frontier and checkpoint) is applied in one transaction.</item>
/// </list>
/// </summary>
internal sealed class PeerSynchronizer(IFederationStore federation, IClearinghouseStore store, FederationOptions options, HttpClient http)
{
    /// <summary>Entries per /log/entries request (the node's page limit).</summary>
    private const int EntriesPerRequest = 1000;

    private static readonly byte[] WithdrawnMarker = "\"type\":\"signal-withdrawn\""u8.ToArray();

    public async Task SyncOnceAsync(Peer peer, PeerRuntime runtime, CancellationToken cancellationToken)
    {
        var client = new PeerClient(http, peer.Url, peer.ApiKey, options);
        VerifiedCheckpoint verified = OpenCheckpoint(peer, await client.CheckpointAsync(cancellationToken).ConfigureAwait(false));
        Checkpoint checkpoint = verified.Checkpoint;
        runtime.PeerSize = checkpoint.Size;
        PeerSyncState state = peer.State;
        if (state.CheckpointRoot is not null)
        {
            await RequireConsistentAsync(client, state.CheckpointSize, MerkleHash.FromBytes(state.CheckpointRoot), checkpoint, cancellationToken).ConfigureAwait(false);
        }

        bool newCheckpoint = state.CheckpointRoot is null || state.CheckpointSize != checkpoint.Size;
        if (state.Cursor == checkpoint.Size && !newCheckpoint)
        {
            return;
        }

        Bank bank = await store.GetBankAsync(peer.LocalBankId, cancellationToken).ConfigureAwait(false) is { Deleted: false } live
            ? live
            : throw new PeerVerificationException($"the local bank (id {peer.LocalBankId}) that peer '{peer.Name}' imports into no longer exists");
        var filter = new PeerFilter(peer.Banks, peer.Categories.Count > 0 ? peer.Categories : [bank.Category]);
        MerkleFrontier frontier = MerkleFrontier.FromBytes(state.Cursor, state.Frontier);
        long cursor = state.Cursor;
        do
        {
            long end = Math.Min(checkpoint.Size, cursor + options.BatchEntries);
            byte[][] bodies = await FetchEntriesAsync(client, cursor, end, cancellationToken).ConfigureAwait(false);
            foreach (byte[] body in bodies)
            {
                frontier.Append(Rfc6962.HashLeaf(body));
            }

            await RequirePrefixAsync(client, cursor, frontier, checkpoint, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<FeedEvent> events = await FetchFeedAsync(client, cursor, end, cancellationToken).ConfigureAwait(false);
            PeerBatch batch = BuildBatch(cursor, end, bodies, events, filter, frontier, verified);
            await federation.ApplyPeerBatchAsync(peer.Id, batch, cancellationToken).ConfigureAwait(false);
            cursor = end;
            runtime.Cursor = cursor;
        }
        while (cursor < checkpoint.Size);
    }

    private static VerifiedCheckpoint OpenCheckpoint(Peer peer, string note)
    {
        NoteVerifier verifier;
        try
        {
            verifier = NoteVerifier.Parse(peer.VerifierKey);
        }
        catch (FormatException e)
        {
            throw new PeerVerificationException($"the verifier key configured for peer '{peer.Name}' is malformed: {e.Message}", e);
        }

        try
        {
            return Checkpoint.Open(note, new NoteVerifierSet(verifier), verifier.Name);
        }
        catch (NoteException e)
        {
            throw new PeerVerificationException($"the peer's checkpoint does not verify under the configured verifier key {verifier.VerifierKey}: {e.Message}", e);
        }
        catch (CheckpointFormatException e)
        {
            throw new PeerVerificationException($"the peer's checkpoint is malformed or for another log: {e.Message}", e);
        }
    }

    /// <summary>The new checkpoint must extend the last one verified (RFC 9162 consistency).</summary>
    private static async Task RequireConsistentAsync(PeerClient client, long oldSize, MerkleHash oldRoot, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        if (checkpoint.Size < oldSize)
        {
            throw new PeerVerificationException(Invariant(
                $"the peer's log shrank from {oldSize} to {checkpoint.Size} entries: a rewritten history (fork); nothing further applied"));
        }

        if (checkpoint.Size == oldSize || oldSize == 0)
        {
            if (checkpoint.Size == oldSize && checkpoint.Root != oldRoot)
            {
                throw new PeerVerificationException(Invariant(
                    $"the peer signed two different roots for size {oldSize} ({oldRoot.ToBase64()} before, {checkpoint.Root.ToBase64()} now): a fork; nothing further applied"));
            }

            return;
        }

        PeerConsistencyProof proof = await client.ConsistencyAsync(oldSize, checkpoint.Size, cancellationToken).ConfigureAwait(false);
        ProofCheck check = MerkleProof.VerifyConsistency(oldSize, checkpoint.Size, oldRoot, checkpoint.Root, ParseHashes(proof.Proof, "consistency proof"));
        if (!check.IsValid)
        {
            throw new PeerVerificationException(Invariant(
                $"the peer's checkpoint at size {checkpoint.Size} is not consistent with the one verified before at size {oldSize} ({check.Message}): a fork or a rewritten history; nothing further applied"));
        }
    }

    /// <summary>The tree the batch ends at must be the signed tree (last batch) or a prefix of it.</summary>
    private static async Task RequirePrefixAsync(PeerClient client, long from, MerkleFrontier frontier, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        MerkleHash root = frontier.Root;
        if (frontier.Size == checkpoint.Size)
        {
            if (root != checkpoint.Root)
            {
                throw new PeerVerificationException(Invariant(
                    $"entries {from}..{frontier.Size - 1} served by the peer give root {root.ToBase64()}, but its signed checkpoint at size {checkpoint.Size} has root {checkpoint.Root.ToBase64()}: the entries are not its signed log (edited or forked); nothing applied"));
            }

            return;
        }

        PeerConsistencyProof proof = await client.ConsistencyAsync(frontier.Size, checkpoint.Size, cancellationToken).ConfigureAwait(false);
        ProofCheck check = MerkleProof.VerifyConsistency(frontier.Size, checkpoint.Size, root, checkpoint.Root, ParseHashes(proof.Proof, "consistency proof"));
        if (!check.IsValid)
        {
            throw new PeerVerificationException(Invariant(
                $"entries {from}..{frontier.Size - 1} served by the peer are not a prefix of its signed tree of size {checkpoint.Size} ({check.Message}): edited or forked; nothing applied"));
        }
    }

    private static PeerBatch BuildBatch(long from, long end, byte[][] bodies, IReadOnlyList<FeedEvent> events, PeerFilter filter, MerkleFrontier frontier, VerifiedCheckpoint verified)
    {
        // Parsing (canonical check included) is most of the work: do it on every core, then check in order.
        var parsed = new LogEntry[events.Count];
        try
        {
            Parallel.For(0, events.Count, k =>
            {
                long index = events[k].Index;
                parsed[k] = index >= from && index < end ? ParseEntry(bodies[index - from], index) : null!;
            });
        }
        catch (AggregateException e) when (e.InnerExceptions[0] is PeerVerificationException first)
        {
            throw first;
        }
        var adds = new List<ImportedSignal>(events.Count);
        int skipped = 0;
        int position = 0;
        long previous = from - 1;
        foreach (FeedEvent e in events)
        {
            if (e.Index <= previous || e.Index >= end)
            {
                throw new PeerVerificationException(Invariant($"the peer's feed is out of order or out of range: event at entry {e.Index} after {previous}, batch [{from}, {end})"));
            }

            previous = e.Index;
            SignalAdded entry = e.Kind == "added" && parsed[position++] is SignalAdded added
                ? added
                : throw new PeerVerificationException(Invariant($"the peer's feed event at entry {e.Index} ({e.Kind}) does not match a signal-added entry of its log"));
            if (entry.PublicId != e.PublicId || entry.SignalType != e.SignalType)
            {
                throw new PeerVerificationException(Invariant(
                    $"the peer's feed event at entry {e.Index} names {e.SignalType} signal {e.PublicId}, but the signed entry is {entry.SignalType} signal {entry.PublicId}"));
            }

            byte[] salt;
            try
            {
                salt = Convert.FromHexString(e.Salt);
            }
            catch (FormatException)
            {
                throw new PeerVerificationException(Invariant($"the peer's feed event at entry {e.Index} has a salt that is not hex"));
            }

            if (!ValueCommitment.Matches(entry.Commitment, salt, e.Value))
            {
                throw new PeerVerificationException(Invariant(
                    $"signal {e.PublicId} at entry {e.Index}: SHA-256(salt ‖ value) of the value the peer served does not match the commitment {entry.Commitment} in its signed log; nothing of this batch applied"));
            }

            if (!filter.Takes(entry))
            {
                skipped++;
                continue;
            }

            adds.Add(new ImportedSignal(
                e.Index, e.PublicId, e.SignalId, entry.SignalType, e.Value, entry.Category, entry.Designation,
                entry.OriginLog ?? verified.Checkpoint.Origin, entry.OriginPublicId ?? entry.PublicId, entry.OriginMember ?? entry.Member));
        }

        var withdrawals = new List<PeerWithdrawal>();
        for (int i = 0; i < bodies.Length; i++)
        {
            if (bodies[i].AsSpan().IndexOf(WithdrawnMarker) >= 0 && ParseEntry(bodies[i], from + i) is SignalWithdrawn withdrawn)
            {
                withdrawals.Add(new PeerWithdrawal(from + i, withdrawn.PublicId, withdrawn.Reason));
            }
        }

        return new PeerBatch(
            from, end, frontier.ToBytes(), verified.Checkpoint.Size, verified.Checkpoint.Root.ToArray(), verified.SignedNote, adds, withdrawals, skipped);
    }

    private static LogEntry ParseEntry(byte[] body, long index)
    {
        LogEntry entry;
        try
        {
            entry = LogEntry.Parse(body);
        }
        catch (LogEntryFormatException e)
        {
            throw new PeerVerificationException(Invariant($"entry {index} of the peer's signed log is malformed: {e.Message}"), e);
        }

        return entry.Index == index
            ? entry
            : throw new PeerVerificationException(Invariant($"entry {index} of the peer's signed log says it is entry {entry.Index}"));
    }

    private async Task<byte[][]> FetchEntriesAsync(PeerClient client, long from, long end, CancellationToken cancellationToken)
    {
        var bodies = new byte[end - from][];
        var starts = new List<long>();
        for (long start = from; start < end; start += EntriesPerRequest)
        {
            starts.Add(start);
        }

        await Parallel.ForEachAsync(
            starts,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.ParallelRequests), CancellationToken = cancellationToken },
            async (start, ct) =>
            {
                long stop = Math.Min(end, start + EntriesPerRequest);
                long next = start;
                while (next < stop)
                {
                    PeerEntriesPage page = await client.EntriesAsync(next, stop, ct).ConfigureAwait(false);
                    if (page.Entries.Count == 0 || page.Start != next)
                    {
                        throw new PeerUnavailableException(Invariant($"the peer returned no entries from {next} (asked [{next}, {stop}))"));
                    }

                    foreach (PeerEntryItem item in page.Entries)
                    {
                        if (item.Index != next || next >= stop)
                        {
                            throw new PeerVerificationException(Invariant($"the peer served entry {item.Index} where entry {next} belongs"));
                        }

                        bodies[next - from] = System.Text.Encoding.UTF8.GetBytes(item.Entry);
                        next++;
                    }
                }
            }).ConfigureAwait(false);
        return bodies;
    }

    private async Task<IReadOnlyList<FeedEvent>> FetchFeedAsync(PeerClient client, long from, long end, CancellationToken cancellationToken)
    {
        var events = new List<FeedEvent>();
        long next = from;
        while (next < end)
        {
            FeedPage page = await client.FeedAsync(next, end, options.FeedPageSize, cancellationToken).ConfigureAwait(false);
            if (page.From != next || page.Next <= next || page.Next > end)
            {
                throw new PeerUnavailableException(Invariant($"the peer's feed page from {next} is malformed (from {page.From}, next {page.Next}, end {end})"));
            }

            foreach (FeedEvent e in page.Events)
            {
                if (e.Index < next || e.Index >= page.Next)
                {
                    throw new PeerVerificationException(Invariant($"the peer's feed page [{next}, {page.Next}) holds an event at entry {e.Index}"));
                }
            }

            events.AddRange(page.Events);
            next = page.Next;
        }

        return events;
    }

    private static MerkleHash[] ParseHashes(IReadOnlyList<string> proof, string what)
    {
        var hashes = new MerkleHash[proof.Count];
        for (int i = 0; i < hashes.Length; i++)
        {
            if (!MerkleHash.TryParseBase64(proof[i], out hashes[i]))
            {
                throw new PeerUnavailableException($"the peer's {what} holds a hash that is not base64 of 32 bytes");
            }
        }

        return hashes;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Which of the peer's signals this node takes: banks (all when none are named) and categories.</summary>
    private sealed class PeerFilter(IReadOnlyList<string> banks, IReadOnlyList<string> categories)
    {
        private readonly HashSet<string>? _banks = banks.Count > 0 ? new HashSet<string>(banks, StringComparer.Ordinal) : null;
        private readonly HashSet<string> _categories = new(categories, StringComparer.Ordinal);

        public bool Takes(SignalAdded entry) => (_banks is null || _banks.Contains(entry.Bank)) && _categories.Contains(entry.Category);
    }
}
