using System.Text;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Tiles;

namespace Clearinghouse.Ledger.Tests;

/// <summary>
/// Published RFC 6962 known answers: the Certificate Transparency reference leaves, every complete subtree hash,
/// the roots for sizes 0..8 and the proofs of transparency-dev/merkle's test data, and the leaf hash of
/// golang.org/x/mod/sumdb/tlog's golden tree. Values other implementations agree on, so a log that passes them is
/// interoperable, not just self-consistent.
/// </summary>
public sealed class MerkleKnownAnswerTests
{
    private static readonly string[] CtLeaves =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly string[] CtRoots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    // Every complete subtree of the 8-leaf tree: level, then index.
    private static readonly string[][] CtNodes =
    [
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ],
        [
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        ],
        [
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
        ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
    ];

    private static MerkleHash Node(int level, int index) => MerkleHash.ParseHex(CtNodes[level][index]);

    private static MerkleLog CtTree()
    {
        var log = MerkleLog.Create(new InMemoryTileStore());
        var leaves = CtLeaves.Select(hex => Rfc6962.HashLeaf(Convert.FromHexString(hex))).ToArray();
        log.Append(leaves);
        return log;
    }

    [Fact]
    public void Leaf_hashes_are_the_reference_leaf_row()
    {
        for (int i = 0; i < CtLeaves.Length; i++)
        {
            Assert.Equal(Node(0, i), Rfc6962.HashLeaf(Convert.FromHexString(CtLeaves[i])));
        }
    }

    [Fact]
    public void Interior_hashes_are_the_reference_nodes()
    {
        for (int level = 1; level < CtNodes.Length; level++)
        {
            for (int i = 0; i < CtNodes[level].Length; i++)
            {
                Assert.Equal(Node(level, i), Rfc6962.HashChildren(Node(level - 1, 2 * i), Node(level - 1, (2 * i) + 1)));
            }
        }
    }

    [Fact]
    public void Roots_at_every_size_0_to_8_are_the_reference_roots()
    {
        Assert.Equal(CtRoots[0], Rfc6962.EmptyTreeHash.ToHex());
        var log = CtTree();
        for (int size = 0; size <= 8; size++)
        {
            Assert.Equal(CtRoots[size], log.RootAt(size).ToHex());
        }

        // And incrementally: the root after each append.
        var grown = MerkleLog.Create(new InMemoryTileStore());
        for (int i = 0; i < CtLeaves.Length; i++)
        {
            grown.Append([Rfc6962.HashLeaf(Convert.FromHexString(CtLeaves[i]))]);
            Assert.Equal(CtRoots[i + 1], grown.Root.ToHex());
        }
    }

    [Fact]
    public void Go_tlog_record_hash_of_hello_world()
    {
        // golang.org/x/mod/sumdb/tlog: RecordHash("hello world") in its golden tree note.
        Assert.Equal("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=", Rfc6962.HashLeaf("hello world"u8).ToBase64());
    }

    public static TheoryData<int, int, string[]> InclusionVectors => new()
    {
        { 0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        { 1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
        { 0, 1, [] },
    };

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void Inclusion_proofs_are_the_reference_proofs_and_verify(int index, int size, string[] expected)
    {
        var log = CtTree();
        MerkleHash[] proof = log.InclusionProof(index, size);
        Assert.Equal(expected, proof.Select(h => h.ToHex()));
        var check = MerkleProof.VerifyInclusion(index, size, Node(0, index), proof, MerkleHash.ParseHex(CtRoots[size]));
        Assert.True(check.IsValid, check.Message);
    }

    public static TheoryData<int, int, string[]> ConsistencyVectors => new()
    {
        { 1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
        { 6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 1, 1, [] },
    };

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void Consistency_proofs_are_the_reference_proofs_and_verify(int size1, int size2, string[] expected)
    {
        var log = CtTree();
        MerkleHash[] proof = log.ConsistencyProof(size1, size2);
        Assert.Equal(expected, proof.Select(h => h.ToHex()));
        var check = MerkleProof.VerifyConsistency(size1, size2, MerkleHash.ParseHex(CtRoots[size1]), MerkleHash.ParseHex(CtRoots[size2]), proof);
        Assert.True(check.IsValid, check.Message);
    }

    [Fact]
    public void Consistency_edge_cases_of_the_reference_suite()
    {
        var root1 = MerkleHash.ParseHex(CtRoots[1]);
        var root2 = MerkleHash.ParseHex(CtRoots[2]);

        // Different sizes with an empty proof.
        Assert.Equal(ProofFailure.EmptyProof, MerkleProof.VerifyConsistency(1, 2, root1, root2, []).Failure);

        // Equal sizes: equal roots and no proof, or a precise failure.
        Assert.True(MerkleProof.VerifyConsistency(1, 1, root1, root1, []).IsValid);
        Assert.Equal(ProofFailure.SecondRootMismatch, MerkleProof.VerifyConsistency(1, 1, root1, root2, []).Failure);
        Assert.Equal(ProofFailure.ProofNotEmpty, MerkleProof.VerifyConsistency(1, 1, root1, root1, [root1]).Failure);
        Assert.True(MerkleProof.VerifyConsistency(0, 0, Rfc6962.EmptyTreeHash, Rfc6962.EmptyTreeHash, []).IsValid);

        // From the empty tree: always consistent, but only with an empty proof.
        Assert.True(MerkleProof.VerifyConsistency(0, 2, Rfc6962.EmptyTreeHash, root2, []).IsValid);
        Assert.Equal(ProofFailure.ProofNotEmpty, MerkleProof.VerifyConsistency(0, 2, Rfc6962.EmptyTreeHash, root2, [root1]).Failure);

        // Shrinking.
        Assert.Equal(ProofFailure.SizesOutOfOrder, MerkleProof.VerifyConsistency(2, 1, root2, root1, []).Failure);
        Assert.Equal(ProofFailure.NegativeArgument, MerkleProof.VerifyConsistency(-1, 1, root2, root1, []).Failure);
    }

    [Fact]
    public void Inclusion_edge_cases_of_the_reference_suite()
    {
        var leaf = Node(0, 0);

        // A single-leaf tree: the leaf is the root and the proof is empty.
        Assert.True(MerkleProof.VerifyInclusion(0, 1, leaf, [], leaf).IsValid);
        Assert.Equal(ProofFailure.RootMismatch, MerkleProof.VerifyInclusion(0, 1, leaf, [], Rfc6962.EmptyTreeHash).Failure);
        Assert.Equal(ProofFailure.IndexOutOfRange, MerkleProof.VerifyInclusion(0, 0, leaf, [], Rfc6962.EmptyTreeHash).Failure);
        Assert.Equal(ProofFailure.IndexOutOfRange, MerkleProof.VerifyInclusion(1, 1, leaf, [], leaf).Failure);
        Assert.Equal(ProofFailure.ProofTooLong, MerkleProof.VerifyInclusion(0, 1, leaf, [leaf], leaf).Failure);
        Assert.Equal(ProofFailure.ProofTooShort, MerkleProof.VerifyInclusion(0, 2, leaf, [], leaf).Failure);
    }

    [Fact]
    public void Tile_paths_are_the_C2SP_encoding()
    {
        Assert.Equal("tile/0/x001/x234/067", new TileId(0, 1234067).Path(256));
        Assert.Equal("tile/0/000", new TileId(0, 0).Path(256));
        Assert.Equal("tile/2/005.p/1", new TileId(2, 5).Path(1));
        Assert.Equal("tile/1/x001/000.p/255", new TileId(1, 1000).Path(255));
    }

    [Fact]
    public void A_tree_of_70000_has_the_tiles_the_C2SP_spec_lists()
    {
        // tlog-tiles: 273 full level-0 tiles, a partial level-0 tile of width 112, one full level-1 tile, a partial
        // level-1 tile of width 17 and a partial level-2 tile of width 1.
        var log = MerkleLog.Create(new InMemoryTileStore());
        var leaves = Enumerable.Range(0, 70_000).Select(i => Rfc6962.HashLeaf(Encoding.ASCII.GetBytes($"e{i}"))).ToArray();
        PendingAppend append = log.PrepareAppend(leaves);
        var byLevel = append.Tiles.GroupBy(t => t.Id.Level).ToDictionary(g => g.Key, g => g.Select(t => t.Width).ToList());
        Assert.Equal(3, byLevel.Count);
        Assert.Equal(273, byLevel[0].Count(w => w == 256));
        Assert.Equal([112], byLevel[0].Where(w => w < 256));
        Assert.Equal([256, 17], byLevel[1]);
        Assert.Equal([1], byLevel[2]);

        // A tree of 256: one full level-0 tile and a level-1 tile of width 1.
        var small = MerkleLog.Create(new InMemoryTileStore()).PrepareAppend(leaves.AsSpan(0, 256));
        Assert.Equal(["tile/0/000", "tile/1/000.p/1"], small.Tiles.Select(t => t.ToString()));
    }
}
