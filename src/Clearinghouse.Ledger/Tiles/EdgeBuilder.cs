using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Appends leaf hashes to a copy of a tree's edge, collecting the tiles that change. Each leaf merges equal-height
/// subtrees on the frontier like a binary counter (amortised one node hash per leaf); every hash of a tree level
/// that is a multiple of 8 goes into its tile level's partial tile, which is emitted when it fills and, if still
/// partial, once at the end of the batch. A level's partial tile is copied into a working buffer only when the batch
/// first changes it, so a one-entry append copies one tile, not one per level.
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
            byte[] partial = level < edge.PartialTiles.Length ? edge.PartialTiles[level] : [];
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
            if (level % TileLayout.Height == 0)
            {
                Store(level / TileLayout.Height, node);
            }
        }

        _frontier.Add((level, node));
        _size++;
    }

    /// <summary>The new edge and every tile the batch changed, full tiles in order, then the partial ones.</summary>
    public (TreeEdge Edge, List<Tile> Tiles) Finish()
    {
        var partialTiles = new byte[_levels.Count][];
        for (int i = 0; i < _levels.Count; i++)
        {
            Level level = _levels[i];
            if (level.Buffer is null)
            {
                partialTiles[i] = level.Original;
                continue;
            }

            // One exact-size immutable copy serves both as the new edge's partial tile and as the tile written.
            byte[] partial = level.Buffer.AsSpan(0, level.Width * MerkleHash.Size).ToArray();
            partialTiles[i] = partial;
            if (level.Changed && partial.Length > 0)
            {
                _written.Add(new Tile(new TileId(i, level.TileIndex), partial));
            }
        }

        var frontier = new MerkleHash[_frontier.Count];
        for (int i = 0; i < frontier.Length; i++)
        {
            frontier[i] = _frontier[i].Hash;
        }

        return (new TreeEdge(_size, frontier, partialTiles), _written);
    }

    private void Store(int tileLevel, in MerkleHash hash)
    {
        if (tileLevel == _levels.Count)
        {
            _levels.Add(new Level([], 0));
        }

        Level level = _levels[tileLevel];
        if (level.Buffer is null)
        {
            level.Buffer = new byte[TileLayout.FullTileBytes];
            level.Original.CopyTo(level.Buffer, 0);
        }

        hash.CopyTo(level.Buffer.AsSpan(level.Width * MerkleHash.Size));
        level.Width++;
        level.Changed = true;
        if (level.Width == TileLayout.Width)
        {
            _written.Add(new Tile(new TileId(tileLevel, level.TileIndex), level.Buffer));
            level.Buffer = new byte[TileLayout.FullTileBytes];
            level.TileIndex++;
            level.Width = 0;
            level.Changed = false;
        }
    }

    /// <summary>One tile level's right edge while the batch runs.</summary>
    private sealed class Level(byte[] original, long tileIndex)
    {
        /// <summary>The partial tile before the batch (shared with the old edge, never written to).</summary>
        public byte[] Original { get; } = original;

        /// <summary>The working copy, from the first change on.</summary>
        public byte[]? Buffer { get; set; }

        public int Width { get; set; } = original.Length / MerkleHash.Size;

        public long TileIndex { get; set; } = tileIndex;

        /// <summary>Whether the current partial tile has hashes not yet emitted.</summary>
        public bool Changed { get; set; }
    }
}
