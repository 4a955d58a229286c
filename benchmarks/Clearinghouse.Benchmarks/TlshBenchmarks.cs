using BenchmarkDotNet.Attributes;
using Clearinghouse.Hashing.Tlsh;
using Clearinghouse.Hashing.Tlsh.Reference;
using Clearinghouse.Matching;
using Clearinghouse.Matching.Tlsh;

namespace Clearinghouse.Benchmarks;

/// <summary>
/// TLSH hashing of 1 MiB of text-like bytes: the optimised incremental <see cref="TlshHasher"/> (fed in 64 KiB chunks,
/// as the CLI streams files) against the plain transcription <see cref="ScalarReferenceTlsh"/> (the baseline, same
/// run). Throughput is 1 MiB divided by the mean time.
/// </summary>
[MemoryDiagnoser]
public class TlshHashBenchmarks
{
    private const int Size = 1 << 20;
    private readonly TlshHasher _hasher = new();
    private byte[] _text = [];

    [GlobalSetup]
    public void Setup()
    {
        // Words of a small vocabulary with spaces and line breaks: closer to text than uniform noise.
        var rng = new Random(11);
        string[] words = [.. Enumerable.Range(0, 2000).Select(_ => new string([.. Enumerable.Range(0, rng.Next(2, 10)).Select(_ => (char)('a' + rng.Next(26)))]))];
        var text = new System.Text.StringBuilder(Size + 16);
        while (text.Length < Size)
        {
            text.Append(words[rng.Next(words.Length)]).Append(rng.Next(12) == 0 ? '\n' : ' ');
        }

        _text = System.Text.Encoding.ASCII.GetBytes(text.ToString(0, Size));
    }

    [Benchmark(Baseline = true, Description = "plain transcription, 1 MiB")]
    public string? Plain() => ScalarReferenceTlsh.Hash(_text);

    [Benchmark(Description = "TlshHasher, 1 MiB in 64 KiB chunks")]
    public TlshHash Optimised()
    {
        for (int i = 0; i < _text.Length; i += 1 << 16)
        {
            _hasher.Update(_text.AsSpan(i, 1 << 16));
        }

        return _hasher.Final().Hash;
    }
}

/// <summary>
/// TLSH threshold search (distance with length ≤ 30) over 1 M digests: <see cref="TlshIndex"/> against a linear scan
/// that computes the reference distance to every digest (the baseline). The digests are synthetic: length codes
/// uniform over 30..120 (inputs of about 200 bytes to 1 MB), quartile ratios and bodies uniform; each query is a stored
/// digest with 6 of its 128 bucket codes changed. Per query (the scan times 4 queries per invocation, the index 64).
/// </summary>
public class TlshIndexBenchmarks
{
    private const int Queries = 64;
    private const int ScanQueries = 4;
    private TlshHash[] _digests = [];
    private TlshHash[] _queries = [];
    private TlshIndex _index = new();
    private readonly List<IndexMatch> _results = [];

    [Params(1_000_000)]
    public int Count { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(5);
        _digests = new TlshHash[Count];
        var bytes = new byte[TlshHash.ByteLength];
        _index = new TlshIndex();
        for (int i = 0; i < Count; i++)
        {
            rng.NextBytes(bytes);
            byte length = (byte)rng.Next(30, 121);
            bytes[1] = (byte)((length >> 4) | (length << 4));
            _digests[i] = TlshHash.FromBytes(bytes);
            _index.Add(i, _digests[i]);
        }

        _queries = new TlshHash[Queries];
        for (int q = 0; q < Queries; q++)
        {
            _digests[rng.Next(Count)].Bytes.CopyTo(bytes);
            for (int k = 0; k < 6; k++)
            {
                bytes[3 + rng.Next(32)] ^= (byte)(1 << rng.Next(8));
            }

            _queries[q] = TlshHash.FromBytes(bytes);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ScanQueries, Description = "linear scan, reference distance")]
    public int LinearScan()
    {
        int hits = 0;
        foreach (var query in _queries.AsSpan(0, ScanQueries))
        {
            foreach (var digest in _digests)
            {
                hits += TlshHash.Distance(query, digest) <= 30 ? 1 : 0;
            }
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = Queries, Description = "TlshIndex")]
    public int Index()
    {
        int hits = 0;
        foreach (var query in _queries)
        {
            _results.Clear();
            _index.Query(query, 30, _results);
            hits += _results.Count;
        }

        return hits;
    }
}
