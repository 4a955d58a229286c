using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Clearinghouse.Hashing.Pdq;

/// <summary>
/// Moves eight rows of floats between row-major storage and the interleaved layout the row filter runs on
/// (element x of row l at <c>x * laneStride + l</c>), eight columns at a time with an AVX 8x8 transpose.
/// </summary>
internal static class Transpose8
{
    /// <summary>Rows <c>source[l * stride ..]</c>, l = 0..7, columns 0..width-1 (rounded up to 8) → interleaved.</summary>
    public static void ToInterleaved(ReadOnlySpan<float> source, int stride, int width, Span<float> interleaved, int laneStride)
    {
        int padded = (width + 7) & ~7;
        if ((long)(7 * stride) + padded > source.Length || interleaved.Length < ((padded - 1) * laneStride) + 8)
        {
            throw new ArgumentException("Buffers too short for eight padded rows.");
        }

        // Block b: the 8x8 block at columns 8b.. of the rows becomes interleaved steps 8b..8b+7.
        TransposeBlocks(source, stride, 8, interleaved, laneStride, 8 * laneStride, padded / 8);
    }

    /// <summary>The inverse: interleaved → rows <c>target[l * stride ..]</c>, all eight rows, padded width.</summary>
    public static void FromInterleaved(ReadOnlySpan<float> interleaved, int laneStride, int width, Span<float> target, int stride)
    {
        int padded = (width + 7) & ~7;
        if ((long)(7 * stride) + padded > target.Length || interleaved.Length < ((padded - 1) * laneStride) + 8)
        {
            throw new ArgumentException("Buffers too short for eight padded rows.");
        }

        // Block b: interleaved steps 8b..8b+7 (an 8x8 block whose rows are columns) become columns 8b.. of the rows.
        TransposeBlocks(interleaved, laneStride, 8 * laneStride, target, stride, 8, padded / 8);
    }

    /// <summary>
    /// Transposes <paramref name="blocks"/> 8x8 blocks: block b is read as 8 rows of 8 floats starting at
    /// <c>b * sourceStep</c>, <paramref name="sourceStride"/> apart, and written as 8 rows starting at
    /// <c>b * targetStep</c>, <paramref name="targetStride"/> apart. Callers have checked the bounds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeBlocks(ReadOnlySpan<float> source, int sourceStride, int sourceStep, Span<float> target, int targetStride, int targetStep, int blocks)
    {
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(target);
        nuint ss = (nuint)sourceStride;
        for (int b = 0; b < blocks; b++)
        {
            ref float s = ref Unsafe.Add(ref src, b * sourceStep);
            ref float d = ref Unsafe.Add(ref dst, b * targetStep);
            if (Avx.IsSupported)
            {
                Transpose(
                    Vector256.LoadUnsafe(ref s, 0),
                    Vector256.LoadUnsafe(ref s, ss),
                    Vector256.LoadUnsafe(ref s, 2 * ss),
                    Vector256.LoadUnsafe(ref s, 3 * ss),
                    Vector256.LoadUnsafe(ref s, 4 * ss),
                    Vector256.LoadUnsafe(ref s, 5 * ss),
                    Vector256.LoadUnsafe(ref s, 6 * ss),
                    Vector256.LoadUnsafe(ref s, 7 * ss),
                    ref d,
                    (nuint)targetStride);
                continue;
            }

            for (int r = 0; r < 8; r++)
            {
                for (int c = 0; c < 8; c++)
                {
                    Unsafe.Add(ref d, (c * targetStride) + r) = Unsafe.Add(ref s, (r * sourceStride) + c);
                }
            }
        }
    }

    /// <summary>Stores the transpose of the 8x8 block whose rows are r0..r7: its row k at <c>k * stride</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7,
        ref float destination,
        nuint stride)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref destination);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref destination, stride);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref destination, 2 * stride);
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref destination, 3 * stride);
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref destination, 4 * stride);
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref destination, 5 * stride);
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref destination, 6 * stride);
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref destination, 7 * stride);
    }
}
