using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Clearinghouse.Hashing;

namespace Clearinghouse.Matching.Pdq;

/// <summary>
/// Linear scans: every hash of a contiguous span within a radius of one query, or of up to 8 queries at once.
/// </summary>
/// <remarks>
/// Measured with BenchmarkDotNet (HammingScanBenchmarks) on the development machine (AMD EPYC Zen 3, AVX2, no
/// AVX-512), per hash at radius 31: in cache (4096 hashes) the AVX2 nibble-lookup kernel takes 1.66 ns against
/// 2.13 ns for four scalar POPCNTs, so it is the default where AVX2 exists; from memory (1 M hashes, 32 MiB) both
/// are bound by bandwidth at ~4.2 ms per pass. The 8-query batch kernel reads each hash once for eight queries:
/// 3.3 ms per query at 1 M (0.79×), but 1.5× slower than one query in cache, where memory is not the limit; the
/// index uses it only for batches of queries that scan (see <c>PdqIndex.QueryBatch</c>). .NET 10 has no VPOPCNTQ
/// intrinsic, so there is no AVX-512 kernel (and no AVX-512 here to measure one).
/// </remarks>
[SkipLocalsInit]
internal static class HammingScan
{
    /// <summary>Whether <see cref="Within"/> uses the AVX2 kernel (where available; switchable for measurements).</summary>
    public static bool UseAvx2 { get; set; } = Avx2.IsSupported;

    /// <summary>Most queries one batch pass handles.</summary>
    public const int BatchWidth = 8;

    /// <summary>
    /// Writes the index and distance of every hash in <paramref name="hashes"/> within <paramref name="radius"/>
    /// of <paramref name="query"/> into <paramref name="hitIndex"/>/<paramref name="hitDistance"/> (each at least
    /// as long as <paramref name="hashes"/>), in order; returns how many.
    /// </summary>
    public static int Within(ReadOnlySpan<Hash256> hashes, in Hash256 query, int radius, Span<int> hitIndex, Span<ushort> hitDistance) =>
        UseAvx2 && Avx2.IsSupported
            ? WithinAvx2(hashes, query, radius, hitIndex, hitDistance)
            : WithinScalar(hashes, query, radius, hitIndex, hitDistance);

    /// <summary>The reference kernel: four 64-bit POPCNTs per hash.</summary>
    public static int WithinScalar(ReadOnlySpan<Hash256> hashes, in Hash256 query, int radius, Span<int> hitIndex, Span<ushort> hitDistance)
    {
        if (hitIndex.Length < hashes.Length || hitDistance.Length < hashes.Length)
        {
            throw new ArgumentException("Hit buffers must be as long as the span scanned.");
        }

        ulong q0 = query.W0, q1 = query.W1, q2 = query.W2, q3 = query.W3;
        int hits = 0;
        for (int i = 0; i < hashes.Length; i++)
        {
            ref readonly Hash256 h = ref hashes[i];
            int d = BitOperations.PopCount(h.W0 ^ q0) + BitOperations.PopCount(h.W1 ^ q1)
                + BitOperations.PopCount(h.W2 ^ q2) + BitOperations.PopCount(h.W3 ^ q3);
            if (d <= radius)
            {
                hitIndex[hits] = i;
                hitDistance[hits] = (ushort)d;
                hits++;
            }
        }

        return hits;
    }

    /// <summary>
    /// AVX2: per hash, XOR with the query, count bits per byte with a nibble lookup (VPSHUFB), sum bytes per 64-bit
    /// lane (VPSADBW), then transpose four hashes' lane sums so one add yields four distances.
    /// </summary>
    public static int WithinAvx2(ReadOnlySpan<Hash256> hashes, in Hash256 query, int radius, Span<int> hitIndex, Span<ushort> hitDistance)
    {
        if (!Avx2.IsSupported)
        {
            throw new PlatformNotSupportedException("AVX2 is not available.");
        }

        if (hitIndex.Length < hashes.Length || hitDistance.Length < hashes.Length)
        {
            throw new ArgumentException("Hit buffers must be as long as the span scanned.");
        }

        var lut = Vector256.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
        var low = Vector256.Create((byte)0x0F);
        var q = Vector256.LoadUnsafe(ref Unsafe.As<Hash256, byte>(ref Unsafe.AsRef(in query)));
        var limit = Vector256.Create((long)radius);
        ref byte h0 = ref Unsafe.As<Hash256, byte>(ref MemoryMarshal.GetReference(hashes));
        int hits = 0;
        int i = 0;
        for (; i + 4 <= hashes.Length; i += 4)
        {
            ref byte p = ref Unsafe.Add(ref h0, i * 32);
            var s0 = LaneCounts(Vector256.LoadUnsafe(ref p) ^ q, lut, low);
            var s1 = LaneCounts(Vector256.LoadUnsafe(ref Unsafe.Add(ref p, 32)) ^ q, lut, low);
            var s2 = LaneCounts(Vector256.LoadUnsafe(ref Unsafe.Add(ref p, 64)) ^ q, lut, low);
            var s3 = LaneCounts(Vector256.LoadUnsafe(ref Unsafe.Add(ref p, 96)) ^ q, lut, low);
            var a = Avx2.UnpackLow(s0, s1) + Avx2.UnpackHigh(s0, s1);
            var b = Avx2.UnpackLow(s2, s3) + Avx2.UnpackHigh(s2, s3);
            var d = Avx2.Permute2x128(a, b, 0x20) + Avx2.Permute2x128(a, b, 0x31);
            uint over = Vector256.GreaterThan(d.AsInt64(), limit).ExtractMostSignificantBits();
            if (over != 0b1111)
            {
                for (int k = 0; k < 4; k++)
                {
                    if ((over & (1u << k)) == 0)
                    {
                        hitIndex[hits] = i + k;
                        hitDistance[hits] = (ushort)d.GetElement(k);
                        hits++;
                    }
                }
            }
        }

        for (; i < hashes.Length; i++)
        {
            int d = Hash256.Distance(query, hashes[i]);
            if (d <= radius)
            {
                hitIndex[hits] = i;
                hitDistance[hits] = (ushort)d;
                hits++;
            }
        }

        return hits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> LaneCounts(Vector256<byte> x, Vector256<byte> lut, Vector256<byte> low)
    {
        var lo = Avx2.Shuffle(lut, x & low);
        var hi = Avx2.Shuffle(lut, Vector256.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & low);
        return Avx2.SumAbsoluteDifferences(lo + hi, Vector256<byte>.Zero).AsUInt64();
    }

    /// <summary>
    /// Up to <see cref="BatchWidth"/> queries in one pass: each hash is loaded once and compared with every query,
    /// so a scan over memory larger than the caches costs one trip through memory per batch, not per query.
    /// Writes (query, index, distance) triples in hash order; the buffers must hold hashes.Length × queries.Length.
    /// </summary>
    public static int WithinBatch(
        ReadOnlySpan<Hash256> hashes, ReadOnlySpan<Hash256> queries, int radius,
        Span<byte> hitQuery, Span<int> hitIndex, Span<ushort> hitDistance)
    {
        int nq = queries.Length;
        if (nq is < 1 or > BatchWidth)
        {
            throw new ArgumentOutOfRangeException(nameof(queries), "A batch is 1 to 8 queries.");
        }

        long capacity = (long)hashes.Length * nq;
        if (hitQuery.Length < capacity || hitIndex.Length < capacity || hitDistance.Length < capacity)
        {
            throw new ArgumentException("Hit buffers must hold hashes × queries entries.");
        }

        // Queries padded to 8 so the inner loop has a constant trip count the JIT unrolls; the padding queries
        // are never reported.
        Span<ulong> q = stackalloc ulong[BatchWidth * 4];
        for (int k = 0; k < BatchWidth; k++)
        {
            ref readonly Hash256 src = ref queries[Math.Min(k, nq - 1)];
            q[4 * k] = src.W0;
            q[(4 * k) + 1] = src.W1;
            q[(4 * k) + 2] = src.W2;
            q[(4 * k) + 3] = src.W3;
        }

        int hits = 0;
        for (int i = 0; i < hashes.Length; i++)
        {
            ref readonly Hash256 h = ref hashes[i];
            ulong w0 = h.W0, w1 = h.W1, w2 = h.W2, w3 = h.W3;
            for (int k = 0; k < BatchWidth; k++)
            {
                int d = BitOperations.PopCount(w0 ^ q[4 * k]) + BitOperations.PopCount(w1 ^ q[(4 * k) + 1])
                    + BitOperations.PopCount(w2 ^ q[(4 * k) + 2]) + BitOperations.PopCount(w3 ^ q[(4 * k) + 3]);
                if (d <= radius && k < nq)
                {
                    hitQuery[hits] = (byte)k;
                    hitIndex[hits] = i;
                    hitDistance[hits] = (ushort)d;
                    hits++;
                }
            }
        }

        return hits;
    }
}
