namespace Clearinghouse.Hashing.Pdq;

/// <summary>The median the reference's Torben search returns for PDQ's 256 coefficients.</summary>
/// <remarks>
/// Torben's method stops once fewer than (n+1)/2 = 128 values lie on either side of its guess and returns
/// the value of rank 128 (1-based) among n = 256: the lower median. A selection gives the same element faster;
/// the test suite checks it against a literal port of Torben's loop.
/// </remarks>
internal static class Median256
{
    public static float Select(ReadOnlySpan<float> values)
    {
        Span<float> copy = stackalloc float[values.Length];
        values.CopyTo(copy);
        return QuickSelect(copy, (values.Length - 1) / 2);
    }

    /// <summary>Hoare-style quickselect: the value of rank <paramref name="k"/> (0-based).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float QuickSelect(Span<float> a, int k)
    {
        int lo = 0;
        int hi = a.Length - 1;
        while (lo < hi)
        {
            // Median of three as pivot keeps already-ordered inputs linear.
            int mid = lo + ((hi - lo) >> 1);
            float x = a[lo], y = a[mid], z = a[hi];
            float pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
            int i = lo;
            int j = hi;
            while (i <= j)
            {
                while (a[i] < pivot)
                {
                    i++;
                }

                while (a[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return a[k];
            }
        }

        return a[k];
    }
}
