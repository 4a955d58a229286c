using BenchmarkDotNet.Attributes;
using Clearinghouse.Hashing;

namespace Clearinghouse.Benchmarks;

/// <summary>The scalar Hamming distance (four 64-bit popcounts) over a contiguous array of hashes.</summary>
public class HammingBenchmarks
{
    private Hash256[] _hashes = [];
    private Hash256 _query;

    [Params(100_000)]
    public int Count { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        _hashes = new Hash256[Count];
        for (int i = 0; i < _hashes.Length; i++)
        {
            _hashes[i] = new Hash256((ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64());
        }

        _query = _hashes[Count / 2];
    }

    [Benchmark(Baseline = true, Description = "Hash256.Distance, scalar popcount")]
    public int ScanWithin31()
    {
        int matches = 0;
        foreach (ref readonly var h in _hashes.AsSpan())
        {
            matches += Hash256.Distance(_query, h) <= 31 ? 1 : 0;
        }

        return matches;
    }
}
