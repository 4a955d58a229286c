using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Clearinghouse.Hashing.Pdq;

/// <summary>
/// The reference's 1-D box filter (Jarosz, "Fast Image Convolutions"), run on eight independent lines at once.
/// </summary>
/// <remarks>
/// The reference keeps one float running sum per line and divides it by the current window count, in four
/// phases (fill, growing window, full window, shrinking window). Each lane here performs exactly the same
/// float operations in the same order for its own line, so the result is bit-identical; eight lanes just share
/// the instruction stream. Step t of the eight lines is the vector at <c>t * stride</c>.
/// </remarks>
internal static class JaroszBox
{
    /// <summary>The per-pass window the reference uses for a dimension (two passes make a tent of ~n/64).</summary>
    public static int WindowSize(int dimension) => (dimension + 127) / 128;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Filter8(ReadOnlySpan<float> input, Span<float> output, int length, int stride, int window)
    {
        int half = (window + 2) / 2;
        int phase1 = half - 1;
        int phase2 = window - half + 1;
        int phase3 = length - window;
        int phase4 = half - 1;

        ref float inRef = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(input);
        ref float outRef = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(output);
        if ((long)(length - 1) * stride + 8 > input.Length || (long)(length - 1) * stride + 8 > output.Length)
        {
            throw new ArgumentException("Buffers too short for the requested lines.");
        }

        int ri = 0;
        int li = 0;
        int oi = 0;
        var sum = Vector256<float>.Zero;
        int count = 0;

        for (int i = 0; i < phase1; i++)
        {
            sum += Vector256.LoadUnsafe(ref inRef, (nuint)ri);
            count++;
            ri += stride;
        }

        for (int i = 0; i < phase2; i++)
        {
            sum += Vector256.LoadUnsafe(ref inRef, (nuint)ri);
            count++;
            (sum / Vector256.Create((float)count)).StoreUnsafe(ref outRef, (nuint)oi);
            ri += stride;
            oi += stride;
        }

        var divisor = Vector256.Create((float)count);
        for (int i = 0; i < phase3; i++)
        {
            // Add then subtract, as two float roundings, in the reference's order.
            sum += Vector256.LoadUnsafe(ref inRef, (nuint)ri);
            sum -= Vector256.LoadUnsafe(ref inRef, (nuint)li);
            (sum / divisor).StoreUnsafe(ref outRef, (nuint)oi);
            li += stride;
            ri += stride;
            oi += stride;
        }

        for (int i = 0; i < phase4; i++)
        {
            sum -= Vector256.LoadUnsafe(ref inRef, (nuint)li);
            count--;
            (sum / Vector256.Create((float)count)).StoreUnsafe(ref outRef, (nuint)oi);
            li += stride;
            oi += stride;
        }
    }
}
