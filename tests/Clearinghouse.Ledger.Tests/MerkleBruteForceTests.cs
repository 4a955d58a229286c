using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Tiles;

namespace Clearinghouse.Ledger.Tests;

/// <summary>
/// Every tree size 1..300 (past one full tile, so tile level 1 is exercised), every index and every pair of sizes:
/// the tiled log's roots and proofs equal the RFC's definitions computed naively, correct proofs verify, and any
/// single-bit change, wrong index, wrong size, missing or extra hash makes verification fail.
/// </summary>
public sealed class MerkleBruteForceTests
{
    private const int MaxSize = 300;

    // Sizes up to this get every bit of every proof hash flipped; above, one bit per hash (a different one each time).
    private const int AllBitsUpTo = 16;

    private static readonly NaiveMerkle Naive = NaiveMerkle.OfEntries(MaxSize);
    private static readonly Lazy<MerkleLog> Log = new(() => BuildInRandomBatches(MaxSize, seed: 7));

    private static MerkleLog BuildInRandomBatches(int size, int seed)
    {
        var random = new Random(seed);
        var log = MerkleLog.Create(new InMemoryTileStore());
        MerkleHash[] leaves = Naive.Leaves(size);
        int done = 0;
        while (done < size)
        {
            int batch = Math.Min(size - done, random.Next(1, 40));
            log.Append(leaves.AsSpan(done, batch));
            done += batch;
        }

        return log;
    }

    [Fact]
    public void Roots_at_every_size_equal_MTH()
    {
        for (int n = 0; n <= MaxSize; n++)
        {
            Assert.Equal(Naive.Root(n), Log.Value.RootAt(n));
        }
    }

    [Fact]
    public void Every_inclusion_proof_equals_PATH_and_verifies()
    {
        for (int n = 1; n <= MaxSize; n++)
        {
            MerkleHash root = Naive.Root(n);
            for (int i = 0; i < n; i++)
            {
                MerkleHash[] proof = Log.Value.InclusionProof(i, n);
                Assert.Equal(Naive.Path(i, n), proof);
                var check = MerkleProof.VerifyInclusion(i, n, Naive.Leaf(i), proof, root);
                Assert.True(check.IsValid, $"({i}, {n}): {check.Message}");
            }
        }
    }

    [Fact]
    public void Every_consistency_proof_equals_PROOF_and_verifies()
    {
        for (int n = 1; n <= MaxSize; n++)
        {
            MerkleHash root2 = Naive.Root(n);
            for (int m = 0; m <= n; m++)
            {
                MerkleHash[] proof = Log.Value.ConsistencyProof(m, n);
                MerkleHash[] expected = m == 0 ? [] : Naive.Proof(m, n);
                Assert.Equal(expected, proof);
                var check = MerkleProof.VerifyConsistency(m, n, Naive.Root(m), root2, proof);
                Assert.True(check.IsValid, $"({m}, {n}): {check.Message}");
            }
        }
    }

    [Fact]
    public void Inclusion_verification_rejects_every_corruption()
    {
        for (int n = 1; n <= MaxSize; n++)
        {
            MerkleHash root = Naive.Root(n);
            for (int i = 0; i < n; i++)
            {
                MerkleHash[] proof = Naive.Path(i, n);
                MerkleHash leaf = Naive.Leaf(i);
                bool Verifies(long index, long size, MerkleHash l, MerkleHash[] p, MerkleHash r) =>
                    MerkleProof.VerifyInclusion(index, size, l, p, r).IsValid;

                foreach (MerkleHash[] corrupted in BitFlips(proof, n <= AllBitsUpTo, seed: (n * 1000) + i))
                {
                    Assert.False(Verifies(i, n, leaf, corrupted, root), $"({i}, {n}) with a flipped bit");
                }

                Assert.False(Verifies(i, n, Flip(leaf, (i + n) % 256), proof, root), $"({i}, {n}) wrong leaf");
                Assert.False(Verifies(i, n, leaf, proof, Flip(root, i % 256)), $"({i}, {n}) wrong root");
                for (int j = 0; j < n; j++)
                {
                    if (j != i && (n <= AllBitsUpTo || Math.Abs(j - i) <= 2 || j == (i ^ 2)))
                    {
                        Assert.False(Verifies(j, n, leaf, proof, root), $"({i}, {n}) claimed at index {j}");
                    }
                }

                for (int size = Math.Max(1, n - 2); size <= Math.Min(MaxSize, n + 2); size++)
                {
                    if (size != n && i < size)
                    {
                        Assert.False(Verifies(i, size, leaf, proof, Naive.Root(size)), $"({i}, {n}) claimed in size {size}");
                    }
                }

                Assert.False(Verifies(i, n, leaf, [.. proof, root], root), $"({i}, {n}) with an extra hash");
                if (proof.Length > 0)
                {
                    Assert.False(Verifies(i, n, leaf, proof[..^1], root), $"({i}, {n}) without its last hash");
                    Assert.False(Verifies(i, n, leaf, proof[1..], root), $"({i}, {n}) without its first hash");
                }
            }
        }
    }

    [Fact]
    public void Consistency_verification_rejects_every_corruption()
    {
        for (int n = 2; n <= MaxSize; n++)
        {
            MerkleHash root2 = Naive.Root(n);
            for (int m = 1; m < n; m++)
            {
                MerkleHash[] proof = Naive.Proof(m, n);
                MerkleHash root1 = Naive.Root(m);
                bool Verifies(long s1, long s2, MerkleHash r1, MerkleHash r2, MerkleHash[] p) =>
                    MerkleProof.VerifyConsistency(s1, s2, r1, r2, p).IsValid;

                foreach (MerkleHash[] corrupted in BitFlips(proof, n <= AllBitsUpTo, seed: (n * 1000) + m))
                {
                    Assert.False(Verifies(m, n, root1, root2, corrupted), $"({m}, {n}) with a flipped bit");
                }

                Assert.False(Verifies(m, n, Flip(root1, m % 256), root2, proof), $"({m}, {n}) wrong old root");
                Assert.False(Verifies(m, n, root1, Flip(root2, n % 256), proof), $"({m}, {n}) wrong new root");
                for (int other = Math.Max(1, m - 2); other <= Math.Min(n, m + 2); other++)
                {
                    if (other != m)
                    {
                        Assert.False(Verifies(other, n, Naive.Root(other), root2, proof), $"({m}, {n}) claimed from {other}");
                    }
                }

                for (int other = Math.Max(m, n - 2); other <= Math.Min(MaxSize, n + 2); other++)
                {
                    if (other != n)
                    {
                        Assert.False(Verifies(m, other, root1, Naive.Root(other), proof), $"({m}, {n}) claimed to {other}");
                    }
                }

                Assert.False(Verifies(m, n, root1, root2, [.. proof, root2]), $"({m}, {n}) with an extra hash");
                Assert.False(Verifies(m, n, root1, root2, proof[..^1]), $"({m}, {n}) without its last hash");
                Assert.False(Verifies(m, n, root1, root2, proof[1..]), $"({m}, {n}) without its first hash");
            }
        }
    }

    [Fact]
    public void Batched_and_one_by_one_appends_write_the_same_tiles()
    {
        var oneByOne = new InMemoryTileStore();
        var log = MerkleLog.Create(oneByOne);
        MerkleHash[] leaves = Naive.Leaves(MaxSize);
        foreach (var leaf in leaves)
        {
            log.Append([leaf]);
        }

        var batched = BuildInRandomBatches(MaxSize, seed: 99);
        Assert.Equal(batched.Root, log.Root);
        var reads = new[] { new TileRead(new TileId(0, 0), 256), new TileRead(new TileId(0, 1), 44), new TileRead(new TileId(1, 0), 1) };
        var a = new Tile[3];
        var b = new Tile[3];
        oneByOne.ReadTiles(reads, a);
        batched.Store.ReadTiles(reads, b);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(a[i].Width, b[i].Width);
            Assert.Equal(a[i].Rows.ToArray(), b[i].Rows.ToArray());
        }

        // Every stored node is the MTH of the leaves under it: each row of the first two level-0 tiles, and the
        // level-1 tile's one bottom hash is the root of the first full level-0 tile.
        for (int k = 0; k < TileLayout.Height; k++)
        {
            for (int position = 0; position < (256 >> k); position++)
            {
                Assert.Equal(Naive.RootOf(position << k, (position + 1) << k), a[0].Node(k, position));
            }

            for (int position = 0; position < (44 >> k); position++)
            {
                Assert.Equal(Naive.RootOf(256 + (position << k), 256 + ((position + 1) << k)), a[1].Node(k, position));
            }
        }

        Assert.Equal(Naive.Root(256), a[2].Node(0, 0));
        Assert.Equal(Naive.Root(256), MerkleHash.FromBytes(a[2].BottomRow.Span));
    }

    private static IEnumerable<MerkleHash[]> BitFlips(MerkleHash[] proof, bool allBits, int seed)
    {
        for (int e = 0; e < proof.Length; e++)
        {
            if (allBits)
            {
                for (int bit = 0; bit < 256; bit++)
                {
                    yield return WithFlip(proof, e, bit);
                }
            }
            else
            {
                yield return WithFlip(proof, e, (seed + (e * 37)) % 256);
            }
        }
    }

    private static MerkleHash[] WithFlip(MerkleHash[] proof, int element, int bit)
    {
        var copy = (MerkleHash[])proof.Clone();
        copy[element] = Flip(copy[element], bit);
        return copy;
    }

    internal static MerkleHash Flip(MerkleHash hash, int bit)
    {
        byte[] bytes = hash.ToArray();
        bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        return MerkleHash.FromBytes(bytes);
    }
}
