using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Clearinghouse.Hashing.Tlsh;

namespace Clearinghouse.Matching.Tlsh;

/// <summary>
/// Exact TLSH threshold search: every stored digest within a distance of the query (the reference's distance, with or
/// without the length component), exactly the brute-force answer, with live adds and removes and lock-free readers.
/// </summary>
/// <remarks>
/// <para>The distance splits into a header part (length code and the two quartile ratios, each compared on its circle
/// and weighted 12 per step beyond the first) and a body part (checksum and the 128 bucket codes). Entries are grouped
/// by their header (256 × 16 × 16 groups), so every entry of a group has the same header distance to a query. A query
/// enumerates only the headers whose header distance is within the threshold — at the default threshold of 30 with the
/// length, length codes within 2 and ratios within 3 of the query's, a small fraction of all groups — and scans those
/// groups' packed 32-byte bodies with an AVX2 kernel.</para>
/// <para>Concurrency: each group is an immutable-prefix array block; the one writer appends after the published count
/// (then publishes it) or replaces the block whole (growth, removal), so a reader sees every entry at most once and
/// never a half-written one.</para>
/// </remarks>
public sealed class TlshIndex : ISignalIndex<TlshHash>
{
    private const int Headers = 256 * 16 * 16;
    private const int BodyBytes = 32;

    private readonly Group?[] _groups = new Group?[Headers];
    private readonly Dictionary<long, int> _headerById = [];
    private readonly Lock _writeLock = new();
    private int _count;

    /// <param name="includeLength">Whether distances include the length component (the reference's default).</param>
    public TlshIndex(bool includeLength = true)
    {
        IncludeLength = includeLength;
    }

    /// <summary>Whether distances include the length component.</summary>
    public bool IncludeLength { get; }

    public int Count => Volatile.Read(ref _count);

    public bool Contains(long id)
    {
        lock (_writeLock)
        {
            return _headerById.ContainsKey(id);
        }
    }

    public void Add(long id, TlshHash value)
    {
        int header = HeaderOf(value);
        lock (_writeLock)
        {
            if (_headerById.ContainsKey(id))
            {
                RemoveLocked(id);
            }

            var group = _groups[header];
            if (group is null || group.Count == group.Capacity)
            {
                group = Group.CopyOf(group, Math.Max(4, (group?.Capacity ?? 0) * 2), skip: -1);
                Volatile.Write(ref _groups[header], group);
            }

            group.Append(id, value);
            _headerById[id] = header;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool Remove(long id)
    {
        lock (_writeLock)
        {
            if (!_headerById.ContainsKey(id))
            {
                return false;
            }

            RemoveLocked(id);
            return true;
        }
    }

    /// <summary>Appends every stored digest within <paramref name="threshold"/> of <paramref name="value"/>, with its distance.</summary>
    public void Query(TlshHash value, int threshold, List<IndexMatch> results)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentNullException.ThrowIfNull(results);
        int start = results.Count;
        int length = value.LengthCode, q1 = value.Q1Ratio, q2 = value.Q2Ratio;
        byte checksum = value.Bytes[0];
        var body = value.Body;
        var queryBody = Avx2.IsSupported ? Vector256.Create(body) : default;

        // Enumerate the headers within the threshold: each field's distance on its circle, cheapest first.
        int lengthSteps = IncludeLength ? MaxSteps(threshold, 128, TlshHash.LengthCost) : 128;
        for (int dl = 0; dl <= lengthSteps; dl++)
        {
            int lengthCost = IncludeLength ? TlshHash.LengthCost(dl) : 0;
            for (int sl = 0; sl < (dl is 0 or 128 ? 1 : 2); sl++)
            {
                int l = (length + (sl == 0 ? dl : 256 - dl)) & 255;
                int afterLength = threshold - lengthCost;
                int q1Steps = MaxSteps(afterLength, 8, TlshHash.RatioCost);
                for (int d1 = 0; d1 <= q1Steps; d1++)
                {
                    int afterQ1 = afterLength - TlshHash.RatioCost(d1);
                    int q2Steps = MaxSteps(afterQ1, 8, TlshHash.RatioCost);
                    for (int s1 = 0; s1 < (d1 is 0 or 8 ? 1 : 2); s1++)
                    {
                        int r1 = (q1 + (s1 == 0 ? d1 : 16 - d1)) & 15;
                        for (int d2 = 0; d2 <= q2Steps; d2++)
                        {
                            int headerCost = threshold - afterQ1 + TlshHash.RatioCost(d2);
                            for (int s2 = 0; s2 < (d2 is 0 or 8 ? 1 : 2); s2++)
                            {
                                int r2 = (q2 + (s2 == 0 ? d2 : 16 - d2)) & 15;
                                var group = Volatile.Read(ref _groups[(l << 8) | (r1 << 4) | r2]);
                                if (group is not null)
                                {
                                    group.Scan(body, queryBody, checksum, headerCost, threshold, results);
                                }
                            }
                        }
                    }
                }
            }
        }

        ResultIds.RemoveDuplicates(results, start);
    }

    /// <summary>The largest step count whose cost stays within <paramref name="budget"/> (−1 if even 0 does not).</summary>
    private static int MaxSteps(int budget, int maxSteps, Func<int, int> cost)
    {
        int steps = -1;
        while (steps < maxSteps && cost(steps + 1) <= budget)
        {
            steps++;
        }

        return steps;
    }

    private static int HeaderOf(in TlshHash hash) => (hash.LengthCode << 8) | (hash.Q1Ratio << 4) | hash.Q2Ratio;

    private void RemoveLocked(long id)
    {
        _headerById.Remove(id, out int header);
        var group = _groups[header]!;
        int at = Array.IndexOf(group.Ids, id, 0, group.Count);
        Volatile.Write(ref _groups[header], group.Count == 1 ? null : Group.CopyOf(group, group.Capacity, skip: at));
        Volatile.Write(ref _count, _count - 1);
    }

    /// <summary>The entries of one header: packed bodies, checksums and ids; only the writer appends.</summary>
    private sealed class Group
    {
        private int _published;

        private Group(int capacity)
        {
            Bodies = new byte[capacity * BodyBytes];
            Checksums = new byte[capacity];
            Ids = new long[capacity];
        }

        public byte[] Bodies { get; }

        public byte[] Checksums { get; }

        public long[] Ids { get; }

        public int Capacity => Ids.Length;

        public int Count => Volatile.Read(ref _published);

        public static Group CopyOf(Group? source, int capacity, int skip)
        {
            var copy = new Group(capacity);
            int n = source?.Count ?? 0;
            for (int i = 0, k = 0; i < n; i++)
            {
                if (i == skip)
                {
                    continue;
                }

                source!.Bodies.AsSpan(i * BodyBytes, BodyBytes).CopyTo(copy.Bodies.AsSpan(k * BodyBytes));
                copy.Checksums[k] = source.Checksums[i];
                copy.Ids[k] = source.Ids[i];
                k++;
            }

            copy._published = skip >= 0 && skip < n ? n - 1 : n;
            return copy;
        }

        public void Append(long id, in TlshHash hash)
        {
            int at = _published;
            hash.Body.CopyTo(Bodies.AsSpan(at * BodyBytes));
            Checksums[at] = hash.Bytes[0];
            Ids[at] = id;
            Volatile.Write(ref _published, at + 1);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Scan(ReadOnlySpan<byte> body, Vector256<byte> queryBody, byte checksum, int headerCost, int threshold, List<IndexMatch> results)
        {
            int n = Count;
            ref byte bodies = ref MemoryMarshal.GetArrayDataReference(Bodies);
            for (int i = 0; i < n; i++)
            {
                int distance = headerCost + (Checksums[i] != checksum ? 1 : 0);
                distance += Avx2.IsSupported
                    ? TlshBodyDistance.ComputeAvx2(queryBody, Vector256.LoadUnsafe(ref bodies, (nuint)(i * BodyBytes)))
                    : TlshBodyDistance.ComputeScalar(body, Bodies.AsSpan(i * BodyBytes, BodyBytes));
                if (distance <= threshold)
                {
                    results.Add(new IndexMatch(Ids[i], distance));
                }
            }
        }
    }
}
