using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Appends leaf hashes to a copy of a tree's edge, collecting the tiles that change. Each leaf merges equal-height
/// subtrees on the frontier like a binary counter (amortised one node hash per leaf); every hash of a tree level
/// that is a multiple of 8 goes into its tile level's partial tile, which is emitted when it fills and, if still
/// partial, once at the end of the batch.
/// </summary>
internal sealed class EdgeBuilder
{
    private readonly List<(int Level, MerkleHash Hash)> _frontier;
    private readonly List<byte[]> _partial = [];
    private readonly List<int> _partialWidth = [];
    private readonly List<bool> _partialChanged = [];
    private readonly List<long> _tileIndex = [];
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
            long stored = TileLayout.StoredHashCount(level, edge.Size);
            var buffer = new byte[TileLayout.FullTileBytes];
            byte[] partial = level < edge.PartialTiles.Length ? edge.PartialTiles[level] : [];
            partial.CopyTo(buffer, 0);
            _partial.Add(buffer);
            _partialWidth.Add(partial.Length / MerkleHash.Size);
            _partialChanged.Add(false);
            _tileIndex.Add(stored / TileLayout.Width);
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
        var partialTiles = new byte[_partial.Count][];
        for (int level = 0; level < _partial.Count; level++)
        {
            byte[] partial = _partial[level].AsSpan(0, _partialWidth[level] * MerkleHash.Size).ToArray();
            partialTiles[level] = partial;
            if (_partialChanged[level] && partial.Length > 0)
            {
                _written.Add(new Tile(new TileId(level, _tileIndex[level]), partial));
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
        if (tileLevel == _partial.Count)
        {
            _partial.Add(new byte[TileLayout.FullTileBytes]);
            _partialWidth.Add(0);
            _partialChanged.Add(false);
            _tileIndex.Add(0);
        }

        int width = _partialWidth[tileLevel];
        hash.CopyTo(_partial[tileLevel].AsSpan(width * MerkleHash.Size));
        width++;
        if (width == TileLayout.Width)
        {
            _written.Add(new Tile(new TileId(tileLevel, _tileIndex[tileLevel]), _partial[tileLevel].AsSpan().ToArray()));
            _tileIndex[tileLevel]++;
            width = 0;
            _partialChanged[tileLevel] = false;
        }
        else
        {
            _partialChanged[tileLevel] = true;
        }

        _partialWidth[tileLevel] = width;
    }
}
