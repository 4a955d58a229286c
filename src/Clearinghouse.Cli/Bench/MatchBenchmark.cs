using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Clearinghouse.Hashing;
using Clearinghouse.Matching;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Cli.Bench;

/// <summary>Options of <c>clearinghouse bench match</c>.</summary>
/// <param name="IndexPath">One 64-hex-digit PDQ hash per line (id = 0-based line number), or an index saved by <see cref="PdqIndex.Save(string)"/>.</param>
/// <param name="QueriesPath">One 64-hex-digit PDQ hash per line.</param>
/// <param name="Radius">Match when the Hamming distance is at most this (31 by default).</param>
/// <param name="Threads">Query threads.</param>
/// <param name="OutPath">When set, every result as <c>query_line&lt;TAB&gt;index_line&lt;TAB&gt;distance</c>, sorted.</param>
public sealed record MatchBenchOptions(string IndexPath, string QueriesPath, int Radius, int Threads, string? OutPath)
{
    /// <summary>When set, the built index is also saved here (so a later run can load it and report load_s).</summary>
    public string? SaveIndexPath { get; init; }

    /// <summary>Forces a search method; <see cref="PdqSearchMethod.Auto"/> lets the index choose.</summary>
    public PdqSearchMethod Method { get; init; } = PdqSearchMethod.Auto;
}

/// <summary>
/// <c>clearinghouse bench match</c>: builds (or loads) a PDQ index, runs every query at one radius, and prints one
/// JSON line in the shape of <c>faiss_pdq_bench.py run</c>, so the two can be compared side by side.
/// </summary>
public static class MatchBenchmark
{
    /// <summary>Exit code for bad input (unreadable or malformed files): <see cref="ExitCodes.BadInput"/>.</summary>
    public const int InvalidInput = ExitCodes.BadInput;

    private const int UpdateSamples = 10_000;

    /// <summary>Runs the benchmark; returns the process exit code (0, or <see cref="InvalidInput"/> with a message on stderr).</summary>
    public static int Run(MatchBenchOptions options, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (options.Radius < 0)
        {
            stderr.WriteLine($"--radius must be 0 or more, not {options.Radius}.");
            return ExitCodes.UsageError;
        }

        if (options.Threads < 1)
        {
            stderr.WriteLine($"--threads must be 1 or more, not {options.Threads}.");
            return ExitCodes.UsageError;
        }

        try
        {
            return RunChecked(options, stdout);
        }
        catch (HashListException e)
        {
            stderr.WriteLine(e.Message);
            return InvalidInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // FileNotFoundException and DirectoryNotFoundException are IOExceptions; their messages name the path.
            stderr.WriteLine(e.Message);
            return InvalidInput;
        }
    }

    private static int RunChecked(MatchBenchOptions options, TextWriter stdout)
    {
        var options2 = new PdqIndexOptions { Method = options.Method };
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();

        PdqIndex index;
        double? loadSeconds = null, buildSeconds = null, parseSeconds = null;
        if (IsSavedIndex(options.IndexPath))
        {
            index = PdqIndex.Load(options.IndexPath, options2);
            loadSeconds = clock.Elapsed.TotalSeconds;
        }
        else
        {
            (index, parseSeconds, buildSeconds) = BuildFromText(options.IndexPath, options2);
        }

        // The parsed array is garbage now: what remains above the baseline is the index (ids, map and all).
        long indexBytes = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        int n = index.Count;

        if (options.SaveIndexPath is not null)
        {
            index.Save(options.SaveIndexPath);
        }

        var queries = HashList.Read(options.QueriesPath);
        var method = index.PlannedMethod(options.Radius);

        // Warm-up (JIT tiers, page faults), not timed: a handful of queries.
        var scratch = new List<IndexMatch>();
        for (int i = 0; i < Math.Min(queries.Length, 20); i++)
        {
            scratch.Clear();
            index.Query(queries[i], options.Radius, scratch);
        }

        clock.Restart();
        var perThread = RunQueries(index, queries, options.Radius, options.Threads);
        double querySeconds = clock.Elapsed.TotalSeconds;
        long matches = perThread.Sum(r => (long)r.Count);

        if (options.OutPath is not null)
        {
            WriteResults(options.OutPath, perThread);
        }

        var (addUs, addMaxUs, removeUs, removeMaxUs) = MeasureUpdates(index, n);

        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteString("tool", "clearinghouse");
            w.WriteString("index", method == PdqSearchMethod.Scan ? "scan" : "mih");
            w.WriteNumber("n", n);
            w.WriteNumber("queries", queries.Length);
            w.WriteNumber("radius", options.Radius);
            w.WriteNumber("threads", options.Threads);
            if (parseSeconds is { } p)
            {
                w.WriteNumber("parse_s", Math.Round(p, 4));
            }

            if (buildSeconds is { } b)
            {
                w.WriteNumber("build_s", Math.Round(b, 4));
            }

            if (loadSeconds is { } l)
            {
                w.WriteNumber("load_s", Math.Round(l, 4));
            }

            w.WriteNumber("query_s", Math.Round(querySeconds, 4));
            w.WriteNumber("qps", querySeconds > 0 ? Math.Round(queries.Length / querySeconds, 2) : 0);
            w.WriteNumber("matches", matches);
            w.WriteNumber("bytes_per_hash", n > 0 ? Math.Round((double)indexBytes / n, 1) : 0);
            w.WriteNumber("array_bytes_per_hash", n > 0 ? Math.Round((double)index.MemoryBytes / n, 1) : 0);
            w.WriteNumber("process_bytes_per_hash", n > 0 ? Math.Round((double)Environment.WorkingSet / n, 1) : 0);
            w.WriteNumber("add_us", Math.Round(addUs, 2));
            w.WriteNumber("add_max_us", Math.Round(addMaxUs, 1));
            w.WriteNumber("remove_us", Math.Round(removeUs, 2));
            w.WriteNumber("remove_max_us", Math.Round(removeMaxUs, 1));
            w.WriteEndObject();
        }

        stdout.WriteLine(Encoding.UTF8.GetString(json.ToArray()));
        return 0;
    }

    /// <summary>Parses and builds in a frame of its own, so the parsed array is unreachable once it returns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (PdqIndex Index, double ParseSeconds, double BuildSeconds) BuildFromText(string path, PdqIndexOptions options)
    {
        var clock = Stopwatch.StartNew();
        var hashes = HashList.Read(path);
        double parse = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var index = PdqIndex.Build(hashes.AsSpan(), options);
        return (index, parse, clock.Elapsed.TotalSeconds);
    }

    private static bool IsSavedIndex(string path)
    {
        Span<byte> prefix = stackalloc byte[8];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        return PdqIndex.LooksLikeIndexFile(prefix[..got]);
    }

    /// <summary>One result row: query line, index id (= line), distance.</summary>
    private readonly record struct Row(int Query, long Id, int Distance) : IComparable<Row>
    {
        public int CompareTo(Row other) =>
            Query != other.Query ? Query.CompareTo(other.Query) : Id != other.Id ? Id.CompareTo(other.Id) : Distance.CompareTo(other.Distance);
    }

    private static List<Row>[] RunQueries(PdqIndex index, Hash256[] queries, int radius, int threads)
    {
        bool scan = index.PlannedMethod(radius) == PdqSearchMethod.Scan;
        // Contiguous slices, one per thread, each with its own buffers: no sharing while timing.
        var results = new List<Row>[threads];
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int from = (int)((long)queries.Length * t / threads);
            int to = (int)((long)queries.Length * (t + 1) / threads);
            var rows = results[t] = [];
            workers[t] = new Thread(() =>
            {
                if (scan)
                {
                    // Scanning: 8 queries per pass over memory.
                    var batch = new List<BatchMatch>();
                    index.QueryBatch(queries.AsSpan(from, to - from), radius, batch);
                    foreach (var m in batch)
                    {
                        rows.Add(new Row(from + m.Query, m.Id, m.Distance));
                    }

                    return;
                }

                var buffer = new List<IndexMatch>();
                for (int q = from; q < to; q++)
                {
                    buffer.Clear();
                    index.Query(queries[q], radius, buffer);
                    foreach (var m in buffer)
                    {
                        rows.Add(new Row(q, m.Id, m.Distance));
                    }
                }
            });
            workers[t].Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        return results;
    }

    private static void WriteResults(string path, List<Row>[] perThread)
    {
        var all = new Row[perThread.Sum(r => r.Count)];
        int k = 0;
        foreach (var rows in perThread)
        {
            rows.CopyTo(all, k);
            k += rows.Count;
        }

        Array.Sort(all);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> line = stackalloc byte[64];
        foreach (var row in all)
        {
            int len = 0;
            row.Query.TryFormat(line, out int w, default, CultureInfo.InvariantCulture);
            len += w;
            line[len++] = (byte)'\t';
            row.Id.TryFormat(line[len..], out w, default, CultureInfo.InvariantCulture);
            len += w;
            line[len++] = (byte)'\t';
            row.Distance.TryFormat(line[len..], out w, default, CultureInfo.InvariantCulture);
            len += w;
            line[len++] = (byte)'\n';
            stream.Write(line[..len]);
        }
    }

    /// <summary>Mean and worst latency of single adds and removes on the full index (new ids, then removed again).</summary>
    private static (double AddUs, double AddMaxUs, double RemoveUs, double RemoveMaxUs) MeasureUpdates(PdqIndex index, int n)
    {
        var rng = new Random(12345);
        var hashes = new Hash256[UpdateSamples];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i] = new Hash256((ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64(), (ulong)rng.NextInt64());
        }

        long firstId = (long)n + 1_000_000_000;

        // Warm-up on other ids, so the worst case below is the index's, not the JIT compiling Add and Remove on
        // their first call (an index built in one go has never run them).
        for (int i = 0; i < 100; i++)
        {
            index.Add(firstId - 1 - i, hashes[i]);
            index.Remove(firstId - 1 - i);
        }

        double addMax = 0, removeMax = 0;
        var total = Stopwatch.StartNew();
        for (int i = 0; i < hashes.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            index.Add(firstId + i, hashes[i]);
            addMax = Math.Max(addMax, Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }

        double addUs = total.Elapsed.TotalMicroseconds / hashes.Length;
        total.Restart();
        for (int i = 0; i < hashes.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            index.Remove(firstId + i);
            removeMax = Math.Max(removeMax, Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }

        double removeUs = total.Elapsed.TotalMicroseconds / hashes.Length;
        return (addUs, addMax, removeUs, removeMax);
    }

    /// <summary>A malformed hash list, reported as <c>file:line: reason</c>.</summary>
    private sealed class HashListException(string message) : Exception(message);

    /// <summary>Reads one 64-hex-digit hash per line, fast: UTF-8 bytes in 1 MiB blocks, no strings.</summary>
    private static class HashList
    {
        public static Hash256[] Read(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            var hashes = new Hash256[(int)Math.Min(Array.MaxLength, (stream.Length / (Hash256.HexLength + 1)) + 1)];
            int count = 0;
            long line = 0;
            byte[] buffer = new byte[1 << 20];
            int filled = 0;
            bool eof = false;
            long emptyLine = 0;
            while (!eof || filled > 0)
            {
                if (!eof)
                {
                    int got = stream.Read(buffer, filled, buffer.Length - filled);
                    eof = got == 0;
                    filled += got;
                }

                var data = buffer.AsSpan(0, filled);
                int consumed = 0;
                while (true)
                {
                    var rest = data[consumed..];
                    int nl = rest.IndexOf((byte)'\n');
                    if (nl < 0)
                    {
                        if (!eof)
                        {
                            if (rest.Length == buffer.Length)
                            {
                                throw new HashListException($"{path}:{line + 1}: line too long (expected {Hash256.HexLength} hex digits)");
                            }

                            break;
                        }

                        if (rest.IsEmpty)
                        {
                            break;
                        }

                        nl = rest.Length; // last line without a newline
                    }

                    var text = rest[..nl];
                    if (text.Length > 0 && text[^1] == (byte)'\r')
                    {
                        text = text[..^1];
                    }

                    line++;
                    if (text.IsEmpty)
                    {
                        // Allowed only at the very end (a trailing blank line); reported once a hash follows it.
                        emptyLine = emptyLine == 0 ? line : emptyLine;
                    }
                    else
                    {
                        if (emptyLine != 0)
                        {
                            throw new HashListException($"{path}:{emptyLine}: empty line");
                        }

                        if (!Hash256.TryParse(text, out var hash))
                        {
                            throw new HashListException($"{path}:{line}: {Describe(text)}");
                        }

                        if (count == hashes.Length)
                        {
                            Array.Resize(ref hashes, (int)Math.Min(Array.MaxLength, (long)count * 2));
                        }

                        hashes[count++] = hash;
                    }

                    consumed += Math.Min(nl + 1, rest.Length);
                }

                data[consumed..].CopyTo(buffer);
                filled -= consumed;
            }

            Array.Resize(ref hashes, count);
            return hashes;
        }

        private static string Describe(ReadOnlySpan<byte> text)
        {
            if (text.Length != Hash256.HexLength)
            {
                return $"expected a PDQ hash of {Hash256.HexLength} hex digits, got {text.Length} characters";
            }

            for (int i = 0; i < text.Length; i++)
            {
                if (!char.IsAsciiHexDigit((char)text[i]))
                {
                    return $"expected a PDQ hash of {Hash256.HexLength} hex digits; character {i + 1} is not a hex digit";
                }
            }

            return "not a PDQ hash";
        }
    }
}
