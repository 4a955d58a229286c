using BenchmarkDotNet.Attributes;
using Clearinghouse.Ledger.Auditing;
using Clearinghouse.Ledger.Checkpoints;
using Clearinghouse.Ledger.Entries;
using Clearinghouse.Ledger.Keys;
using Clearinghouse.Ledger.Merkle;
using Clearinghouse.Ledger.Tiles;

namespace Clearinghouse.Benchmarks;

/// <summary>
/// Appending canonical entries to the tiled Merkle log (in-memory tile store) in batches of 1 000, as the node writes
/// them: leaf hashing, frontier merges, tile writes. Reported per entry (OperationsPerInvoke).
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 5)]
public class LedgerAppendBenchmarks
{
    private const int Entries = 100_000;
    private const int Batch = 1_000;
    private byte[][] _entries = [];

    [GlobalSetup]
    public void Setup() => _entries = LedgerBenchmarkData.Entries(Entries);

    [Benchmark(OperationsPerInvoke = Entries, Description = "append one entry (batches of 1000)")]
    public long Append()
    {
        var log = MerkleLog.Create(new InMemoryTileStore());
        var leaves = new MerkleHash[Batch];
        for (int start = 0; start < Entries; start += Batch)
        {
            for (int i = 0; i < Batch; i++)
            {
                leaves[i] = Rfc6962.HashLeaf(_entries[start + i]);
            }

            log.Append(leaves);
        }

        return log.Size;
    }
}

/// <summary>
/// Proof latency at 1 M and 10 M entries, each proof for a random index or old size against the full tree. "cold"
/// has the tile cache disabled, so every proof reads its tiles from the (in-memory) store; "warm" is the default
/// cache after the 4096 random queries have been seen once.
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 5)]
public class LedgerProofBenchmarks
{
    private MerkleLog _warm = null!;
    private MerkleLog _cold = null!;
    private long[] _random = [];
    private int _next;

    [Params(1_000_000, 10_000_000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var store = new InMemoryTileStore();
        var log = MerkleLog.Create(store);
        var leaves = new MerkleHash[65_536];
        Span<byte> entry = stackalloc byte[8];
        for (long start = 0; start < Size; start += leaves.Length)
        {
            int count = (int)Math.Min(leaves.Length, Size - start);
            for (int i = 0; i < count; i++)
            {
                BitConverter.TryWriteBytes(entry, start + i);
                leaves[i] = Rfc6962.HashLeaf(entry);
            }

            log.Append(leaves.AsSpan(0, count));
        }

        _warm = MerkleLog.Open(store, Size, log.Root);
        _cold = MerkleLog.Open(store, Size, log.Root, cachedTiles: 0);
        var random = new Random(1);
        _random = [.. Enumerable.Range(0, 4096).Select(_ => random.NextInt64(1, Size))];
    }

    private long NextRandom() => _random[_next++ & 4095];

    [Benchmark(Description = "inclusion proof, warm cache")]
    public MerkleHash[] InclusionWarm() => _warm.InclusionProof(NextRandom(), Size);

    [Benchmark(Description = "inclusion proof, cold (no cache)")]
    public MerkleHash[] InclusionCold() => _cold.InclusionProof(NextRandom(), Size);

    [Benchmark(Description = "consistency proof, warm cache")]
    public MerkleHash[] ConsistencyWarm() => _warm.ConsistencyProof(NextRandom(), Size);

    [Benchmark(Description = "consistency proof, cold (no cache)")]
    public MerkleHash[] ConsistencyCold() => _cold.ConsistencyProof(NextRandom(), Size);

    [Benchmark(Description = "root at a past size, cold (no cache)")]
    public MerkleHash RootAtCold() => _cold.RootAt(NextRandom());
}

/// <summary>
/// The auditor's rate: a first audit of 100 000 canonical entries (parse, canonical re-check, leaf hash, tree,
/// checkpoint signature, root), reported per entry.
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 5)]
public class LedgerVerifyBenchmarks
{
    private const int Entries = 100_000;
    private ReadOnlyMemory<byte>[] _entries = [];
    private NodeSigningKey _key = null!;
    private string _checkpoint = "";

    [GlobalSetup]
    public void Setup()
    {
        _entries = [.. LedgerBenchmarkData.Entries(Entries).Select(e => (ReadOnlyMemory<byte>)e)];
        _key = NodeSigningKey.Generate(LedgerBenchmarkData.Origin);
        var log = MerkleLog.Create(new InMemoryTileStore());
        log.Append([.. _entries.Select(e => Rfc6962.HashLeaf(e.Span))]);
        _checkpoint = new Checkpoint(LedgerBenchmarkData.Origin, Entries, log.Root).Sign(_key);
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(OperationsPerInvoke = Entries, Description = "verify one entry (first audit)")]
    public long Verify() =>
        new LogVerifier(LedgerBenchmarkData.Origin, _key.Verifier, new InMemoryTileStore()).Verify(_checkpoint, _entries).EntriesChecked;
}

internal static class LedgerBenchmarkData
{
    public const string Origin = "clearinghouse.example/log";

    /// <summary>Signal-added entries as the node writes them (≈ 330 bytes of canonical JSON each).</summary>
    public static byte[][] Entries(int count)
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        byte[] salt = new byte[ValueCommitment.SaltSize];
        var entries = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            entries[i] = new SignalAdded(i, start.AddMilliseconds(i), $"sig-{i:x12}", "pdq", "attack-footage", null, "gifct-shared",
                "Example Platform Ltd", ValueCommitment.Compute(salt, $"{i:x64}")).ToCanonicalJson();
        }

        return entries;
    }
}
