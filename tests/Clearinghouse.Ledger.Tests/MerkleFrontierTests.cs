using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tests;

public sealed class MerkleFrontierTests
{
    [Fact]
    public void The_frontier_root_equals_the_naive_tree_root_at_every_size_and_survives_a_round_trip()
    {
        var leaves = new List<MerkleHash>();
        var frontier = MerkleFrontier.Empty();
        Assert.Equal(Rfc6962.EmptyTreeHash, frontier.Root);
        for (int n = 1; n <= 300; n++)
        {
            MerkleHash leaf = Rfc6962.HashLeaf(BitConverter.GetBytes(n));
            leaves.Add(leaf);
            frontier.Append(leaf);
            Assert.Equal(n, frontier.Size);
            Assert.Equal(Naive(leaves), frontier.Root);
            var restored = MerkleFrontier.FromBytes(frontier.Size, frontier.ToBytes());
            Assert.Equal(frontier.Root, restored.Root);
        }
    }

    [Fact]
    public void Appending_to_a_clone_leaves_the_original_and_a_frontier_of_the_wrong_length_is_refused()
    {
        var frontier = MerkleFrontier.Empty();
        frontier.Append(Rfc6962.HashLeaf([1]));
        MerkleHash root = frontier.Root;
        var clone = frontier.Clone();
        clone.Append(Rfc6962.HashLeaf([2]));
        Assert.Equal(root, frontier.Root);
        Assert.NotEqual(root, clone.Root);
        Assert.Throws<FormatException>(() => MerkleFrontier.FromBytes(3, new byte[32]));
        Assert.Throws<FormatException>(() => MerkleFrontier.FromBytes(-1, []));
    }

    private static MerkleHash Naive(List<MerkleHash> leaves) => Naive(leaves, 0, leaves.Count);

    private static MerkleHash Naive(List<MerkleHash> leaves, int start, int count)
    {
        if (count == 1)
        {
            return leaves[start];
        }

        int k = 1;
        while (k * 2 < count)
        {
            k *= 2;
        }

        return Rfc6962.HashChildren(Naive(leaves, start, k), Naive(leaves, start + k, count - k));
    }
}
