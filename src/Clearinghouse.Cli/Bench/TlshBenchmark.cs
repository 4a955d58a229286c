using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using System.Text.Json;
using Clearinghouse.Hashing.Tlsh;
using Clearinghouse.Matching;
using Clearinghouse.Matching.Tlsh;
using Clearinghouse.Signals;

namespace Clearinghouse.Cli.Bench;

/// <summary>Options of <c>clearinghouse bench tlsh</c>.</summary>
/// <param name="Corpus">Text files whose words make the synthetic documents (a directory or files).</param>
/// <param name="Count">Documents hashed and indexed.</param>
/// <param name="Queries">Queries timed on the index and the vectorised scan.</param>
/// <param name="ReferenceQueries">Queries timed on the reference-distance scan (slow; a subset of the queries).</param>
public sealed record TlshBenchOptions(IReadOnlyList<string> Corpus, int Count, int Queries, int ReferenceQueries, int Threshold, int Seed);

/// <summary>
/// <c>clearinghouse bench tlsh</c>: TLSH threshold search over <c>--count</c> digests of text, with the signal
/// type's distance (<see cref="TlshSignalType.IncludeLength"/>): the <see cref="TlshIndex"/> against two linear scans —
/// the reference distance per digest, and a vectorised scan (packed bodies, header early-out, the same AVX2 body kernel
/// the index uses). Every query's results are checked equal across all three. One JSON line.
/// </summary>
/// <remarks>
/// The digests are of real-looking text, so their headers (quartile ratios) have text's skewed distribution rather
/// than a uniform one: each document draws words from one corpus file (its "topic"), 256 to 4,096 bytes long.
/// Each query is a stored document with 0.5 % of its bytes changed: a near duplicate, as a lightly edited manifesto.
/// </remarks>
public static class TlshBenchmark
{
    private const int MinBytes = 256;
    private const int MaxBytes = 4096;

    public static int Run(TlshBenchOptions options, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        byte[][][] topics = LoadTopics(options.Corpus);
        if (topics.Length == 0)
        {
            stderr.WriteLine("clearinghouse: the corpus holds no text files with words");
            return ExitCodes.BadInput;
        }

        bool includeLength = TlshSignalType.IncludeLength;
        var clock = Stopwatch.StartNew();
        var digests = new TlshHash[options.Count];
        Parallel.For(0, options.Count, () => new byte[MaxBytes + 64], (i, _, buffer) =>
        {
            int length = Document(topics, options.Seed, i, buffer);
            digests[i] = HashOrFallback(buffer.AsSpan(0, length), options.Seed, i);
            return buffer;
        }, _ => { });
        double hashSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var index = new TlshIndex(includeLength);
        for (int i = 0; i < digests.Length; i++)
        {
            index.Add(i, digests[i]);
        }

        double buildSeconds = clock.Elapsed.TotalSeconds;
        var scan = new PackedScan(digests, includeLength);

        var rng = new Random(options.Seed ^ 0x5EED);
        var queries = new TlshHash[options.Queries];
        var buffer = new byte[MaxBytes + 64];
        for (int q = 0; q < queries.Length; q++)
        {
            int of = rng.Next(options.Count);
            int length = Document(topics, options.Seed, of, buffer);
            for (int k = 0; k < length / 200; k++)
            {
                buffer[rng.Next(length)] = (byte)('a' + rng.Next(26));
            }

            queries[q] = HashOrFallback(buffer.AsSpan(0, length), options.Seed, -q - 1);
        }

        // Warm up each path once, then time it.
        var indexResults = new List<IndexMatch>[queries.Length];
        var scanResults = new List<IndexMatch>[queries.Length];
        index.Query(queries[0], options.Threshold, []);
        scan.Query(queries[0], options.Threshold, []);
        clock.Restart();
        for (int q = 0; q < queries.Length; q++)
        {
            indexResults[q] = [];
            index.Query(queries[q], options.Threshold, indexResults[q]);
        }

        double indexSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (int q = 0; q < queries.Length; q++)
        {
            scanResults[q] = [];
            scan.Query(queries[q], options.Threshold, scanResults[q]);
        }

        double scanSeconds = clock.Elapsed.TotalSeconds;
        int referenceQueries = Math.Min(options.ReferenceQueries, queries.Length);
        var referenceResults = new List<IndexMatch>[referenceQueries];
        clock.Restart();
        for (int q = 0; q < referenceQueries; q++)
        {
            var results = referenceResults[q] = [];
            var query = queries[q];
            for (int i = 0; i < digests.Length; i++)
            {
                int distance = TlshHash.Distance(query, digests[i], includeLength);
                if (distance <= options.Threshold)
                {
                    results.Add(new IndexMatch(i, distance));
                }
            }
        }

        double referenceSeconds = clock.Elapsed.TotalSeconds;

        bool equal = true;
        long matches = 0;
        for (int q = 0; q < queries.Length; q++)
        {
            matches += indexResults[q].Count;
            equal &= SameResults(indexResults[q], scanResults[q]) && (q >= referenceQueries || SameResults(indexResults[q], referenceResults[q]));
        }

        var headers = new HashSet<int>();
        foreach (var d in digests)
        {
            headers.Add((d.Q1Ratio << 4) | d.Q2Ratio);
        }

        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteString("benchmark", "tlsh_index");
            w.WriteNumber("count", options.Count);
            w.WriteNumber("queries", queries.Length);
            w.WriteNumber("reference_queries", referenceQueries);
            w.WriteNumber("threshold", options.Threshold);
            w.WriteBoolean("include_length", includeLength);
            w.WriteBoolean("avx2", Avx2.IsSupported);
            w.WriteNumber("distinct_ratio_pairs", headers.Count);
            w.WriteNumber("hash_s", Math.Round(hashSeconds, 3));
            w.WriteNumber("build_s", Math.Round(buildSeconds, 3));
            w.WriteNumber("index_us_per_query", Math.Round(indexSeconds * 1e6 / queries.Length, 1));
            w.WriteNumber("vector_scan_us_per_query", Math.Round(scanSeconds * 1e6 / queries.Length, 1));
            w.WriteNumber("reference_scan_us_per_query", referenceQueries == 0 ? 0 : Math.Round(referenceSeconds * 1e6 / referenceQueries, 1));
            w.WriteNumber("speedup_vs_vector_scan", Math.Round(scanSeconds / indexSeconds, 2));
            w.WriteNumber("speedup_vs_reference_scan", referenceQueries == 0 ? 0 : Math.Round(referenceSeconds / referenceQueries / (indexSeconds / queries.Length), 2));
            w.WriteNumber("matches_per_query", Math.Round((double)matches / queries.Length, 2));
            w.WriteBoolean("results_equal", equal);
            w.WriteEndObject();
        }

        stdout.WriteLine(Encoding.UTF8.GetString(json.ToArray()));
        return equal ? ExitCodes.Success : ExitCodes.InternalError;
    }

    /// <summary>Document <paramref name="i"/>: words of one topic, deterministic from the seed; returns its length.</summary>
    private static int Document(byte[][][] topics, int seed, int i, byte[] buffer)
    {
        var rng = new Random(HashCode.Combine(seed, i));
        byte[][] words = topics[rng.Next(topics.Length)];
        int target = rng.Next(MinBytes, MaxBytes + 1);
        int length = 0;
        while (length < target)
        {
            byte[] word = words[rng.Next(words.Length)];
            int n = Math.Min(word.Length, buffer.Length - length - 1);
            word.AsSpan(0, n).CopyTo(buffer.AsSpan(length));
            length += n;
            buffer[length++] = (byte)' ';
        }

        return length;
    }

    /// <summary>TLSH of a document; the rare document TLSH refuses (too uniform) gets random bytes appended until it hashes.</summary>
    private static TlshHash HashOrFallback(ReadOnlySpan<byte> text, int seed, int i)
    {
        var result = TlshHasher.Hash(text);
        if (result.Ok)
        {
            return result.Hash;
        }

        var rng = new Random(HashCode.Combine(seed, i, 7));
        var padded = new byte[text.Length + 512];
        text.CopyTo(padded);
        rng.NextBytes(padded.AsSpan(text.Length));
        return TlshHasher.Hash(padded).Hash;
    }

    private static bool SameResults(List<IndexMatch> a, List<IndexMatch> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        var sa = a.OrderBy(m => m.Id).ToArray();
        var sb = b.OrderBy(m => m.Id).ToArray();
        return sa.AsSpan().SequenceEqual(sb);
    }

    private static byte[][][] LoadTopics(IReadOnlyList<string> corpus)
    {
        var files = corpus.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p]).Order(StringComparer.Ordinal);
        var topics = new List<byte[][]>();
        foreach (string file in files)
        {
            byte[][] words = [.. File.ReadAllText(file).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(Encoding.UTF8.GetBytes)];
            if (words.Length >= 50)
            {
                topics.Add(words);
            }
        }

        return [.. topics];
    }

    /// <summary>The strongest linear scan: digests packed as the index packs them, header cost first, AVX2 body distance.</summary>
    private sealed class PackedScan
    {
        private readonly byte[] _bodies;
        private readonly byte[] _headers;
        private readonly bool _includeLength;

        public PackedScan(TlshHash[] digests, bool includeLength)
        {
            _includeLength = includeLength;
            _bodies = new byte[digests.Length * 32];
            _headers = new byte[digests.Length * 4];
            for (int i = 0; i < digests.Length; i++)
            {
                digests[i].Body.CopyTo(_bodies.AsSpan(i * 32));
                _headers[i * 4] = digests[i].LengthCode;
                _headers[(i * 4) + 1] = (byte)digests[i].Q1Ratio;
                _headers[(i * 4) + 2] = (byte)digests[i].Q2Ratio;
                _headers[(i * 4) + 3] = digests[i].Bytes[0];
            }
        }

        public void Query(TlshHash query, int threshold, List<IndexMatch> results)
        {
            var queryBody = Avx2.IsSupported ? Vector256.Create(query.Body) : default;
            ref byte bodies = ref MemoryMarshal.GetArrayDataReference(_bodies);
            int n = _headers.Length / 4;
            for (int i = 0; i < n; i++)
            {
                int h = i * 4;
                int distance = TlshHash.HeaderDistance(query.LengthCode, query.Q1Ratio, query.Q2Ratio, _headers[h], _headers[h + 1], _headers[h + 2], _includeLength);
                if (distance > threshold)
                {
                    continue;
                }

                distance += _headers[h + 3] != query.Bytes[0] ? 1 : 0;
                distance += Avx2.IsSupported
                    ? TlshBodyDistance.ComputeAvx2(queryBody, Vector256.LoadUnsafe(ref bodies, (nuint)(i * 32)))
                    : TlshBodyDistance.ComputeScalar(query.Body, _bodies.AsSpan(i * 32, 32));
                if (distance <= threshold)
                {
                    results.Add(new IndexMatch(i, distance));
                }
            }
        }
    }
}
