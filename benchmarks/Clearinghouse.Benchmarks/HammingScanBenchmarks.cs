using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using Clearinghouse.Hashing;
using Clearinghouse.Matching;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Benchmarks;

/// <summary>
/// Linear-scan kernels of the PDQ index, per hash scanned: the scalar reference (four POPCNTs), AVX2 (nibble
/// lookup + VPSADBW + 4×4 transpose), and the 8-query batch (one pass over memory for eight queries; reported per
/// query-hash pair by dividing by 8 via OperationsPerInvoke). Vector512 is used when hardware accelerated; .NET 10
/// exposes no VPOPCNTQ intrinsic, so an AVX-512 kernel would be the same nibble lookup at twice the width.
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class HammingScanBenchmarks
{
    private Hash256[] _hashes = [];
    private Hash256[] _queries = [];
    private int[] _hitIndex = [];
    private ushort[] _hitDistance = [];
    private byte[] _hitQuery = [];

    /// <summary>4096 hashes (128 KiB: in L2) and 1 M (32 MiB: from memory).</summary>
    [Params(4096, 1 << 20)]
    public int Count { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Console.WriteLine($"// Vector256 accelerated: {Vector256.IsHardwareAccelerated}, AVX2: {Avx2.IsSupported}, Vector512 accelerated: {Vector512.IsHardwareAccelerated}, AVX-512BW: {Avx512BW.IsSupported}");
        var rng = new Random(7);
        _hashes = new Hash256[Count];
        for (int i = 0; i < _hashes.Length; i++)
        {
            _hashes[i] = new Hash256((ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64());
        }

        _queries = [.. Enumerable.Range(0, HammingScan.BatchWidth).Select(i => _hashes[i * 17])];
        _hitIndex = new int[512 * HammingScan.BatchWidth];
        _hitDistance = new ushort[512 * HammingScan.BatchWidth];
        _hitQuery = new byte[512 * HammingScan.BatchWidth];
    }

    [Benchmark(Baseline = true, Description = "scalar popcount, 1 query")]
    public int Scalar()
    {
        int hits = 0;
        for (int i = 0; i < _hashes.Length; i += 512)
        {
            var block = _hashes.AsSpan(i, Math.Min(512, _hashes.Length - i));
            hits += HammingScan.WithinScalar(block, _queries[0], 31, _hitIndex, _hitDistance);
        }

        return hits;
    }

    [Benchmark(Description = "AVX2 nibble LUT, 1 query")]
    public int Avx2Kernel()
    {
        int hits = 0;
        for (int i = 0; i < _hashes.Length; i += 512)
        {
            var block = _hashes.AsSpan(i, Math.Min(512, _hashes.Length - i));
            hits += HammingScan.WithinAvx2(block, _queries[0], 31, _hitIndex, _hitDistance);
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = HammingScan.BatchWidth, Description = "scalar, 8-query batch (per query)")]
    public int Batch8()
    {
        int hits = 0;
        for (int i = 0; i < _hashes.Length; i += 512)
        {
            var block = _hashes.AsSpan(i, Math.Min(512, _hashes.Length - i));
            hits += HammingScan.WithinBatch(block, _queries, 31, _hitQuery, _hitIndex, _hitDistance);
        }

        return hits;
    }
}

/// <summary>One PDQ query at radius 31 against 1 M uniform hashes: MIH vs the scan the index falls back to.</summary>
[SimpleJob(warmupCount: 2, iterationCount: 8)]
public class PdqIndexQueryBenchmarks
{
    private PdqIndex _mih = null!;
    private PdqIndex _scan = null!;
    private Hash256[] _queries = [];
    private readonly List<IndexMatch> _results = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(11);
        var hashes = new Hash256[1 << 20];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i] = new Hash256((ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64());
        }

        _mih = PdqIndex.Build(hashes, new PdqIndexOptions { Method = PdqSearchMethod.Mih });
        _scan = PdqIndex.Build(hashes, new PdqIndexOptions { Method = PdqSearchMethod.Scan });
        _queries = [.. Enumerable.Range(0, 64).Select(i => i % 2 == 0 ? hashes[rng.Next(hashes.Length)] : hashes[i].FlipBit(i).FlipBit(200))];
    }

    [Benchmark(OperationsPerInvoke = 64, Description = "MIH, radius 31")]
    public int Mih() => Run(_mih);

    [Benchmark(OperationsPerInvoke = 64, Baseline = true, Description = "scan, radius 31")]
    public int Scan() => Run(_scan);

    private int Run(PdqIndex index)
    {
        int n = 0;
        foreach (var q in _queries)
        {
            _results.Clear();
            index.Query(q, 31, _results);
            n += _results.Count;
        }

        return n;
    }
}
