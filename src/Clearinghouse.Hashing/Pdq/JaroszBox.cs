using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Clearinghouse.Hashing.Pdq;

/// <summary>
/// The reference's 1-D box filter (Jarosz, "Fast Image Convolutions"), run on sixteen independent lines at once.
/// </summary>
/// <remarks>
/// The reference keeps one float running sum per line and divides it by the current window count, in four
/// phases (fill, growing window, full window, shrinking window). Each lane here performs exactly the same
/// float operations in the same order for its own line, so results are bit-identical; the lanes only share
/// the instruction stream. Step t of the sixteen lines is the 16 floats at <c>t * stride</c>.
/// Two 8-lane vectors per step, because the running sum (an add then a subtract per step) is a dependency
/// chain: with two independent chains in flight the loop runs about 2.4x faster than with one (measured).
/// </remarks>
internal static class JaroszBox
{
    /// <summary>Lines filtered together.</summary>
    public const int Lanes = 16;

    /// <summary>The per-pass window the reference uses for a dimension (two passes make a tent of ~n/64).</summary>
    public static int WindowSize(int dimension) => (dimension + 127) / 128;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Filter16(ReadOnlySpan<float> input, Span<float> output, int length, int stride, int window)
    {
        int half = (window + 2) / 2;
        int phase1 = half - 1;
        int phase2 = window - half + 1;
        int phase3 = length - window;
        int phase4 = half - 1;
        if (length <= 0 || ((long)(length - 1) * stride) + Lanes > Math.Min(input.Length, output.Length))
        {
            throw new ArgumentException("Buffers too short for the requested lines.");
        }

        ref float inRef = ref MemoryMarshal.GetReference(input);
        ref float outRef = ref MemoryMarshal.GetReference(output);
        nuint ri = 0;
        nuint li = 0;
        nuint oi = 0;
        nuint step = (nuint)stride;
        var sumLo = Vector256<float>.Zero;
        var sumHi = Vector256<float>.Zero;
        int count = 0;

        for (int i = 0; i < phase1; i++)
        {
            sumLo += Vector256.LoadUnsafe(ref inRef, ri);
            sumHi += Vector256.LoadUnsafe(ref inRef, ri + 8);
            count++;
            ri += step;
        }

        for (int i = 0; i < phase2; i++)
        {
            sumLo += Vector256.LoadUnsafe(ref inRef, ri);
            sumHi += Vector256.LoadUnsafe(ref inRef, ri + 8);
            count++;
            var growing = Vector256.Create((float)count);
            (sumLo / growing).StoreUnsafe(ref outRef, oi);
            (sumHi / growing).StoreUnsafe(ref outRef, oi + 8);
            ri += step;
            oi += step;
        }

        var full = Vector256.Create((float)count);
        for (int i = 0; i < phase3; i++)
        {
            // Add then subtract, as two float roundings, in the reference's order.
            sumLo += Vector256.LoadUnsafe(ref inRef, ri);
            sumHi += Vector256.LoadUnsafe(ref inRef, ri + 8);
            sumLo -= Vector256.LoadUnsafe(ref inRef, li);
            sumHi -= Vector256.LoadUnsafe(ref inRef, li + 8);
            (sumLo / full).StoreUnsafe(ref outRef, oi);
            (sumHi / full).StoreUnsafe(ref outRef, oi + 8);
            li += step;
            ri += step;
            oi += step;
        }

        for (int i = 0; i < phase4; i++)
        {
            sumLo -= Vector256.LoadUnsafe(ref inRef, li);
            sumHi -= Vector256.LoadUnsafe(ref inRef, li + 8);
            count--;
            var shrinking = Vector256.Create((float)count);
            (sumLo / shrinking).StoreUnsafe(ref outRef, oi);
            (sumHi / shrinking).StoreUnsafe(ref outRef, oi + 8);
            li += step;
            oi += step;
        }
    }
}
