using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Appends leaf hashes to a copy of a tree's edge, collecting the tiles that change. Each leaf merges equal-height
/// subtrees on the frontier like a binary counter (amortised one node hash per leaf), and every node it completes,
/// at tree level 8L + k, goes into row k of tile level L's partial tile: a node is hashed once, when it completes,
/// and stored. A tile is emitted when its top row completes and, if still partial, once at the end of the batch. A
/// level's partial tile is copied into working rows only when the batch first changes it.
/// </summary>
internal sealed class EdgeBuilder
{
    private readonly List<(int Level, MerkleHash Hash)> _frontier;
    private readonly List<Level> _levels = [];
    private readonly List<Tile> _written = [];
    private long _size;

    public EdgeBuilder(TreeEdge edge)
    {
        _size = edge.Size;
        _frontier = new List<(int, MerkleHash)>(64);
        for (int i = 0; i < edge.Frontier.Length; i++)
        {
            _frontier.Add((TreeEdge.FrontierLevel(edge.Size, i), edge.Frontier[i]));
        }

        for (int level = 0; TileLayout.StoredHashCount(level, edge.Size) > 0; level++)
        {
            Tile? partial = level < edge.PartialTiles.Length ? edge.PartialTiles[level] : null;
            _levels.Add(new Level(partial, TileLayout.StoredHashCount(level, edge.Size) / TileLayout.Width));
        }
    }

    public long Size => _size;

    public void Append(in MerkleHash leafHash)
    {
        Store(0, leafHash);
        int level = 0;
        MerkleHash node = leafHash;
        while (_frontier.Count > 0 && _frontier[^1].Level == level)
        {
            node = Rfc6962.HashChildren(_frontier[^1].Hash, node);
            _frontier.RemoveAt(_frontier.Count - 1);
            level++;
            Store(level, node);
        }

        _frontier.Add((level, node));
        _size++;
    }

    /// <summary>The new edge and every tile the batch changed, full tiles in order, then the partial ones.</summary>
    public (TreeEdge Edge, List<Tile> Tiles) Finish()
    {
        var partialTiles = new Tile?[_levels.Count];
        for (int i = 0; i < _levels.Count; i++)
        {
            Level level = _levels[i];
            if (!level.Changed)
            {
                partialTiles[i] = level.RowCount[0] == 0 ? null : level.Original;
                continue;
            }

            // One immutable tile serves both as the new edge's partial tile and as the tile written.
            Tile tile = level.Pack(new TileId(i, level.TileIndex));
            partialTiles[i] = tile;
            _written.Add(tile);
        }

        var frontier = new MerkleHash[_frontier.Count];
        for (int i = 0; i < frontier.Length; i++)
        {
            frontier[i] = _frontier[i].Hash;
        }

        return (new TreeEdge(_size, frontier, partialTiles), _written);
    }

    private void Store(int treeLevel, in MerkleHash hash)
    {
        int tileLevel = treeLevel / TileLayout.Height;
        int row = treeLevel % TileLayout.Height;
        if (tileLevel == _levels.Count)
        {
            _levels.Add(new Level(null, 0));
        }

        Level level = _levels[tileLevel];
        level.Add(row, hash);
        if (row == TileLayout.Height - 1 && level.RowCount[row] == 2)
        {
            // The top row's second node completes the tile (every row below completed first, in this same append).
            _written.Add(level.Pack(new TileId(tileLevel, level.TileIndex)));
            level.StartNextTile();
        }
    }

    /// <summary>One tile level's right edge while the batch runs.</summary>
    private sealed class Level
    {
        public Level(Tile? original, long tileIndex)
        {
            Original = original;
            TileIndex = tileIndex;
            int width = original?.Width ?? 0;
            for (int k = 0; k < TileLayout.Height; k++)
            {
                RowCount[k] = width >> k;
            }
        }

        /// <summary>The partial tile before the batch (shared with the old edge, never written to).</summary>
        public Tile? Original { get; }

        public long TileIndex { get; private set; }

        /// <summary>Nodes in each row of the current tile.</summary>
        public int[] RowCount { get; } = new int[TileLayout.Height];

        /// <summary>Whether the current tile has nodes not yet emitted.</summary>
        public bool Changed { get; private set; }

        /// <summary>Working rows (full-tile capacity each), from the first change on.</summary>
        private byte[][]? Rows { get; set; }

        public void Add(int row, in MerkleHash hash)
        {
            if (Rows is null)
            {
                Rows = new byte[TileLayout.Height][];
                for (int k = 0; k < TileLayout.Height; k++)
                {
                    Rows[k] = new byte[(TileLayout.Width >> k) * MerkleHash.Size];
                    if (Original is not null)
                    {
                        Original.Rows.Span.Slice(TileLayout.RowOffset(Original.Width, k) * MerkleHash.Size, RowCount[k] * MerkleHash.Size).CopyTo(Rows[k]);
                    }
                }
            }

            hash.CopyTo(Rows[row].AsSpan(RowCount[row] * MerkleHash.Size));
            RowCount[row]++;
            Changed = true;
        }

        /// <summary>The current tile at its bottom width, rows packed.</summary>
        public Tile Pack(TileId id)
        {
            int width = RowCount[0];
            var packed = new byte[TileLayout.TileHashes(width) * MerkleHash.Size];
            for (int k = 0; k < TileLayout.Height; k++)
            {
                Rows![k].AsSpan(0, (width >> k) * MerkleHash.Size).CopyTo(packed.AsSpan(TileLayout.RowOffset(width, k) * MerkleHash.Size));
            }

            return new Tile(id, width, packed);
        }

        public void StartNextTile()
        {
            TileIndex++;
            Array.Clear(RowCount);
            Changed = false;
        }
    }
}
