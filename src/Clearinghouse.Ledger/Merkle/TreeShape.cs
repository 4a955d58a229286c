using System.Numerics;

namespace Clearinghouse.Ledger.Merkle;

/// <summary>A complete (perfect) subtree: the 2^<see cref="Level"/> leaves starting at <see cref="Index"/> · 2^Level.</summary>
public readonly record struct NodeId(int Level, long Index);

/// <summary>A run of leaves [<see cref="Start"/>, <see cref="End"/>) whose RFC 6962 hash is one proof element.</summary>
internal readonly record struct LeafRange(long Start, long End)
{
    public long Length => End - Start;
}

/// <summary>
/// The shapes of RFC 9162 proofs as leaf ranges, computed without hashing: every proof element is MTH of one range,
/// and every such range splits into complete subtrees that a store can serve.
/// </summary>
internal static class TreeShape
{
    /// <summary>RFC 9162 §2.1.3.1 PATH(index, D[0:size]) as ranges, leaf side first (the order of the proof).</summary>
    public static void InclusionPath(long index, long size, List<LeafRange> output) => Path(index, 0, size, output);

    /// <summary>RFC 9162 §2.1.4.1 PROOF(size1, D[0:size2]) as ranges, in proof order; 0 &lt; size1 &lt; size2.</summary>
    public static void ConsistencyProof(long size1, long size2, List<LeafRange> output) => SubProof(size1, 0, size2, true, output);

    /// <summary>
    /// The complete subtrees whose right fold is MTH(D[start:end]), largest (leftmost) first. Holds for every range
    /// the RFC recursion produces: its start is a multiple of the smallest power of two not below its length.
    /// </summary>
    public static void CompleteSubtrees(LeafRange range, List<NodeId> output)
    {
        long position = range.Start;
        long remaining = range.Length;
        while (remaining > 0)
        {
            int level = 63 - BitOperations.LeadingZeroCount((ulong)remaining);
            output.Add(new NodeId(level, position >> level));
            position += 1L << level;
            remaining -= 1L << level;
        }
    }

    /// <summary>How many complete subtrees <see cref="CompleteSubtrees"/> yields: the set bits of the length.</summary>
    public static int CompleteSubtreeCount(LeafRange range) => BitOperations.PopCount((ulong)range.Length);

    private static void Path(long index, long start, long end, List<LeafRange> output)
    {
        long n = end - start;
        if (n <= 1)
        {
            return;
        }

        long k = Rfc6962.SplitPoint(n);
        if (index - start < k)
        {
            Path(index, start, start + k, output);
            output.Add(new LeafRange(start + k, end));
        }
        else
        {
            Path(index, start + k, end, output);
            output.Add(new LeafRange(start, start + k));
        }
    }

    private static void SubProof(long m, long start, long end, bool wholeOldTree, List<LeafRange> output)
    {
        long n = end - start;
        if (m == n)
        {
            // SUBPROOF(m, D[m], true) = {} (the verifier has the old root); with false it is {MTH(D[m])}.
            if (!wholeOldTree)
            {
                output.Add(new LeafRange(start, end));
            }

            return;
        }

        long k = Rfc6962.SplitPoint(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, wholeOldTree, output);
            output.Add(new LeafRange(start + k, end));
        }
        else
        {
            SubProof(m - k, start + k, end, false, output);
            output.Add(new LeafRange(start, start + k));
        }
    }
}
