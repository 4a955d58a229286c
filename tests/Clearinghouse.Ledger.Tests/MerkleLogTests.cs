using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Tiles;
using FsCheck;
using FsCheck.Fluent;

namespace Clearinghouse.Ledger.Tests;

/// <summary>The tiled log's storage behaviour: reopening, two-phase appends, the file store, larger trees.</summary>
public sealed class MerkleLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ledger-tiles-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MerkleHash Leaf(int i) => Rfc6962.HashLeaf(NaiveMerkle.Entry(i));

    private static MerkleHash[] Leaves(int start, int count) => Enumerable.Range(start, count).Select(Leaf).ToArray();

    [Fact]
    public void Reopening_at_any_size_restores_the_root_and_appending_continues_identically()
    {
        var store = new InMemoryTileStore();
        var log = MerkleLog.Create(store);
        var reference = NaiveMerkle.OfEntries(1400);
        int[] cuts = [1, 2, 255, 256, 257, 511, 512, 513, 1000, 1024, 1300];
        int done = 0;
        foreach (int cut in cuts)
        {
            log.Append(Leaves(done, cut - done));
            done = cut;

            // A fresh process: only the store and the size survive.
            log = MerkleLog.Open(store, cut, reference.Root(cut));
            Assert.Equal(reference.Root(cut), log.Root);
        }

        log.Append(Leaves(done, 1400 - done));
        Assert.Equal(reference.Root(1400), log.Root);
        Assert.Equal(reference.Path(700, 1400), log.InclusionProof(700, 1400));
    }

    [Fact]
    public void Opening_with_a_root_the_tiles_do_not_give_is_refused()
    {
        var store = new InMemoryTileStore();
        MerkleLog.Create(store).Append(Leaves(0, 300));
        var e = Assert.Throws<InvalidDataException>(() => MerkleLog.Open(store, 300, Leaf(0)));
        Assert.Contains("does not hold this log", e.Message, StringComparison.Ordinal);
        Assert.Throws<TileNotFoundException>(() => MerkleLog.Open(store, 600));
    }

    [Fact]
    public void A_prepared_append_changes_nothing_until_committed_and_a_stale_one_is_refused()
    {
        var store = new InMemoryTileStore();
        var log = MerkleLog.Create(store);
        log.Append(Leaves(0, 10));
        MerkleHash before = log.Root;

        PendingAppend pending = log.PrepareAppend(Leaves(10, 5));
        Assert.Equal(10, log.Size);
        Assert.Equal(before, log.Root);
        Assert.Equal(15, pending.NewSize);

        // The caller's transaction failed: never committed, and a later append starts from the committed tree.
        PendingAppend other = log.PrepareAppend(Leaves(10, 3));
        store.WriteTiles(other.Tiles);
        log.Commit(other);
        Assert.Equal(13, log.Size);
        var e = Assert.Throws<InvalidOperationException>(() => log.Commit(pending));
        Assert.Contains("prepared at size 10", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => MerkleLog.Create(new InMemoryTileStore()).Commit(other));
    }

    [Fact]
    public void Sizes_and_indices_outside_the_tree_are_precise_argument_errors()
    {
        var log = MerkleLog.Create(new InMemoryTileStore());
        log.Append(Leaves(0, 10));
        Assert.Contains("beyond the log's size 10", Assert.Throws<ArgumentOutOfRangeException>(() => log.InclusionProof(0, 11)).Message, StringComparison.Ordinal);
        Assert.Contains("not inside a tree of size 5", Assert.Throws<ArgumentOutOfRangeException>(() => log.InclusionProof(5, 5)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.InclusionProof(-1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.ConsistencyProof(6, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.ConsistencyProof(1, 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.RootAt(11));
        Assert.Empty(log.ConsistencyProof(0, 10));
        Assert.Empty(log.ConsistencyProof(10, 10));
        Assert.Equal(Rfc6962.EmptyTreeHash, log.RootAt(0));
    }

    [Fact]
    public void The_file_store_holds_the_same_tree_and_reopens_from_disk()
    {
        string path = Path.Combine(_directory, "tiles");
        var reference = NaiveMerkle.OfEntries(2000);
        using (var files = new FileTileStore(path))
        {
            var log = MerkleLog.Create(files);
            log.Append(Leaves(0, 700));
            log.Append(Leaves(700, 1));
            log.Append(Leaves(701, 1299));
            Assert.Equal(reference.Root(2000), log.Root);
        }

        using (var files = new FileTileStore(path))
        {
            var log = MerkleLog.Open(files, 2000, reference.Root(2000));
            Assert.Equal(reference.Root(1234), log.RootAt(1234));
            Assert.Equal(reference.Path(1999, 2000), log.InclusionProof(1999, 2000));
            Assert.Equal(reference.Proof(333, 1999), log.ConsistencyProof(333, 1999));
            var leaves = new MerkleHash[300];
            log.ReadLeafHashes(1700, leaves);
            Assert.Equal(Leaves(1700, 300), leaves);
        }

        // Seven full level-0 tiles and a partial one of 208; one level-1 tile of width 7.
        Assert.Equal((7 * FileTileStore.SlotBytes) + 4 + (TileLayout.TileHashes(208) * 32), new FileInfo(Path.Combine(path, "level-0.tiles")).Length);
        Assert.Equal(4 + (TileLayout.TileHashes(7) * 32), new FileInfo(Path.Combine(path, "level-1.tiles")).Length);
    }

    [Fact]
    public void The_memory_store_refuses_gaps_and_keeps_the_batch_atomic()
    {
        var store = new InMemoryTileStore();
        var full = new Tile(new TileId(0, 0), 256, new byte[TileLayout.FullTileHashes * 32]);
        Assert.Throws<ArgumentException>(() => store.WriteTiles([full, new Tile(new TileId(0, 2), 1, new byte[32])]));
        Assert.Equal(0, store.TileCount);
        store.WriteTiles([full, new Tile(new TileId(0, 1), 2, new byte[3 * 32])]);
        Assert.Equal(2, store.TileCount);
        Assert.Throws<ArgumentException>(() => new Tile(new TileId(0, 0), 2, new byte[2 * 32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Tile(new TileId(0, 0), 257, new byte[TileLayout.TileHashes(256) * 32]));
        Assert.Throws<TileNotFoundException>(() => store.ReadTiles([new TileRead(new TileId(0, 1), 3)], new Tile[1]));
        Assert.Throws<TileNotFoundException>(() => store.ReadTiles([new TileRead(new TileId(3, 0), 1)], new Tile[1]));
    }

    [Fact]
    public void Tile_rows_pack_bottom_first_and_truncate_to_the_nodes_under_a_prefix()
    {
        Assert.Equal(510, TileLayout.TileHashes(256));
        Assert.Equal(1, TileLayout.TileHashes(1));
        Assert.Equal(5 + 2 + 1, TileLayout.TileHashes(5));
        var log = MerkleLog.Create(new InMemoryTileStore());
        log.Append(Leaves(0, 200));
        var tiles = new Tile[1];
        log.Store.ReadTiles([new TileRead(new TileId(0, 0), 200)], tiles);
        Tile cut = tiles[0].Truncate(77);
        Assert.Equal(77, cut.Width);
        var reference = NaiveMerkle.OfEntries(200);
        for (int k = 0; k < TileLayout.Height; k++)
        {
            for (int position = 0; position < (77 >> k); position++)
            {
                Assert.Equal(tiles[0].Node(k, position), cut.Node(k, position));
                Assert.Equal(reference.RootOf(position << k, (position + 1) << k), cut.Node(k, position));
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => cut.Node(6, 1));
    }

    [Fact]
    public void A_tree_past_three_tile_levels_agrees_with_the_naive_definitions_on_sampled_proofs()
    {
        // 70 000 leaves: partial tiles on levels 0, 1 and 2 (C2SP's example size).
        const int size = 70_000;
        var reference = NaiveMerkle.OfEntries(size);
        var log = MerkleLog.Create(new InMemoryTileStore());
        var random = new Random(70_000);
        int done = 0;
        while (done < size)
        {
            int batch = Math.Min(size - done, random.Next(1, 5000));
            log.Append(Leaves(done, batch));
            done += batch;
        }

        Assert.Equal(reference.Root(size), log.Root);
        int[] sizes = [65_535, 65_536, 65_537, 69_999, 70_000, 256 * 256 + 256, 12_345];
        foreach (int n in sizes)
        {
            Assert.Equal(reference.Root(n), log.RootAt(n));
            foreach (int i in new[] { 0, 1, 255, 256, n / 2, n - 257, n - 2, n - 1 })
            {
                Assert.Equal(reference.Path(i, n), log.InclusionProof(i, n));
            }

            foreach (int m in new[] { 1, 256, 65_536, n - 1, n / 3 })
            {
                if (m < n)
                {
                    Assert.Equal(reference.Proof(m, n), log.ConsistencyProof(m, n));
                }
            }
        }
    }

    [Fact]
    public void Random_sizes_up_to_a_few_thousand_give_RFC_proofs_that_verify()
    {
        const int max = 4000;
        var reference = NaiveMerkle.OfEntries(max);
        var log = MerkleLog.Create(new InMemoryTileStore());
        log.Append(Leaves(0, max));

        var cases = from n in Gen.Choose(1, max)
                    from i in Gen.Choose(0, n - 1)
                    from m in Gen.Choose(0, n)
                    select (n, i, m);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            (int n, int i, int m) = c;
            MerkleHash root = reference.Root(n);
            MerkleHash[] path = log.InclusionProof(i, n);
            MerkleHash[] proof = log.ConsistencyProof(m, n);
            return path.SequenceEqual(reference.Path(i, n))
                && MerkleProof.VerifyInclusion(i, n, reference.Leaf(i), path, root).IsValid
                && proof.SequenceEqual(m == 0 ? [] : reference.Proof(m, n))
                && MerkleProof.VerifyConsistency(m, n, reference.Root(m), root, proof).IsValid
                && log.RootAt(n) == root;
        }).QuickCheckThrowOnFailure();
    }
}
