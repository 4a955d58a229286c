using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// The append-only Merkle tree of the transparency log, stored as C2SP tlog-tiles style tiles behind an
/// <see cref="ITileStore"/>.
/// </summary>
/// <remarks>
/// <para><b>Why tiles.</b> Tile level L covers tree levels 8L … 8L + 7: its bottom row holds the hashes of tree
/// level 8L, 256 to a tile, with one partial tile on the right edge (the C2SP tlog-tiles layout, whose tiles are
/// exactly these bottom rows, <see cref="Tile.BottomRow"/>). A stored tile also carries the seven rows of interior
/// nodes above its bottom row (510 hashes for a full tile), so every complete subtree is stored and a proof or a
/// past root is read, never recomputed: a proof costs only the O(log n) hashes that fold the incomplete ranges at
/// the right edge. A 10 M-entry log is ≈ 39 000 tiles (≈ 640 MB, as much as storing every node per level) but about
/// 500 times fewer rows than one row per node (≈ 20 M), and an append of N entries writes about N/256 + 2 tiles.
/// Bottom rows alone would halve the bytes but make a proof re-hash up to 255 nodes per tile it touches.</para>
/// <para><b>Appending</b> never rereads the log: the right edge (<see cref="TreeEdge"/>: size, frontier, partial
/// tiles) is kept in memory and an append costs amortised one node hash per leaf plus the leaf hash. It is two-phase
/// so that a database store can write the tiles in the transaction that writes the entries:
/// <see cref="PrepareAppend"/> computes the new tiles and root without touching anything, the caller writes
/// <see cref="PendingAppend.Tiles"/> with <see cref="ITileStore.WriteTiles"/> (inside its transaction) and, once that
/// is durable, calls <see cref="Commit"/>. A failed transaction is simply not committed.</para>
/// <para><b>Reading</b> (roots at past sizes, proofs) reads only the tiles a proof needs, in one
/// <see cref="ITileStore.ReadTiles"/> call, and is safe concurrently with one appender.</para>
/// </remarks>
public sealed class MerkleLog
{
    /// <summary>Tiles kept by default: 4096 × ≤ 16 KiB ≤ 64 MiB, enough for every tile above level 0 of a 250 M-entry
    /// log plus the most recently read leaf tiles.</summary>
    public const int DefaultCachedTiles = 4096;

    private readonly ITileStore _store;
    private readonly TileHashReader _reader;
    private volatile TreeEdge _edge;

    private MerkleLog(ITileStore store, TreeEdge edge, TileHashReader reader)
    {
        _store = store;
        _edge = edge;
        _reader = reader;
    }

    /// <summary>Number of leaves committed.</summary>
    public long Size => _edge.Size;

    /// <summary>The root at <see cref="Size"/>.</summary>
    public MerkleHash Root => _edge.Root;

    /// <summary>The store this tree reads and, through <see cref="Append"/>, writes.</summary>
    public ITileStore Store => _store;

    /// <summary>A new, empty tree over <paramref name="store"/> (which should hold no tiles).</summary>
    /// <param name="cachedTiles">How many tiles (each ≤ 16 KiB) to keep for proofs; 0 disables the cache.</param>
    public static MerkleLog Create(ITileStore store, int cachedTiles = DefaultCachedTiles)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegative(cachedTiles);
        return new MerkleLog(store, TreeEdge.Empty, new TileHashReader(store, cachedTiles));
    }

    /// <summary>
    /// Opens the tree of <paramref name="size"/> leaves held by <paramref name="store"/>, reading only its right edge
    /// (O(log n) tiles).
    /// </summary>
    /// <param name="expectedRoot">If given, the root the tiles must hash to (for example the last signed checkpoint's);
    /// a different root throws <see cref="InvalidDataException"/>.</param>
    /// <param name="cachedTiles">How many tiles (each ≤ 16 KiB) to keep for proofs; 0 disables the cache.</param>
    public static MerkleLog Open(ITileStore store, long size, MerkleHash? expectedRoot = null, int cachedTiles = DefaultCachedTiles)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegative(cachedTiles);
        var reader = new TileHashReader(store, cachedTiles);
        if (size == 0)
        {
            CheckRoot(TreeEdge.Empty, expectedRoot);
            return new MerkleLog(store, TreeEdge.Empty, reader);
        }

        // The frontier: the complete subtrees [0, size) decomposes into.
        var nodes = new List<NodeId>(64);
        TreeShape.CompleteSubtrees(new LeafRange(0, size), nodes);
        var frontier = new MerkleHash[nodes.Count];
        reader.ReadNodes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(nodes), frontier, size);

        // The partial tile of every tile level, cut to exactly the width this size implies.
        var reads = new List<TileRead>();
        var levels = new List<int>();
        int tileLevels = 0;
        for (int level = 0; TileLayout.StoredHashCount(level, size) > 0; level++)
        {
            tileLevels++;
            long stored = TileLayout.StoredHashCount(level, size);
            int width = (int)(stored % TileLayout.Width);
            if (width > 0)
            {
                reads.Add(new TileRead(new TileId(level, stored / TileLayout.Width), width));
                levels.Add(level);
            }
        }

        var tiles = new Tile[reads.Count];
        store.ReadTiles(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(reads), tiles);
        var partialTiles = new Tile?[tileLevels];
        for (int i = 0; i < reads.Count; i++)
        {
            partialTiles[levels[i]] = tiles[i].Truncate(reads[i].MinimumWidth);
        }

        var edge = new TreeEdge(size, frontier, partialTiles);
        CheckRoot(edge, expectedRoot);
        return new MerkleLog(store, edge, reader);
    }

    /// <summary>
    /// Computes, without writing or changing anything, the tiles and root after appending
    /// <paramref name="leafHashes"/> (each SHA-256(0x00 ‖ entry), see <see cref="Rfc6962.HashLeaf(ReadOnlySpan{byte})"/>).
    /// </summary>
    public PendingAppend PrepareAppend(ReadOnlySpan<MerkleHash> leafHashes)
    {
        AppendBatch batch = BeginAppend();
        foreach (ref readonly MerkleHash leaf in leafHashes)
        {
            batch.Add(leaf);
        }

        return batch.Prepare();
    }

    /// <summary>Starts an append whose leaves arrive one by one (a stream too long to hold as one array); nothing
    /// changes until the <see cref="AppendBatch.Prepare"/>d append is committed.</summary>
    public AppendBatch BeginAppend() => new(this, _edge);

    /// <summary>Makes a prepared append current, after its tiles were written durably.</summary>
    /// <exception cref="InvalidOperationException">The append was prepared by another tree, or the tree changed since
    /// (appends must be serialised: one writer).</exception>
    public void Commit(PendingAppend pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (!ReferenceEquals(pending.Log, this))
        {
            throw new InvalidOperationException("this append was prepared by another Merkle log");
        }

        TreeEdge expected = _edge;
        if (expected.Size != pending.PreviousSize
            || Interlocked.CompareExchange(ref _edge, pending.Edge, expected) != expected)
        {
            throw new InvalidOperationException(
                $"this append was prepared at size {pending.PreviousSize} but the tree is now at size {_edge.Size}: appends must be serialised");
        }
    }

    /// <summary>Prepares, writes the tiles to the store (one batch) and commits: for stores that are not part of a
    /// larger transaction.</summary>
    public PendingAppend Append(ReadOnlySpan<MerkleHash> leafHashes)
    {
        PendingAppend pending = PrepareAppend(leafHashes);
        _store.WriteTiles(pending.Tiles);
        Commit(pending);
        return pending;
    }

    /// <summary>The root of the first <paramref name="size"/> leaves (0 ≤ size ≤ <see cref="Size"/>).</summary>
    public MerkleHash RootAt(long size)
    {
        TreeEdge edge = _edge;
        CheckSize(size, edge);
        if (size == edge.Size)
        {
            return edge.Root;
        }

        if (size == 0)
        {
            return Rfc6962.EmptyTreeHash;
        }

        return HashRanges([new LeafRange(0, size)], size)[0];
    }

    /// <summary>RFC 9162 §2.1.3.1 inclusion proof of leaf <paramref name="index"/> in the tree of
    /// <paramref name="size"/> leaves (index &lt; size ≤ <see cref="Size"/>).</summary>
    public MerkleHash[] InclusionProof(long index, long size)
    {
        CheckSize(size, _edge);
        if (index < 0 || index >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"leaf index {index} is not inside a tree of size {size}");
        }

        var ranges = new List<LeafRange>(64);
        TreeShape.InclusionPath(index, size, ranges);
        return HashRanges(ranges, size);
    }

    /// <summary>RFC 9162 §2.1.4.1 consistency proof from the tree of <paramref name="size1"/> leaves to the tree of
    /// <paramref name="size2"/> leaves (0 ≤ size1 ≤ size2 ≤ <see cref="Size"/>); empty when size1 is 0 or equals size2.</summary>
    public MerkleHash[] ConsistencyProof(long size1, long size2)
    {
        CheckSize(size2, _edge);
        if (size1 < 0 || size1 > size2)
        {
            throw new ArgumentOutOfRangeException(nameof(size1), size1, $"the old size {size1} must be between 0 and the new size {size2}");
        }

        if (size1 == 0 || size1 == size2)
        {
            return [];
        }

        var ranges = new List<LeafRange>(64);
        TreeShape.ConsistencyProof(size1, size2, ranges);
        return HashRanges(ranges, size2);
    }

    /// <summary>The leaf hashes of leaves [<paramref name="start"/>, start + destination.Length).</summary>
    public void ReadLeafHashes(long start, Span<MerkleHash> destination)
    {
        long end = start + destination.Length;
        if (start < 0 || end > _edge.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"leaves {start}..{end - 1} are not all inside the tree of size {_edge.Size}");
        }

        var reads = new List<TileRead>();
        for (long tile = start / TileLayout.Width; tile * TileLayout.Width < end; tile++)
        {
            int width = (int)Math.Min(TileLayout.Width, end - (tile * TileLayout.Width));
            reads.Add(new TileRead(new TileId(0, tile), width));
        }

        var tiles = new Tile[reads.Count];
        _store.ReadTiles(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(reads), tiles);
        for (long i = start; i < end; i++)
        {
            int t = (int)((i / TileLayout.Width) - (start / TileLayout.Width));
            destination[(int)(i - start)] = tiles[t].Node(0, (int)(i % TileLayout.Width));
        }
    }

    /// <summary>MTH of each range, from one batch read of the complete subtrees they decompose into.</summary>
    private MerkleHash[] HashRanges(List<LeafRange> ranges, long treeSize)
    {
        var nodes = new List<NodeId>(128);
        foreach (var range in ranges)
        {
            TreeShape.CompleteSubtrees(range, nodes);
        }

        Span<MerkleHash> nodeHashes = nodes.Count <= 128 ? stackalloc MerkleHash[nodes.Count] : new MerkleHash[nodes.Count];
        _reader.ReadNodes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(nodes), nodeHashes, treeSize);

        var result = new MerkleHash[ranges.Count];
        int next = 0;
        for (int r = 0; r < ranges.Count; r++)
        {
            int count = TreeShape.CompleteSubtreeCount(ranges[r]);
            result[r] = TreeEdge.FoldRight(nodeHashes.Slice(next, count));
            next += count;
        }

        return result;
    }

    private static void CheckSize(long size, TreeEdge edge)
    {
        if (size < 0 || size > edge.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"tree size {size} is beyond the log's size {edge.Size}");
        }
    }

    private static void CheckRoot(TreeEdge edge, MerkleHash? expectedRoot)
    {
        if (expectedRoot is { } expected && expected != edge.Root)
        {
            throw new InvalidDataException(
                $"the stored tiles of the tree of size {edge.Size} hash to root {edge.Root.ToBase64()}, not the expected {expected.ToBase64()}: the tile store does not hold this log");
        }
    }
}

/// <summary>Leaves being appended one at a time (<see cref="MerkleLog.BeginAppend"/>); holds the new tiles in memory
/// (about 32 bytes per leaf) until prepared.</summary>
public sealed class AppendBatch
{
    private readonly MerkleLog _log;
    private readonly long _previousSize;
    private readonly EdgeBuilder _builder;
    private bool _prepared;

    internal AppendBatch(MerkleLog log, TreeEdge edge)
    {
        _log = log;
        _previousSize = edge.Size;
        _builder = new EdgeBuilder(edge);
    }

    /// <summary>The tree size with the leaves added so far.</summary>
    public long Size => _builder.Size;

    public void Add(in MerkleHash leafHash)
    {
        if (_prepared)
        {
            throw new InvalidOperationException("this append batch was already prepared");
        }

        _builder.Append(leafHash);
    }

    /// <summary>The tiles and root after the leaves added; the batch cannot grow afterwards.</summary>
    public PendingAppend Prepare()
    {
        if (_prepared)
        {
            throw new InvalidOperationException("this append batch was already prepared");
        }

        _prepared = true;
        (TreeEdge next, List<Tile> tiles) = _builder.Finish();
        return new PendingAppend(_log, _previousSize, next, tiles);
    }
}

/// <summary>An append computed by <see cref="MerkleLog.PrepareAppend"/>: the tiles to write and the tree they make.</summary>
public sealed class PendingAppend
{
    internal PendingAppend(MerkleLog log, long previousSize, TreeEdge edge, IReadOnlyList<Tile> tiles)
    {
        Log = log;
        PreviousSize = previousSize;
        Edge = edge;
        Tiles = tiles;
    }

    /// <summary>The tree size before the append; the first new leaf's index.</summary>
    public long PreviousSize { get; }

    public long NewSize => Edge.Size;

    public MerkleHash NewRoot => Edge.Root;

    /// <summary>The tiles to write, in one <see cref="ITileStore.WriteTiles"/> batch.</summary>
    public IReadOnlyList<Tile> Tiles { get; }

    internal MerkleLog Log { get; }

    internal TreeEdge Edge { get; }
}
