using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Reads complete-subtree hashes from tiles: a node at tree level ℓ = 8L + k is entry ⌊i·2^k / 2^k⌋ of row k of one
/// tile of level L (2^k divides 256, so a node never straddles tiles). No hashing: every complete node is stored.
/// Tiles read are kept in a small LRU so repeated proofs near each other do not go back to the store.
/// </summary>
/// <remarks>
/// A cached tile is used only for nodes inside the width it was read for: those are complete subtrees of the
/// committed tree, which never change, so the cache is never stale, even if a store returned a wider tile holding
/// hashes past the committed size.
/// </remarks>
internal sealed class TileHashReader
{
    private readonly ITileStore _store;
    private readonly TileCache _cache;

    public TileHashReader(ITileStore store, int cachedTiles)
    {
        _store = store;
        _cache = new TileCache(cachedTiles);
    }

    /// <summary>Reads every node in <paramref name="nodes"/> (complete subtrees of the tree of
    /// <paramref name="treeSize"/> leaves), with one batch read of the tiles not cached. Each tile is asked for at the
    /// width it has in that tree, so a full tile is read and cached whole.</summary>
    public void ReadNodes(ReadOnlySpan<NodeId> nodes, Span<MerkleHash> results, long treeSize)
    {
        if (nodes.IsEmpty)
        {
            return;
        }

        // A proof touches a few tiles per tile level; a linear search over them beats a dictionary.
        var wanted = new TileRead[nodes.Length];
        Span<int> tileOf = nodes.Length <= 256 ? stackalloc int[nodes.Length] : new int[nodes.Length];
        int tileCount = 0;
        for (int i = 0; i < nodes.Length; i++)
        {
            (TileId tile, int row, int position) = Locate(nodes[i]);
            int needed = TileLayout.WidthAt(tile, treeSize);
            if (needed < (position + 1) << row)
            {
                throw new ArgumentOutOfRangeException(nameof(nodes), $"node {nodes[i]} is not a complete subtree of the tree of size {treeSize}");
            }

            int found = -1;
            for (int t = 0; t < tileCount; t++)
            {
                if (wanted[t].Tile == tile)
                {
                    found = t;
                    break;
                }
            }

            if (found < 0)
            {
                found = tileCount++;
                wanted[found] = new TileRead(tile, needed);
            }

            tileOf[i] = found;
        }

        // Cached tiles first; the rest in one store read, cut to the width asked for.
        var tiles = new Tile?[tileCount];
        var missing = new List<TileRead>();
        for (int t = 0; t < tileCount; t++)
        {
            tiles[t] = _cache.Get(wanted[t].Tile, wanted[t].MinimumWidth);
            if (tiles[t] is null)
            {
                missing.Add(wanted[t]);
            }
        }

        if (missing.Count > 0)
        {
            var read = new Tile[missing.Count];
            _store.ReadTiles(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(missing), read);
            for (int m = 0, t = 0; m < missing.Count; m++)
            {
                if (read[m] is null || read[m].Id != missing[m].Tile || read[m].Width < missing[m].MinimumWidth)
                {
                    throw new TileNotFoundException(missing[m].Tile, missing[m].MinimumWidth, read[m]?.Width ?? 0);
                }

                Tile tile = read[m].Truncate(missing[m].MinimumWidth);
                _cache.Put(tile);
                while (tiles[t] is not null)
                {
                    t++;
                }

                tiles[t] = tile;
            }
        }

        for (int i = 0; i < nodes.Length; i++)
        {
            (_, int row, int position) = Locate(nodes[i]);
            results[i] = tiles[tileOf[i]]!.Node(row, position);
        }
    }

    /// <summary>The tile holding the node, its row, and its position in that row.</summary>
    private static (TileId Tile, int Row, int Position) Locate(NodeId node)
    {
        int tileLevel = node.Level / TileLayout.Height;
        int row = node.Level % TileLayout.Height;
        long first = node.Index << row;
        return (new TileId(tileLevel, first / TileLayout.Width), row, (int)(first % TileLayout.Width) >> row);
    }
}

/// <summary>A bounded LRU of tiles, keyed by tile; a wider read replaces a narrower one.</summary>
internal sealed class TileCache
{
    private readonly int _capacity;
    private readonly Dictionary<TileId, LinkedListNode<Tile>> _index = [];
    private readonly LinkedList<Tile> _recency = new();
    private readonly Lock _gate = new();

    public TileCache(int capacity) => _capacity = capacity;

    public Tile? Get(TileId id, int minimumWidth)
    {
        if (_capacity == 0)
        {
            return null;
        }

        lock (_gate)
        {
            if (!_index.TryGetValue(id, out var node) || node.Value.Width < minimumWidth)
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }
    }

    public void Put(Tile tile)
    {
        if (_capacity == 0)
        {
            return;
        }

        lock (_gate)
        {
            if (_index.TryGetValue(tile.Id, out var existing))
            {
                if (existing.Value.Width >= tile.Width)
                {
                    return;
                }

                _recency.Remove(existing);
            }

            _index[tile.Id] = _recency.AddFirst(tile);
            while (_index.Count > _capacity)
            {
                Tile last = _recency.Last!.Value;
                _recency.RemoveLast();
                _index.Remove(last.Id);
            }
        }
    }
}
