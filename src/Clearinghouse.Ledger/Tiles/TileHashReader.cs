using System.Runtime.CompilerServices;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Reads complete-subtree hashes from tiles. A node at tree level ℓ = 8L + k is the root of 2^k consecutive hashes
/// in the bottom row of one tile of level L (2^k divides 256, so they never straddle tiles); for k = 0 it is stored,
/// otherwise it is recomputed from those 2^k hashes (at most 127 SHA-256 calls).
/// </summary>
[SkipLocalsInit]
internal static class TileHashReader
{
    /// <summary>Reads every node in <paramref name="nodes"/> with one batch read of the tiles they need.</summary>
    public static void ReadNodes(ITileStore store, ReadOnlySpan<NodeId> nodes, Span<MerkleHash> results)
    {
        if (nodes.IsEmpty)
        {
            return;
        }

        // A proof touches a few tiles per tile level; a linear search over them beats a dictionary.
        var reads = new TileRead[nodes.Length];
        Span<int> tileOf = nodes.Length <= 128 ? stackalloc int[nodes.Length] : new int[nodes.Length];
        int tileCount = 0;
        for (int i = 0; i < nodes.Length; i++)
        {
            (TileId tile, int offset, int count) = Locate(nodes[i]);
            int needed = offset + count;
            int found = -1;
            for (int t = 0; t < tileCount; t++)
            {
                if (reads[t].Tile == tile)
                {
                    found = t;
                    break;
                }
            }

            if (found < 0)
            {
                found = tileCount++;
                reads[found] = new TileRead(tile, needed);
            }
            else if (reads[found].MinimumWidth < needed)
            {
                reads[found] = reads[found] with { MinimumWidth = needed };
            }

            tileOf[i] = found;
        }

        var tiles = new ReadOnlyMemory<byte>[tileCount];
        store.ReadTiles(reads.AsSpan(0, tileCount), tiles);

        Span<byte> scratch = stackalloc byte[TileLayout.FullTileBytes / 2];
        for (int i = 0; i < nodes.Length; i++)
        {
            (_, int offset, int count) = Locate(nodes[i]);
            ReadOnlySpan<byte> bottom = tiles[tileOf[i]].Span.Slice(offset * MerkleHash.Size, count * MerkleHash.Size);
            results[i] = Rfc6962.HashPerfectSubtree(bottom, count, scratch);
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
