using System.Numerics;
using System.Runtime.CompilerServices;
using Clearinghouse.Hashing;

namespace Clearinghouse.Matching.Pdq;

/// <summary>
/// The multi-index hashing split of a 256-bit hash: 16 substrings of 16 bits (substring i = bits 16i..16i+15),
/// and the per-substring search thresholds that keep a radius search exact.
/// </summary>
internal static class Substrings
{
    public const int Count = 16;

    public const int Bits = 16;

    /// <summary>Word <paramref name="w"/> (0..3) of <paramref name="h"/> without the switch of <see cref="Hash256.Word"/>.</summary>
    /// <remarks><see cref="Hash256"/> is a sequential struct of W0..W3; <see cref="LayoutIsAsExpected"/> checks that.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Word(in Hash256 h, int w) =>
        Unsafe.Add(ref Unsafe.As<Hash256, ulong>(ref Unsafe.AsRef(in h)), w);

    /// <summary>True when <see cref="Word"/> reads the same words as <see cref="Hash256.Word"/>.</summary>
    public static bool LayoutIsAsExpected()
    {
        var h = new Hash256(1, 2, 3, 4);
        return Unsafe.SizeOf<Hash256>() == 32 && Word(h, 0) == 1 && Word(h, 1) == 2 && Word(h, 2) == 3 && Word(h, 3) == 4;
    }

    /// <summary>The top <c>16 - shift</c> bits of substring <paramref name="sub"/>: the bucket key in a segment.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Key(in Hash256 h, int sub, int shift) =>
        (int)((Word(h, sub >> 2) >> ((sub & 3) << 4)) & 0xFFFF) >> shift;

    /// <summary>
    /// Fills <paramref name="thresholds"/> (16 entries) so that every hash within <paramref name="radius"/> of the query
    /// agrees with it within <c>thresholds[i]</c> bits on at least one substring i; -1 means "do not probe substring i".
    /// </summary>
    /// <remarks>
    /// Generalised pigeonhole (Qin et al., "GPH"): if every substring differed in more than t_i bits, the distance
    /// would be at least Σ(t_i + 1). So any t with Σ(t_i + 1) = radius + 1 is exact. Spreading radius + 1 evenly
    /// gives the classic ⌊r/16⌋ for r = 31 (t_i = 1 everywhere) but also lets r = 32 probe only one substring at
    /// distance 2 instead of all sixteen, and lets r &lt; 15 skip substrings altogether.
    /// </remarks>
    public static void Thresholds(int radius, Span<int> thresholds)
    {
        long budget = (long)radius + 1;
        int baseT = (int)Math.Min(budget / Count, Bits + 1);
        int extra = baseT > Bits ? 0 : (int)(budget % Count);
        for (int i = 0; i < Count; i++)
        {
            thresholds[i] = Math.Min(baseT - 1 + (i < extra ? 1 : 0), Bits);
        }
    }

    /// <summary>
    /// Whether a hash that matched via substring <paramref name="sub"/> also falls in the probed neighbourhood of an
    /// earlier substring, so it was (or will be) reported there: each match is reported once, by its first substring.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SeenEarlier(in Hash256 xor, int sub, ReadOnlySpan<int> thresholds, int shift)
    {
        for (int j = 0; j < sub; j++)
        {
            int t = thresholds[j];
            if (t >= 0 && BitOperations.PopCount((uint)Key(xor, j, shift)) <= t)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>All b-bit masks ordered by popcount, for enumerating the keys within distance t of a key.</summary>
internal sealed class MaskTable
{
    private static readonly MaskTable?[] Tables = new MaskTable?[Substrings.Bits + 1];

    private MaskTable(int bits)
    {
        int n = 1 << bits;
        var masks = new ushort[n];
        var prefix = new int[bits + 2];
        int k = 0;
        for (int pop = 0; pop <= bits; pop++)
        {
            for (int m = 0; m < n; m++)
            {
                if (BitOperations.PopCount((uint)m) == pop)
                {
                    masks[k++] = (ushort)m;
                }
            }

            prefix[pop + 1] = k;
        }

        Masks = masks;
        PrefixCounts = prefix;
    }

    /// <summary>Every mask, those with fewer bits first.</summary>
    public ushort[] Masks { get; }

    /// <summary><c>PrefixCounts[t + 1]</c> = number of masks with at most t bits set.</summary>
    public int[] PrefixCounts { get; }

    /// <summary>The masks with at most <paramref name="t"/> bits set (none for t &lt; 0).</summary>
    public ReadOnlySpan<ushort> Within(int t) =>
        t < 0 ? default : Masks.AsSpan(0, PrefixCounts[Math.Min(t, PrefixCounts.Length - 2) + 1]);

    public static MaskTable For(int bits)
    {
        var table = Volatile.Read(ref Tables[bits]);
        if (table is null)
        {
            // A race builds the same table twice; either copy is correct.
            table = new MaskTable(bits);
            Volatile.Write(ref Tables[bits], table);
        }

        return table;
    }
}
