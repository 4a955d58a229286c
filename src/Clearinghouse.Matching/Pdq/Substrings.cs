using System.Runtime.CompilerServices;
using Clearinghouse.Hashing;

namespace Clearinghouse.Matching.Pdq;

/// <summary>
/// The classic multi-index hashing split of a 256-bit hash: 16 substrings of 16 bits (substring i = bits 16i..16i+15),
/// used by segments below <see cref="PdqIndexOptions.WideLayoutThreshold"/>; see <see cref="SubstringLayout"/> for
/// the general split.
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

    /// <summary>The 16×16 thresholds (see <see cref="SubstringLayout.Thresholds"/>).</summary>
    public static void Thresholds(int radius, Span<int> thresholds) => SubstringLayout.Sixteen.Thresholds(radius, thresholds);
}

/// <summary>
/// A split of the 256 bits into <see cref="Count"/> contiguous substrings of at most 32 bits each (substring i =
/// bits <c>Offset(i) .. Offset(i) + Width(i) − 1</c>, counted from bit 0 of W0; a substring may straddle two words).
/// </summary>
/// <remarks>
/// <para>Why more than one layout: MIH wants substrings of about log2(n) bits (Norouzi et al.). With 16-bit
/// substrings a 10 M-hash query at r = 31 verifies ~41.5 k candidates, each a cache-missing random read; with
/// 12 substrings of 21–22 bits it probes ~1.9 k buckets and verifies ~9 k. Small segments keep 16 × 16, where
/// 21-bit keys would only multiply probes of empty buckets.</para>
/// </remarks>
internal sealed class SubstringLayout
{
    /// <summary>Most substrings of any layout (sizes stack buffers of thresholds).</summary>
    public const int MaxCount = 16;

    private readonly int[] _offsets;
    private readonly int[] _widths;
    private readonly uint[] _masks;

    private SubstringLayout(params int[] widths)
    {
        int offset = 0;
        _widths = widths;
        _offsets = new int[widths.Length];
        _masks = new uint[widths.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            _offsets[i] = offset;
            _masks[i] = (uint)((1UL << widths[i]) - 1);
            offset += widths[i];
        }

        if (offset != 256 || widths.Length > MaxCount || widths.Any(w => w is < 1 or > 32))
        {
            throw new ArgumentException("Substrings must cover the 256 bits, each 1..32 bits wide.", nameof(widths));
        }

        Count = widths.Length;
        MinWidth = widths.Min();
        MaxWidth = widths.Max();
    }

    /// <summary>16 substrings of 16 bits: the split for segments up to a few million hashes.</summary>
    public static SubstringLayout Sixteen { get; } = new(16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16);

    /// <summary>
    /// 12 substrings, four of 22 bits then eight of 21 (4·22 + 8·21 = 256): ≈ log2(n) bits for n ≈ 4–16 M.
    /// The wide ones come first, so they take the larger thresholds of an uneven split (r = 31: t = 2 on the
    /// first eight, 1 on the last four).
    /// </summary>
    public static SubstringLayout Twelve { get; } = new(22, 22, 22, 22, 21, 21, 21, 21, 21, 21, 21, 21);

    public int Count { get; }

    public int MinWidth { get; }

    public int MaxWidth { get; }

    public int Width(int sub) => _widths[sub];

    /// <summary>The value of substring <paramref name="sub"/> of <paramref name="h"/> (its low bit = the substring's first bit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Value(in Hash256 h, int sub)
    {
        int offset = _offsets[sub];
        ref ulong word = ref Unsafe.Add(ref Unsafe.As<Hash256, ulong>(ref Unsafe.AsRef(in h)), offset >> 6);
        int shift = offset & 63;
        ulong v = word >> shift;
        if (shift + _widths[sub] > 64)
        {
            // Straddles two words; shift > 32 here, so 64 − shift is a valid shift count and the next word exists.
            v |= Unsafe.Add(ref word, 1) << (64 - shift);
        }

        return (uint)v & _masks[sub];
    }

    /// <summary>
    /// Fills <paramref name="thresholds"/> (<see cref="Count"/> entries) so that every hash within <paramref name="radius"/>
    /// of the query agrees with it within <c>thresholds[i]</c> bits on at least one substring i; -1 means "do not
    /// probe substring i".
    /// </summary>
    /// <remarks>
    /// Generalised pigeonhole (Qin et al., "GPH"): if every substring differed in more than t_i bits, the distance
    /// would be at least Σ(t_i + 1). So any t with Σ(t_i + 1) = radius + 1 is exact. Spreading radius + 1 evenly
    /// gives the classic ⌊r/16⌋ for r = 31 on 16 × 16 (t_i = 1 everywhere) but also lets r = 32 probe only one
    /// substring at distance 2 instead of all sixteen, and lets r &lt; 15 skip substrings altogether. A threshold
    /// is capped at its substring's width: such a substring matches every hash, which is trivially exact.
    /// </remarks>
    public void Thresholds(int radius, Span<int> thresholds)
    {
        long budget = (long)radius + 1;
        int baseT = (int)Math.Min(budget / Count, MaxWidth + 1);
        int extra = baseT > MaxWidth ? 0 : (int)(budget % Count);
        for (int i = 0; i < Count; i++)
        {
            thresholds[i] = Math.Min(baseT - 1 + (i < extra ? 1 : 0), _widths[i]);
        }
    }
}

/// <summary>All b-bit masks (b ≤ 32) ordered by popcount, for enumerating the keys within distance t of a key.</summary>
/// <remarks>
/// Built lazily, one popcount level at a time: a 21-bit key at t = 2 needs 232 masks, not all 2^21 of them.
/// </remarks>
internal sealed class MaskTable
{
    private static readonly MaskTable?[] Tables = new MaskTable?[33];

    private readonly int _bits;
    private readonly long[] _prefixCounts;
    private readonly Lock _grow = new();
    private Levels _levels = new([], -1);

    private MaskTable(int bits)
    {
        _bits = bits;

        // _prefixCounts[t + 1] = Σ_{k ≤ t} C(bits, k).
        _prefixCounts = new long[bits + 2];
        long binomial = 1;
        for (int k = 0; k <= bits; k++)
        {
            _prefixCounts[k + 1] = _prefixCounts[k] + binomial;
            binomial = binomial * (bits - k) / (k + 1);
        }
    }

    /// <summary>Number of masks with at most <paramref name="t"/> bits set (0 for t &lt; 0), without building them.</summary>
    public long CountWithin(int t) => t < 0 ? 0 : _prefixCounts[Math.Min(t, _bits) + 1];

    /// <summary>The masks with at most <paramref name="t"/> bits set (none for t &lt; 0), fewer bits first.</summary>
    public ReadOnlySpan<uint> Within(int t)
    {
        if (t < 0)
        {
            return default;
        }

        t = Math.Min(t, _bits);
        var levels = Volatile.Read(ref _levels);
        if (levels.Top < t)
        {
            levels = Grow(t);
        }

        return levels.Masks.AsSpan(0, (int)_prefixCounts[t + 1]);
    }

    private Levels Grow(int t)
    {
        lock (_grow)
        {
            if (_levels.Top >= t)
            {
                return _levels;
            }

            var masks = new uint[_prefixCounts[t + 1]];
            int n = 0;
            ulong limit = 1UL << _bits;
            for (int pop = 0; pop <= t; pop++)
            {
                // Gosper's hack: the pop-bit values in increasing order.
                for (ulong v = (1UL << pop) - 1; v < limit;)
                {
                    masks[n++] = (uint)v;
                    if (v == 0)
                    {
                        break;
                    }

                    ulong c = v & (0 - v);
                    ulong r = v + c;
                    v = (((r ^ v) >> 2) / c) | r;
                }
            }

            var levels = new Levels(masks, t);
            Volatile.Write(ref _levels, levels);
            return levels;
        }
    }

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

    private sealed record Levels(uint[] Masks, int Top);
}
