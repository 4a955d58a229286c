using System.Runtime.CompilerServices;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Reads complete-subtree hashes from tiles. A node at tree level ℓ = 8L + k is the root of 2^k consecutive hashes
/// in the bottom row of one tile of level L (2^k divides 256, so they never straddle tiles). A tile read from the
/// store is expanded once into all its interior rows and kept in a small LRU cache, so that a proof costs at most one
/// tile expansion (255 hashes) per tile it touches for the first time and a handful of lookups afterwards.
/// </summary>
/// <remarks>
/// Only the prefix a request needs is expanded and cached (never the rest of a wider stored tile): every hash in it
/// belongs to a complete subtree of the committed tree, which can never change, so a cached row is never stale. A
/// later request for a wider prefix misses and re-reads.
/// </remarks>
[SkipLocalsInit]
internal sealed class TileHashReader
{
    private readonly ITileStore _store;
    private readonly ExpandedTileCache _cache;

    public TileHashReader(ITileStore store, int cachedTiles)
    {
        _store = store;
        _cache = new ExpandedTileCache(cachedTiles);
    }

    /// <summary>Reads every node in <paramref name="nodes"/>, with one batch read of the tiles not cached.</summary>
    public void ReadNodes(ReadOnlySpan<NodeId> nodes, Span<MerkleHash> results)
    {
        if (nodes.IsEmpty)
        {
            return;
        }

        // A proof touches a few tiles per tile level; a linear search over them beats a dictionary.
        var tiles = new TileRead[nodes.Length];
        var expanded = new ExpandedTile?[nodes.Length];
        Span<int> tileOf = nodes.Length <= 256 ? stackalloc int[nodes.Length] : new int[nodes.Length];
        int tileCount = 0;
        for (int i = 0; i < nodes.Length; i++)
        {
            (TileId tile, int offset, int count) = Locate(nodes[i]);
            int needed = offset + count;
            int found = -1;
            for (int t = 0; t < tileCount; t++)
            {
                if (tiles[t].Tile == tile)
                {
                    found = t;
                    break;
                }
            }

            if (found < 0)
            {
                found = tileCount++;
                tiles[found] = new TileRead(tile, needed);
            }
            else if (tiles[found].MinimumWidth < needed)
            {
                tiles[found] = tiles[found] with { MinimumWidth = needed };
            }

            tileOf[i] = found;
        }

        // Cached expansions first; the rest in one store read.
        var missing = new List<int>();
        for (int t = 0; t < tileCount; t++)
        {
            expanded[t] = _cache.Get(tiles[t].Tile, tiles[t].MinimumWidth);
            if (expanded[t] is null)
            {
                missing.Add(t);
            }
        }

        if (missing.Count > 0)
        {
            var reads = new TileRead[missing.Count];
            for (int m = 0; m < missing.Count; m++)
            {
                reads[m] = tiles[missing[m]];
            }

            var read = new ReadOnlyMemory<byte>[missing.Count];
            _store.ReadTiles(reads, read);
            for (int m = 0; m < missing.Count; m++)
            {
                if (read[m].Length < reads[m].MinimumWidth * MerkleHash.Size)
                {
                    throw new TileNotFoundException(reads[m].Tile, reads[m].MinimumWidth, read[m].Length / MerkleHash.Size);
                }

                var tile = ExpandedTile.Expand(read[m].Span[..(reads[m].MinimumWidth * MerkleHash.Size)]);
                expanded[missing[m]] = tile;
                _cache.Put(reads[m].Tile, tile);
            }
        }

        for (int i = 0; i < nodes.Length; i++)
        {
            (_, int offset, int count) = Locate(nodes[i]);
            results[i] = expanded[tileOf[i]]!.Node(System.Numerics.BitOperations.Log2((uint)count), offset / count);
        }
    }

    /// <summary>The tile holding node's bottom row, the row's first position in it, and its length 2^k.</summary>
    private static (TileId Tile, int Offset, int Count) Locate(NodeId node)
    {
        int tileLevel = node.Level / TileLayout.Height;
        int k = node.Level % TileLayout.Height;
        long first = node.Index << k;
        return (new TileId(tileLevel, first / TileLayout.Width), (int)(first % TileLayout.Width), 1 << k);
    }
}

/// <summary>A tile prefix with all its interior rows: row k holds the complete nodes of height k, width ⌊w/2^k⌋.</summary>
internal sealed class ExpandedTile
{
    private readonly byte[] _rows;
    private readonly int[] _rowStart;

    private ExpandedTile(byte[] rows, int[] rowStart, int width)
    {
        _rows = rows;
        _rowStart = rowStart;
        Width = width;
    }

    public int Width { get; }

    public static ExpandedTile Expand(ReadOnlySpan<byte> bottom)
    {
        int width = bottom.Length / MerkleHash.Size;
        var rowStart = new int[TileLayout.Height + 1];
        int total = 0;
        for (int k = 0; k <= TileLayout.Height; k++)
        {
            rowStart[k] = total;
            total += width >> k;
        }

        var rows = new byte[total * MerkleHash.Size];
        bottom.CopyTo(rows);
        for (int k = 1; k <= TileLayout.Height; k++)
        {
            int below = rowStart[k - 1] * MerkleHash.Size;
            int here = rowStart[k] * MerkleHash.Size;
            for (int j = 0; j < width >> k; j++)
            {
                Rfc6962.HashChildren(
                    rows.AsSpan(below + (2 * j * MerkleHash.Size), MerkleHash.Size),
                    rows.AsSpan(below + (((2 * j) + 1) * MerkleHash.Size), MerkleHash.Size),
                    rows.AsSpan(here + (j * MerkleHash.Size), MerkleHash.Size));
            }
        }

        return new ExpandedTile(rows, rowStart, width);
    }

    /// <summary>The node of height <paramref name="k"/> at position <paramref name="position"/> of row k.</summary>
    public MerkleHash Node(int k, int position) => MerkleHash.ReadAt(_rows.AsSpan(_rowStart[k] * MerkleHash.Size), position);

    /// <summary>Bytes held, for the cache's budget.</summary>
    public int Bytes => _rows.Length;
}

/// <summary>A bounded LRU of expanded tiles, keyed by tile; a wider expansion replaces a narrower one.</summary>
internal sealed class ExpandedTileCache
{
    private readonly int _capacity;
    private readonly Dictionary<TileId, LinkedListNode<(TileId Id, ExpandedTile Tile)>> _index = [];
    private readonly LinkedList<(TileId Id, ExpandedTile Tile)> _recency = new();
    private readonly Lock _gate = new();

    public ExpandedTileCache(int capacity) => _capacity = capacity;

    public ExpandedTile? Get(TileId id, int minimumWidth)
    {
        if (_capacity == 0)
        {
            return null;
        }

        lock (_gate)
        {
            if (!_index.TryGetValue(id, out var node) || node.Value.Tile.Width < minimumWidth)
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Tile;
        }
    }

    public void Put(TileId id, ExpandedTile tile)
    {
        if (_capacity == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_index.TryGetValue(id, out var existing))
            {
                if (existing.Value.Tile.Width >= tile.Width)
                {
                    return;
                }

                _recency.Remove(existing);
                _index.Remove(id);
            }

            _index[id] = _recency.AddFirst((id, tile));
            while (_index.Count > _capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _index.Remove(last.Value.Id);
            }
        }
    }
}
