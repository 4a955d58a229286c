using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Clearinghouse.Hashing;

namespace Clearinghouse.Matching.Pdq;

/// <summary>
/// An immutable multi-index-hashing index (Norouzi, Punjani and Fleet) over the slots <c>[Start, Start + Length)</c>:
/// for each substring of its <see cref="SubstringLayout"/>, a CSR table (bucket offsets + posting lists) keyed by
/// the top <see cref="KeyBits"/> bits of the substring.
/// </summary>
/// <remarks>
/// <para>Postings are 24-bit slot offsets within the segment (3 bytes, read as an unaligned 32-bit load and
/// masked), so 16 substrings cost 48 bytes per hash instead of 64 (12 substrings: 36); that is what keeps the
/// whole index under 100 bytes per hash with 32-byte hashes and 8-byte ids. A segment holds at most 2^24 hashes.</para>
/// <para>Within a bucket the postings are in slot order (the counting sort is stable), so verification walks the
/// hash array forwards.</para>
/// <para>Layout and key width, by segment length n: below <see cref="PdqIndexOptions.WideLayoutThreshold"/>
/// (4 M by default) 16 × 16 bits keyed by about log2(n) − 3 bits (~8–16 hashes per bucket: the offsets cost at
/// most ~8 bytes per hash for small segments and ~0.4 at 4 M); from there 12 substrings of 21–22 bits keyed by
/// log2(n) − 2 bits (capped at 21; ~4–8 hashes per bucket, offsets 10–12 bytes per hash). Keying by a prefix of
/// the substring stays exact: a hash within t bits on the whole substring is within t bits on any part of it.</para>
/// </remarks>
internal sealed class MihSegment
{
    public const int MaxLength = 1 << 24;

    /// <summary>Segments this big build their substring groups in parallel.</summary>
    private const int ParallelBuildThreshold = 1 << 16;

    /// <summary>Substrings are built in this many groups, each one pass over the hashes (in parallel when large).</summary>
    private const int BuildGroups = 4;

    private readonly int[][] _offsets;
    private readonly byte[][] _postings;

    /// <summary>Per substring: width − <see cref="KeyBits"/>, the shift from substring value to bucket key.</summary>
    private readonly int[] _keyShifts;

    private MihSegment(int start, int length, SubstringLayout layout, int keyBits, int[] keyShifts, int[][] offsets, byte[][] postings)
    {
        Start = start;
        Length = length;
        Layout = layout;
        KeyBits = keyBits;
        _keyShifts = keyShifts;
        _offsets = offsets;
        _postings = postings;
    }

    public int Start { get; }

    public int Length { get; }

    public int End => Start + Length;

    public SubstringLayout Layout { get; }

    public int KeyBits { get; }

    public long MemoryBytes
    {
        get
        {
            long bytes = 0;
            for (int i = 0; i < Layout.Count; i++)
            {
                bytes += ((long)_offsets[i].Length * sizeof(int)) + _postings[i].Length;
            }

            return bytes;
        }
    }

    /// <summary>The layout a segment of <paramref name="length"/> hashes uses.</summary>
    public static SubstringLayout LayoutFor(int length, int wideThreshold) =>
        length >= wideThreshold ? SubstringLayout.Twelve : SubstringLayout.Sixteen;

    /// <summary>Bucket key width for a segment of <paramref name="length"/> hashes with <paramref name="layout"/>.</summary>
    public static int KeyBitsFor(int length, SubstringLayout layout)
    {
        int log = BitOperations.Log2((uint)Math.Max(1, length));

        // 16 × 16 (measured at 1 M): ~8–16 hashes per bucket. Wide substrings: ~4–8 per bucket, since a probe at
        // t = 2 costs ~C(b, 2) bucket reads and the candidates it saves are the dearer reads (capped at the
        // narrowest substring, 21 bits: 12 × 8 MiB of offsets at 10 M, ~10 bytes per hash).
        return layout == SubstringLayout.Sixteen
            ? Math.Clamp(log - 3, 1, layout.MinWidth)
            : Math.Clamp(log - 2, 1, layout.MinWidth);
    }

    /// <summary>Key of substring <paramref name="sub"/> of <paramref name="h"/> in this segment.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Key(in Hash256 h, int sub) => (int)(Layout.Value(h, sub) >> _keyShifts[sub]);

    /// <summary>Builds the segment over published slots by a stable sort of each substring's keys.</summary>
    public static MihSegment Build(StoreView view, int start, int length, PdqIndexOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxLength);
        var layout = LayoutFor(length, options.WideLayoutThreshold);
        int keyBits = layout != SubstringLayout.Sixteen && options.WideKeyBits > 0
            ? Math.Min(options.WideKeyBits, layout.MinWidth)
            : KeyBitsFor(length, layout);
        int m = layout.Count;
        var keyShifts = new int[m];
        for (int i = 0; i < m; i++)
        {
            keyShifts[i] = layout.Width(i) - keyBits;
        }

        var offsets = new int[m][];
        var postings = new byte[m][];
        if (layout == SubstringLayout.Sixteen)
        {
            BuildSixteen(view, start, length, keyBits, offsets, postings);
        }
        else
        {
            // One worker per core, each sorting every workers-th substring in two scratch arrays it reuses: the
            // scratch (16 bytes per hash per worker) is touched fresh once, not once per substring.
            int workers = length >= ParallelBuildThreshold ? Math.Clamp(Environment.ProcessorCount, 1, m) : 1;
            void Worker(int w)
            {
                var pairs = GC.AllocateUninitializedArray<ulong>(length);
                var sorted = GC.AllocateUninitializedArray<ulong>(length);
                for (int sub = w; sub < m; sub += workers)
                {
                    BuildWide(view, start, length, layout, sub, keyShifts[sub], keyBits, pairs, sorted, out offsets[sub], out postings[sub]);
                }
            }

            if (workers > 1)
            {
                Parallel.For(0, workers, Worker);
            }
            else
            {
                Worker(0);
            }
        }

        return new MihSegment(start, length, layout, keyBits, keyShifts, offsets, postings);
    }

    /// <summary>16 × 16: a stable counting sort per substring, whose count tables (≤ 2^16 entries) stay in L2.</summary>
    private static void BuildSixteen(StoreView view, int start, int length, int keyBits, int[][] offsets, byte[][] postings)
    {
        int shift = Substrings.Bits - keyBits;
        int buckets = 1 << keyBits;

        // One pass per 64-bit word builds its four substrings: reading the 32-byte hashes once per word instead of
        // once per substring, while the four count tables (4 × 256 KiB at 16 bits) still sit in L2.
        void BuildWord(int w)
        {
            var c0 = new int[buckets + 1];
            var c1 = new int[buckets + 1];
            var c2 = new int[buckets + 1];
            var c3 = new int[buckets + 1];
            for (int slot = start, end = start + length; slot < end;)
            {
                var run = view.Run(slot, end - slot);
                foreach (ref readonly Hash256 h in run)
                {
                    ulong x = Substrings.Word(h, w);
                    c0[((int)(x & 0xFFFF) >> shift) + 1]++;
                    c1[((int)((x >> 16) & 0xFFFF) >> shift) + 1]++;
                    c2[((int)((x >> 32) & 0xFFFF) >> shift) + 1]++;
                    c3[((int)(x >> 48) >> shift) + 1]++;
                }

                slot += run.Length;
            }

            for (int k = 1; k <= buckets; k++)
            {
                c0[k] += c0[k - 1];
                c1[k] += c1[k - 1];
                c2[k] += c2[k - 1];
                c3[k] += c3[k - 1];
            }

            // The extra byte lets the last posting be read as a 4-byte load.
            var p0 = new byte[(3 * length) + 1];
            var p1 = new byte[(3 * length) + 1];
            var p2 = new byte[(3 * length) + 1];
            var p3 = new byte[(3 * length) + 1];
            var k0 = c0.AsSpan(0, buckets).ToArray();
            var k1 = c1.AsSpan(0, buckets).ToArray();
            var k2 = c2.AsSpan(0, buckets).ToArray();
            var k3 = c3.AsSpan(0, buckets).ToArray();
            int local = 0;
            for (int slot = start, end = start + length; slot < end;)
            {
                var run = view.Run(slot, end - slot);
                foreach (ref readonly Hash256 h in run)
                {
                    ulong x = Substrings.Word(h, w);
                    Put(p0, k0[(int)(x & 0xFFFF) >> shift]++, local);
                    Put(p1, k1[(int)((x >> 16) & 0xFFFF) >> shift]++, local);
                    Put(p2, k2[(int)((x >> 32) & 0xFFFF) >> shift]++, local);
                    Put(p3, k3[(int)(x >> 48) >> shift]++, local);
                    local++;
                }

                slot += run.Length;
            }

            (offsets[4 * w], offsets[(4 * w) + 1], offsets[(4 * w) + 2], offsets[(4 * w) + 3]) = (c0, c1, c2, c3);
            (postings[4 * w], postings[(4 * w) + 1], postings[(4 * w) + 2], postings[(4 * w) + 3]) = (p0, p1, p2, p3);
        }

        if (length >= ParallelBuildThreshold && Environment.ProcessorCount > 1)
        {
            Parallel.For(0, 4, BuildWord);
        }
        else
        {
            for (int w = 0; w < 4; w++)
            {
                BuildWord(w);
            }
        }
    }

    /// <summary>
    /// One wide substring: an LSD radix sort of (key, slot) pairs in two digits of ≤ 11 bits, then one sequential
    /// pass that writes the postings and the bucket offsets.
    /// </summary>
    /// <remarks>
    /// A direct counting sort over 2^21 buckets (8 MiB of counters, postings scattered over 30 MB) made every
    /// increment and store a cache and TLB miss: 43 s for 10 M hashes. Each radix pass touches only 2^11 write
    /// positions (in L2), and both the offsets and the postings are then written in order: all 12 substrings of
    /// 10 M hashes in ~2.5 s on 2 cores.
    /// Stable (the pairs start in slot order), so postings within a bucket stay in slot order.
    /// </remarks>
    private static void BuildWide(
        StoreView view, int start, int length, SubstringLayout layout, int sub, int keyShift, int keyBits, ulong[] pairs, ulong[] sorted, out int[] offsets, out byte[] postings)
    {
        const int SlotBits = 24;
        int lowBits = (keyBits + 1) / 2;
        int highBits = keyBits - lowBits;
        uint lowMask = (1u << lowBits) - 1;
        var lowCounts = new int[(1 << lowBits) + 1];
        var highCounts = new int[(1 << highBits) + 1];

        // Pass 1: (key << 24 | local slot) in slot order, and both digit histograms.
        int local = 0;
        for (int slot = start, end = start + length; slot < end;)
        {
            var run = view.Run(slot, end - slot);
            foreach (ref readonly Hash256 h in run)
            {
                uint key = layout.Value(h, sub) >> keyShift;
                pairs[local] = ((ulong)key << SlotBits) | (uint)local;
                lowCounts[(key & lowMask) + 1]++;
                highCounts[(key >> lowBits) + 1]++;
                local++;
            }

            slot += run.Length;
        }

        for (int k = 1; k < lowCounts.Length; k++)
        {
            lowCounts[k] += lowCounts[k - 1];
        }

        for (int k = 1; k < highCounts.Length; k++)
        {
            highCounts[k] += highCounts[k - 1];
        }

        // Passes 2 and 3: scatter by the low digit, then (stably) by the high one.
        foreach (ulong p in pairs.AsSpan(0, length))
        {
            sorted[lowCounts[(int)((p >> SlotBits) & lowMask)]++] = p;
        }

        foreach (ulong p in sorted.AsSpan(0, length))
        {
            pairs[highCounts[(int)(p >> (SlotBits + lowBits))]++] = p;
        }

        // Pass 4: postings and offsets in order. offsets[k] = index of the first pair with key ≥ k.
        int buckets = 1 << keyBits;
        offsets = new int[buckets + 1];
        postings = new byte[(3 * length) + 1]; // the extra byte lets the last posting be read as a 4-byte load
        ref byte post = ref MemoryMarshal.GetArrayDataReference(postings);
        int next = 0;
        for (int i = 0; i < length; i++)
        {
            ulong p = pairs[i];
            int key = (int)(p >> SlotBits);
            while (next <= key)
            {
                offsets[next++] = i;
            }

            // In order, so a 4-byte store may spill into the next posting's first byte: it is rewritten next.
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref post, 3 * i), (uint)p & 0xFFFFFF);
        }

        while (next <= buckets)
        {
            offsets[next++] = length;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(byte[] postings, int index, int value)
    {
        // Three single-byte stores: a 4-byte store would clobber the next posting, which the out-of-order
        // scatter may already have written.
        int p = 3 * index;
        postings[p] = (byte)value;
        postings[p + 1] = (byte)(value >> 8);
        postings[p + 2] = (byte)(value >> 16);
    }

    /// <summary>How many buckets a search with these thresholds (from <see cref="Layout"/>) probes.</summary>
    public long ProbeCount(ReadOnlySpan<int> thresholds)
    {
        var masks = MaskTable.For(KeyBits);
        long probes = 0;
        for (int sub = 0; sub < Layout.Count; sub++)
        {
            probes += masks.CountWithin(thresholds[sub]);
        }

        return probes;
    }

    /// <summary>Expected candidates for a query if keys were uniform: probes × Length / 2^KeyBits.</summary>
    public double ExpectedCandidates(ReadOnlySpan<int> thresholds) => ProbeCount(thresholds) * (double)Length / (1 << KeyBits);

    /// <summary>
    /// The exact number of postings a search would verify (duplicates across substrings included), or a number
    /// above <paramref name="limit"/> as soon as it passes it. Reads only the bucket offsets.
    /// </summary>
    public long CountCandidates(in Hash256 query, ReadOnlySpan<int> thresholds, long limit)
    {
        var masks = MaskTable.For(KeyBits);
        long total = 0;
        for (int sub = 0; sub < Layout.Count; sub++)
        {
            int t = thresholds[sub];
            if (t < 0)
            {
                continue;
            }

            int qk = Key(query, sub);
            int[] off = _offsets[sub];
            foreach (uint m in masks.Within(t))
            {
                int k = qk ^ (int)m;
                total += off[k + 1] - off[k];
            }

            if (total > limit)
            {
                return total;
            }
        }

        return total;
    }

    /// <summary>
    /// Whether a hash that matched via substring <paramref name="sub"/> also falls in the probed neighbourhood of an
    /// earlier substring, so it was (or will be) reported there: each match is reported once, by its first substring.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool SeenEarlier(in Hash256 xor, int sub, ReadOnlySpan<int> thresholds)
    {
        for (int j = 0; j < sub; j++)
        {
            int t = thresholds[j];
            if (t >= 0 && BitOperations.PopCount((uint)Key(xor, j)) <= t)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Appends every live entry of this segment within <paramref name="radius"/> of <paramref name="query"/>.
    /// <paramref name="thresholds"/> must come from <see cref="SubstringLayout.Thresholds"/> of <see cref="Layout"/>
    /// for that radius (or any assignment with Σ(t_i + 1) ≥ radius + 1).
    /// </summary>
    /// <remarks>
    /// The work is a few thousand random reads (bucket offsets, posting runs, candidate hashes) that mostly miss
    /// the caches, so it runs in phases that issue each phase's reads as software prefetches ahead of their use:
    /// the CPU then keeps more misses in flight than its out-of-order window finds on its own. Measured at 1 M
    /// uniform hashes, radius 31 (4,273 candidates per query): 390–560 µs per query as one loop, ~190–230 µs
    /// phased with the hashes prefetched 12–24 candidates ahead (16 chosen; prefetching all of them during the
    /// gather was slower, ~235–270 µs, as it overruns the miss buffers).
    /// </remarks>
    [SkipLocalsInit]
    public void Search(in Hash256 query, int radius, ReadOnlySpan<int> thresholds, in StoreView view, List<IndexMatch> results)
    {
        var masks = MaskTable.For(KeyBits);
        var scratch = SearchScratch.ForThread();

        // Phase 1: every probed bucket as (substring, key); prefetch its offsets.
        int probes = 0;
        for (int sub = 0; sub < Layout.Count; sub++)
        {
            int t = thresholds[sub];
            if (t < 0)
            {
                continue;
            }

            int qk = Key(query, sub);
            var within = masks.Within(t);
            scratch.EnsureProbes(probes + within.Length);
            int[] off = _offsets[sub];
            foreach (uint m in within)
            {
                int k = qk ^ (int)m;
                Prefetch.Read(ref off[k]);
                scratch.ProbeKeys[probes] = k;
                scratch.ProbeSubs[probes] = (byte)sub;
                probes++;
            }
        }

        // Phase 2: bucket ranges; prefetch the start of each posting run.
        long candidates = 0;
        for (int i = 0; i < probes; i++)
        {
            int sub = scratch.ProbeSubs[i];
            int[] off = _offsets[sub];
            int k = scratch.ProbeKeys[i];
            int from = off[k];
            int to = off[k + 1];
            scratch.ProbeKeys[i] = from;
            scratch.ProbeEnds[i] = to;
            candidates += to - from;
            if (to > from)
            {
                Prefetch.Read(ref _postings[sub][3 * from]);
            }
        }

        // Phase 3: candidate slots, with the substring that found them (for the report-once rule).
        scratch.EnsureCandidates(candidates);
        int n = 0;
        int start = Start;
        for (int i = 0; i < probes; i++)
        {
            int sub = scratch.ProbeSubs[i];
            ref byte post = ref MemoryMarshal.GetArrayDataReference(_postings[sub]);
            for (int p = scratch.ProbeKeys[i], to = scratch.ProbeEnds[i]; p < to; p++)
            {
                // p < Length, and the postings array has 3 * Length + 1 bytes: the 4-byte read stays inside.
                int slot = start + (int)(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref post, p * 3)) & 0xFFFFFF);
                scratch.Slots[n] = slot;
                scratch.Subs[n] = (byte)sub;
                n++;
            }
        }

        // Phase 4: verify with the full 256-bit distance, prefetching the hash `Ahead` candidates on.
        ulong q0 = query.W0, q1 = query.W1, q2 = query.W2, q3 = query.W3;
        const int Ahead = 16;
        for (int i = 0; i < Math.Min(n, Ahead); i++)
        {
            Prefetch.ReadHash(in view.HashAt(scratch.Slots[i]));
        }

        for (int i = 0; i < n; i++)
        {
            if (i + Ahead < n)
            {
                Prefetch.ReadHash(in view.HashAt(scratch.Slots[i + Ahead]));
            }

            int slot = scratch.Slots[i];
            ref readonly Hash256 h = ref view.HashAt(slot);
            ulong x0 = h.W0 ^ q0, x1 = h.W1 ^ q1, x2 = h.W2 ^ q2, x3 = h.W3 ^ q3;
            int d = BitOperations.PopCount(x0) + BitOperations.PopCount(x1) + BitOperations.PopCount(x2) + BitOperations.PopCount(x3);
            if (d <= radius
                && !SeenEarlier(new Hash256(x0, x1, x2, x3), scratch.Subs[i], thresholds)
                && !view.IsDead(slot))
            {
                results.Add(new IndexMatch(view.IdAt(slot), d));
            }
        }
    }
}

/// <summary>Per-thread buffers of <see cref="MihSegment.Search"/>, grown on demand and reused (no allocation per query).</summary>
internal sealed class SearchScratch
{
    [ThreadStatic]
    private static SearchScratch? _current;

    public int[] ProbeKeys { get; private set; } = new int[1024];

    public int[] ProbeEnds { get; private set; } = new int[1024];

    public byte[] ProbeSubs { get; private set; } = new byte[1024];

    public int[] Slots { get; private set; } = new int[8192];

    public byte[] Subs { get; private set; } = new byte[8192];

    public static SearchScratch ForThread() => _current ??= new SearchScratch();

    public void EnsureProbes(int count)
    {
        if (count > ProbeKeys.Length)
        {
            int size = (int)Math.Min(Array.MaxLength, Math.Max(count, 2L * ProbeKeys.Length));
            var keys = new int[size];
            var subs = new byte[size];
            ProbeKeys.CopyTo(keys, 0);
            ProbeSubs.CopyTo(subs, 0);
            (ProbeKeys, ProbeSubs, ProbeEnds) = (keys, subs, new int[size]);
        }
    }

    public void EnsureCandidates(long count)
    {
        if (count > Slots.Length)
        {
            int size = (int)Math.Min(Array.MaxLength, Math.Max(count, 2L * Slots.Length));
            (Slots, Subs) = (new int[size], new byte[size]);
        }
    }
}

/// <summary>Software prefetch hints (no effect where the CPU has none).</summary>
internal static class Prefetch
{
    /// <summary>Asks the CPU to start loading the cache line of <paramref name="location"/>; never faults.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Read<T>(ref readonly T location)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            // A hint with a possibly stale address is harmless: the array cannot be freed while we hold it, and
            // a prefetch of any address never faults.
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.AsRef(in location)));
        }
    }

    /// <summary>Asks the CPU to load both cache lines a 32-byte hash may span.</summary>
    /// <remarks>
    /// Array data starts 16 bytes into the object, which the GC aligns to 8, not 64: in a chunk whose data starts at
    /// 16 mod 64, every other hash straddles two lines, and a prefetch of its first byte left the second line a
    /// demand miss. Prefetching its last byte too costs one instruction (a no-op when both are the same line).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void ReadHash(ref readonly Hash256 hash)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref Unsafe.AsRef(in hash));
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(p);
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + (sizeof(Hash256) - 1));
        }
    }
}
