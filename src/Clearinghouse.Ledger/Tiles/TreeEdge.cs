using System.Numerics;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// The right edge of a tree, all an append needs: its size, the frontier (the hashes of the complete subtrees its
/// size decomposes into, one per set bit, largest first) and the partial tile of each tile level. Immutable once
/// built; an append builds a new one.
/// </summary>
internal sealed class TreeEdge
{
    public TreeEdge(long size, MerkleHash[] frontier, Tile?[] partialTiles)
    {
        Size = size;
        Frontier = frontier;
        PartialTiles = partialTiles;
        Root = FoldRight(frontier);
    }

    public static TreeEdge Empty { get; } = new(0, [], []);

    public long Size { get; }

    /// <summary>One hash per set bit of <see cref="Size"/>, the largest subtree first.</summary>
    public MerkleHash[] Frontier { get; }

    /// <summary>Per tile level, its partial (right-edge) tile; null when the level ends on a tile boundary.</summary>
    public Tile?[] PartialTiles { get; }

    public MerkleHash Root { get; }

    /// <summary>The level of the frontier's i-th hash: the i-th set bit of the size from the top.</summary>
    public static int FrontierLevel(long size, int i)
    {
        ulong bits = (ulong)size;
        for (int skipped = 0; skipped < i; skipped++)
        {
            bits &= ~(1UL << (63 - BitOperations.LeadingZeroCount(bits)));
        }

        return 63 - BitOperations.LeadingZeroCount(bits);
    }

    /// <summary>MTH of a range from its complete subtrees, largest first: h1 ⊕ (h2 ⊕ (… ⊕ hk)).</summary>
    public static MerkleHash FoldRight(ReadOnlySpan<MerkleHash> subtrees)
    {
        if (subtrees.IsEmpty)
        {
            return Rfc6962.EmptyTreeHash;
        }

        MerkleHash hash = subtrees[^1];
        for (int i = subtrees.Length - 2; i >= 0; i--)
        {
            hash = Rfc6962.HashChildren(subtrees[i], hash);
        }

        return hash;
    }
}
