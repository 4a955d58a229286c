using System.Runtime.CompilerServices;
using Clearinghouse.Hashing;

namespace Clearinghouse.Matching.Pdq;

/// <summary>
/// Exact PDQ radius search: every stored hash within Hamming distance r of a query (any r; 31 is PDQ's default),
/// with incremental add and remove, lock-free concurrent readers, and about 94 bytes per hash at 10 M.
/// </summary>
/// <remarks>
/// <para>Layout. Entries live in append-only slots (hash, id, tombstone bit; see <see cref="Store"/>). The sealed
/// prefix of the slots is covered by immutable multi-index-hashing segments (<see cref="MihSegment"/>): a match
/// within r agrees with the query within t_i bits on at least one of its substrings (16 of 16 bits, or 12 of
/// 21–22 bits in segments of millions; <see cref="SubstringLayout.Thresholds"/>), so probing each substring's buckets near the query's key and verifying
/// the candidates with a full 256-bit popcount finds every match. The last up to <see cref="PdqIndexOptions.TailCapacity"/>
/// additions are scanned. When the tail fills it becomes a segment; adjacent segments of similar size are merged
/// (log-structured), so a query sees O(log n) segments and an add costs O(log n) amortised rebuild work.</para>
/// <para>Removal tombstones the slot; when more than half the slots are dead the index compacts itself.</para>
/// <para>Per segment and query, the cost model (<see cref="UseMih"/>) counts the exact number of candidates from
/// the bucket offsets and falls back to a linear scan when verifying them would cost more: at large radii (t_i ≥ 3
/// at 10 M, r ≳ 63) and on small segments.</para>
/// </remarks>
public sealed partial class PdqIndex : ISignalIndex<Hash256>
{
    /// <summary>PDQ's conventional match threshold.</summary>
    public const int DefaultRadius = 31;

    // Relative costs for the scan-or-probe decision, in units of "scan one hash" (≈ 3.3–4.2 ns from memory at 1 M).
    // 16 × 16, measured at 1 M uniform hashes: a verified candidate is a random 32-byte read, ≈ 50–60 ns even
    // prefetched (VM, TLB misses), so 14; a probe reads two offsets (mostly cached: 256 KiB per substring) and
    // starts a posting run, 4. With these, r = 47 stays MIH (measured 568 q/s vs 304 for the batched scan) and
    // r = 55 scans (302 q/s vs 187 for MIH).
    private const double ProbeCost = 4;
    private const double VerifyCost = 14;

    // Wide layout, fitted at 10 M uniform (scan ≈ 2.7 ns per hash there): its offsets (8 MiB per substring) miss
    // like the postings, so a probe is two dependent misses plus its share of the phases, ≈ 200 ns = 76 units;
    // a candidate ≈ 20 units. Then r = 51 stays MIH (measured 37 q/s vs 32 scanning) and r = 55 scans (38 vs 32).
    private const double WideProbeCost = 76;
    private const double WideVerifyCost = 20;

    private const int ScanBlock = 512;

    private readonly Lock _writeLock = new();
    private readonly PdqIndexOptions _options;
    private Store _store;
    private int _live;
    private int _bulkLoads; // open BeginBulkLoad scopes; written under _writeLock
    private Task? _sealing; // the background seal in flight, if any; under _writeLock
    private bool _sealFailed; // a background seal failed: seal on the writer from now on; under _writeLock

    public PdqIndex()
        : this(PdqIndexOptions.Default)
    {
    }

    public PdqIndex(PdqIndexOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        EnsurePlatform();
        _options = options;
        _store = new Store(options.ChunkBits);
    }

    /// <summary>Number of live entries.</summary>
    public int Count => Volatile.Read(ref _live);

    /// <summary>The options this index was created with.</summary>
    public PdqIndexOptions Options => _options;

    /// <summary>Bytes held by the index's arrays (hashes, ids, tombstones, id map, segments).</summary>
    public long MemoryBytes => Volatile.Read(ref _store).MemoryBytes();

    /// <summary>Number of MIH segments (for tests and diagnostics).</summary>
    /// <summary>Entries not yet in a segment (scanned by every query).</summary>
    internal int TailLength
    {
        get
        {
            var store = Volatile.Read(ref _store);
            var segments = Volatile.Read(ref store.Segments);
            return Volatile.Read(ref store.Count) - segments.End;
        }
    }

    internal int SegmentCount => Volatile.Read(ref Volatile.Read(ref _store).Segments).Segments.Length;

    /// <summary>Builds an index over <paramref name="hashes"/> with ids 0, 1, 2, … (their positions).</summary>
    public static PdqIndex Build(ReadOnlySpan<Hash256> hashes, PdqIndexOptions? options = null) => Build(hashes, [], options, sequentialIds: true);

    /// <summary>Builds an index over <paramref name="hashes"/> with the given <paramref name="ids"/> (distinct).</summary>
    public static PdqIndex Build(ReadOnlySpan<Hash256> hashes, ReadOnlySpan<long> ids, PdqIndexOptions? options = null)
    {
        if (ids.Length != hashes.Length)
        {
            throw new ArgumentException($"{hashes.Length} hashes but {ids.Length} ids.", nameof(ids));
        }

        return Build(hashes, ids, options, sequentialIds: false);
    }

    private static PdqIndex Build(ReadOnlySpan<Hash256> hashes, ReadOnlySpan<long> ids, PdqIndexOptions? options, bool sequentialIds)
    {
        var index = new PdqIndex(options ?? PdqIndexOptions.Default);
        var store = new Store(index._options.ChunkBits);
        int n = hashes.Length;
        store.AllocateChunks(n);
        for (int slot = 0; slot < n;)
        {
            int chunk = slot >> store.ChunkBits;
            int len = Math.Min(store.ChunkSize, n - slot);
            hashes.Slice(slot, len).CopyTo(store.Hashes[chunk]);
            if (sequentialIds)
            {
                var dst = store.Ids[chunk];
                for (int i = 0; i < len; i++)
                {
                    dst[i] = slot + i;
                }
            }
            else
            {
                ids.Slice(slot, len).CopyTo(store.Ids[chunk]);
            }

            slot += len;
        }

        index.Finish(store, n, duplicate => new ArgumentException($"Duplicate id {duplicate}.", nameof(ids)));
        return index;
    }

    /// <summary>Completes a freshly filled store (no readers yet): id map, segments, publication.</summary>
    private void Finish(Store store, int count, Func<long, Exception> duplicateId)
    {
        store.Count = count;
        var map = new IdMap(store, count);
        for (int slot = 0; slot < count; slot++)
        {
            if (!map.TryInsert(store.IdAt(slot), slot))
            {
                throw duplicateId(store.IdAt(slot));
            }
        }

        store.Map = map;
        store.Segments = BuildSegments(store.View(), 0, count, _options);
        Volatile.Write(ref _live, count);
        Volatile.Write(ref _store, store);
    }

    private static SegmentSet BuildSegments(StoreView view, int start, int end, PdqIndexOptions options)
    {
        int maxLength = options.MaxSegmentLength;
        if (end <= start)
        {
            return new SegmentSet([], end);
        }

        var segments = new List<MihSegment>();
        for (int s = start; s < end; s += maxLength)
        {
            segments.Add(MihSegment.Build(view, s, Math.Min(maxLength, end - s), options));
        }

        return new SegmentSet([.. segments], end);
    }

    // ---- Writers ---------------------------------------------------------------------------------------------

    /// <inheritdoc />
    void ISignalIndex<Hash256>.Add(long id, Hash256 value) => Add(id, value);

    /// <summary>Stores <paramref name="hash"/> under <paramref name="id"/>, replacing any entry with that id.</summary>
    public void Add(long id, in Hash256 hash)
    {
        lock (_writeLock)
        {
            var store = _store;
            if (store.Map.Remove(id, out int old))
            {
                // Tombstone first: a concurrent reader may briefly see neither version, never both.
                store.MarkDead(old);
                Volatile.Write(ref _live, _live - 1);
            }

            int slot = store.Count;
            if (slot == Array.MaxLength)
            {
                throw new InvalidOperationException("The index is full.");
            }

            store.EnsureChunk(slot);
            store.Hashes[slot >> store.ChunkBits][slot & store.ChunkMask] = hash;
            store.Ids[slot >> store.ChunkBits][slot & store.ChunkMask] = id;
            store.Map.Insert(id, slot);
            Volatile.Write(ref store.Count, slot + 1);
            Volatile.Write(ref _live, _live + 1);

            // While bulk-loading, the tail grows up to the largest segment and is indexed once at the end (queries
            // meanwhile scan it): a load then builds one segment instead of re-indexing every hash O(log n) times.
            int tailLimit = _bulkLoads > 0 ? _options.MaxSegmentLength : _options.TailCapacity;
            if (slot + 1 - store.Segments.End >= tailLimit)
            {
                RequestSeal(store);
            }

            CompactIfSparse(store);
        }
    }

    /// <inheritdoc />
    public IDisposable BeginBulkLoad()
    {
        lock (_writeLock)
        {
            _bulkLoads++;
        }

        return new BulkLoadScope(EndBulkLoad);
    }

    private void EndBulkLoad()
    {
        lock (_writeLock)
        {
            if (--_bulkLoads > 0)
            {
                return;
            }
        }

        // Index everything before returning (the caller is about to declare itself ready): let a running seal
        // finish, then seal the rest here, in segments of at most the largest length.
        WaitForSeals();
        lock (_writeLock)
        {
            while (_bulkLoads == 0 && _store.Count > _store.Segments.End)
            {
                SealTail(_store);
            }
        }
    }

    /// <summary>Removes the entry with this id; false when there is none.</summary>
    public bool Remove(long id)
    {
        lock (_writeLock)
        {
            var store = _store;
            if (!store.Map.Remove(id, out int slot))
            {
                return false;
            }

            store.MarkDead(slot);
            Volatile.Write(ref _live, _live - 1);
            CompactIfSparse(store);
            return true;
        }
    }

    /// <summary>Whether an entry with this id is stored.</summary>
    public bool Contains(long id)
    {
        lock (_writeLock)
        {
            return _store.Map.TryGet(id, out _);
        }
    }

    /// <summary>Rebuilds the index over its live entries only, dropping the space of removed ones.</summary>
    public void Compact()
    {
        lock (_writeLock)
        {
            CompactLocked();
        }
    }

    private void CompactIfSparse(Store store)
    {
        // Amortised O(1) per removal: a compaction costs O(slots) and leaves no dead slots.
        if (store.DeadCount > _live + _options.TailCapacity)
        {
            CompactLocked();
        }
    }

    private void CompactLocked()
    {
        var old = _store;
        var oldView = old.View();
        int count = old.Count;
        var fresh = new Store(old.ChunkBits);
        fresh.AllocateChunks(_live);
        int n = 0;
        for (int slot = 0; slot < count; slot++)
        {
            if (!oldView.IsDead(slot))
            {
                fresh.Hashes[n >> fresh.ChunkBits][n & fresh.ChunkMask] = oldView.HashAt(slot);
                fresh.Ids[n >> fresh.ChunkBits][n & fresh.ChunkMask] = oldView.IdAt(slot);
                n++;
            }
        }

        Finish(fresh, n, id => new InvalidOperationException($"Internal error: id {id} stored twice."));
    }

    /// <summary>
    /// What a seal will do: index the slots [<see cref="Start"/>, <see cref="End"/>) as one segment replacing every
    /// segment of <see cref="Base"/> from <see cref="Keep"/> on (the merged ones). Valid while the store's segment
    /// set is still <see cref="Base"/>.
    /// </summary>
    private readonly record struct SealPlan(SegmentSet Base, int Keep, int Start, int End);

    /// <summary>Plans turning the tail into a segment, merging the newest segments while they are of similar size.</summary>
    private SealPlan PlanSeal(Store store)
    {
        var set = store.Segments;
        int start = set.End;
        int end = Math.Min(store.Count, start + _options.MaxSegmentLength);
        int keep = set.Segments.Length;

        // Merge instead of adding when the newest segment is at most twice the new one (and the merged segment
        // fits): segment sizes then grow geometrically from newest to oldest, so there are O(log n) of them and
        // each hash is re-indexed O(log n) times over its life.
        while (keep > 0)
        {
            var last = set.Segments[keep - 1];
            if (last.Length > 2 * (end - start) || end - last.Start > _options.MaxSegmentLength)
            {
                break;
            }

            start = last.Start;
            keep--;
        }

        return new SealPlan(set, keep, start, end);
    }

    /// <summary>Publishes a built seal; false (and nothing changes) when the segment set moved on since the plan.</summary>
    private static bool TryPublish(Store store, SealPlan plan, MihSegment built)
    {
        if (!ReferenceEquals(store.Segments, plan.Base))
        {
            return false;
        }

        var segments = new MihSegment[plan.Keep + 1];
        Array.Copy(plan.Base.Segments, segments, plan.Keep);
        segments[plan.Keep] = built;
        Volatile.Write(ref store.Segments, new SegmentSet(segments, plan.End));
        return true;
    }

    /// <summary>Seals on the calling (writer) thread, under the write lock.</summary>
    private void SealTail(Store store)
    {
        var plan = PlanSeal(store);
        TryPublish(store, plan, MihSegment.Build(store.View(), plan.Start, plan.End - plan.Start, _options));
    }

    /// <summary>
    /// Under the write lock, when the tail is full: starts a seal on the thread pool unless one is running (that one
    /// re-checks the tail when it publishes). Add then never waits for a segment build — a merge into a segment of
    /// millions takes seconds — and queries scan the tail, which keeps growing meanwhile, so they stay exact.
    /// </summary>
    private void RequestSeal(Store store)
    {
        if (_sealing is not null)
        {
            return;
        }

        if (!_options.BackgroundSeals || _sealFailed)
        {
            // After a failed background build, seal here so the failure (e.g. out of memory) reaches the caller.
            SealTail(store);
            return;
        }

        var plan = PlanSeal(store);
        _sealing = Task.Run(() => BuildAndPublish(store, plan));
    }

    private void BuildAndPublish(Store store, SealPlan plan)
    {
        MihSegment? built = null;
        try
        {
            built = MihSegment.Build(store.View(), plan.Start, plan.End - plan.Start, _options);
        }
        catch (Exception ex) when (ex is OutOfMemoryException or InsufficientExecutionStackException)
        {
            // Nothing is lost (the tail is still scanned); the next seal runs on the writer and throws there.
        }

        lock (_writeLock)
        {
            _sealing = null;
            if (built is null)
            {
                _sealFailed = true;
            }
            else if (ReferenceEquals(_store, store))
            {
                // A compaction replaced the store meanwhile: it built its own segments, so the seal is dropped.
                TryPublish(store, plan, built);
            }

            if (ReferenceEquals(_store, store) && _bulkLoads == 0 && store.Count - store.Segments.End >= _options.TailCapacity)
            {
                RequestSeal(store);
            }
        }
    }

    /// <summary>Waits until no seal is running (for tests and benchmarks that inspect the segments).</summary>
    internal void WaitForSeals()
    {
        while (true)
        {
            Task? sealing;
            lock (_writeLock)
            {
                sealing = _sealing;
            }

            if (sealing is null)
            {
                return;
            }

            sealing.Wait();
        }
    }

    // ---- Readers ---------------------------------------------------------------------------------------------

    /// <inheritdoc />
    void ISignalIndex<Hash256>.Query(Hash256 value, int threshold, List<IndexMatch> results) => Query(value, threshold, results);

    /// <summary>
    /// Appends to <paramref name="results"/> every stored entry whose hash is within Hamming distance
    /// <paramref name="radius"/> of <paramref name="query"/>, each once, in no particular order. Never blocks.
    /// </summary>
    [SkipLocalsInit]
    public void Query(in Hash256 query, int radius, List<IndexMatch> results)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        ArgumentNullException.ThrowIfNull(results);

        // Order matters: segments, then count, then the chunk directories (see Store).
        var store = Volatile.Read(ref _store);
        var segments = Volatile.Read(ref store.Segments);
        int count = Volatile.Read(ref store.Count);
        var view = store.View();

        // Thresholds depend on the segment's substring layout (16 × 16 or 12 wide); recomputed only when it changes.
        Span<int> buffer = stackalloc int[SubstringLayout.MaxCount];
        SubstringLayout? layout = null;
        scoped Span<int> thresholds = default;
        foreach (var segment in segments.Segments)
        {
            if (segment.Layout != layout)
            {
                layout = segment.Layout;
                thresholds = buffer[..layout.Count];
                layout.Thresholds(radius, thresholds);
            }

            if (UseMih(segment, query, thresholds))
            {
                segment.Search(query, radius, thresholds, view, results);
            }
            else
            {
                Scan(view, segment.Start, segment.End, query, radius, results);
            }
        }

        Scan(view, segments.End, count, query, radius, results);
    }

    /// <summary>
    /// Runs every query in <paramref name="queries"/> and appends (query position, id, distance) for every match.
    /// When the index would scan for this radius (large radii, small indexes), it scans once per 8 queries with
    /// the batch kernel, reading memory once per batch; otherwise each query runs on its own.
    /// </summary>
    [SkipLocalsInit]
    public void QueryBatch(ReadOnlySpan<Hash256> queries, int radius, List<BatchMatch> results)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        ArgumentNullException.ThrowIfNull(results);
        if (PlannedMethod(radius) != PdqSearchMethod.Scan)
        {
            var single = new List<IndexMatch>();
            for (int q = 0; q < queries.Length; q++)
            {
                single.Clear();
                Query(queries[q], radius, single);
                foreach (var m in single)
                {
                    results.Add(new BatchMatch(q, m.Id, m.Distance));
                }
            }

            return;
        }

        var store = Volatile.Read(ref _store);
        int count = Volatile.Read(ref store.Count);
        var view = store.View();
        const int Run = 256;
        Span<byte> hitQuery = stackalloc byte[Run * HammingScan.BatchWidth];
        Span<int> hitIndex = stackalloc int[Run * HammingScan.BatchWidth];
        Span<ushort> hitDistance = stackalloc ushort[Run * HammingScan.BatchWidth];
        for (int first = 0; first < queries.Length; first += HammingScan.BatchWidth)
        {
            var batch = queries.Slice(first, Math.Min(HammingScan.BatchWidth, queries.Length - first));
            for (int slot = 0; slot < count;)
            {
                var run = view.Run(slot, Math.Min(count - slot, Run));
                int hits = HammingScan.WithinBatch(run, batch, radius, hitQuery, hitIndex, hitDistance);
                for (int i = 0; i < hits; i++)
                {
                    int s = slot + hitIndex[i];
                    if (!view.IsDead(s))
                    {
                        results.Add(new BatchMatch(first + hitQuery[i], view.IdAt(s), hitDistance[i]));
                    }
                }

                slot += run.Length;
            }
        }
    }

    /// <summary>The method a query at <paramref name="radius"/> would use on the largest segment for a typical (uniform) query.</summary>
    public PdqSearchMethod PlannedMethod(int radius)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(radius);
        if (_options.Method != PdqSearchMethod.Auto)
        {
            return _options.Method;
        }

        var segments = Volatile.Read(ref Volatile.Read(ref _store).Segments).Segments;
        if (segments.Length == 0)
        {
            return PdqSearchMethod.Scan;
        }

        var largest = segments.MaxBy(s => s.Length)!;
        Span<int> thresholds = stackalloc int[largest.Layout.Count];
        largest.Layout.Thresholds(radius, thresholds);
        var (probe, verify) = Costs(largest);
        double mihCost = (largest.ProbeCount(thresholds) * probe) + (largest.ExpectedCandidates(thresholds) * verify);
        return mihCost < largest.Length ? PdqSearchMethod.Mih : PdqSearchMethod.Scan;
    }

    private bool UseMih(MihSegment segment, in Hash256 query, ReadOnlySpan<int> thresholds)
    {
        switch (_options.Method)
        {
            case PdqSearchMethod.Mih:
                return true;
            case PdqSearchMethod.Scan:
                return false;
        }

        double scanCost = segment.Length;
        var (probe, verify) = Costs(segment);
        double probeCost = segment.ProbeCount(thresholds) * probe;
        if (probeCost >= scanCost)
        {
            return false;
        }

        // The exact candidate count costs one more read per probe (the offsets are then cached for the search).
        long limit = (long)((scanCost - probeCost) / verify);
        return segment.CountCandidates(query, thresholds, limit) <= limit;
    }

    private static (double Probe, double Verify) Costs(MihSegment segment) =>
        segment.Layout == SubstringLayout.Sixteen ? (ProbeCost, VerifyCost) : (WideProbeCost, WideVerifyCost);

    [SkipLocalsInit]
    private static void Scan(in StoreView view, int from, int to, in Hash256 query, int radius, List<IndexMatch> results)
    {
        if (from >= to)
        {
            return;
        }

        Span<int> hitIndex = stackalloc int[ScanBlock];
        Span<ushort> hitDistance = stackalloc ushort[ScanBlock];
        for (int slot = from; slot < to;)
        {
            var run = view.Run(slot, Math.Min(to - slot, ScanBlock));
            int hits = HammingScan.Within(run, query, radius, hitIndex, hitDistance);
            for (int i = 0; i < hits; i++)
            {
                int s = slot + hitIndex[i];
                if (!view.IsDead(s))
                {
                    results.Add(new IndexMatch(view.IdAt(s), hitDistance[i]));
                }
            }

            slot += run.Length;
        }
    }

    private static void EnsurePlatform()
    {
        // Postings are read as little-endian unaligned words, and hashes are viewed as four consecutive ulongs.
        if (!BitConverter.IsLittleEndian || !Substrings.LayoutIsAsExpected())
        {
            throw new PlatformNotSupportedException("PdqIndex needs a little-endian platform.");
        }
    }
}
