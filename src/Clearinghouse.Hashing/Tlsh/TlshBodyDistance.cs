using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Clearinghouse.Hashing.Tlsh;

/// <summary>
/// The body part of the TLSH distance: over the 128 two-bit bucket codes, |a − b|, except that a difference of 3
/// (a bucket in the lowest quartile on one side and the highest on the other) counts 6.
/// </summary>
/// <remarks>
/// The scalar path looks each byte pair up in a 64 KiB table of byte-pair costs (as the reference does; the table is
/// computed here from the rule above). The AVX2 path does all 32 bytes at once: for each of the four 2-bit fields it
/// forms the 4-bit index (a &lt;&lt; 2) | b and looks the cost up with one byte shuffle, then adds the four cost vectors
/// and sums them with a sum of absolute differences.
/// </remarks>
public static class TlshBodyDistance
{
    private static readonly byte[] PairTable = BuildPairTable();

    // Cost of one 2-bit field pair, indexed by (a << 2) | b.
    private static ReadOnlySpan<byte> FieldCost => [0, 1, 2, 6, 1, 0, 1, 2, 2, 1, 0, 1, 6, 2, 1, 0];

    /// <summary>The body distance of two 32-byte bodies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compute(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != TlshTables.CodeBytes || b.Length != TlshTables.CodeBytes)
        {
            throw new ArgumentException($"TLSH bodies are {TlshTables.CodeBytes} bytes.");
        }

        return Avx2.IsSupported
            ? ComputeAvx2(Vector256.Create(a), Vector256.Create(b))
            : ComputeScalar(a, b);
    }

    /// <summary>The table path (also the reference for the vector path's tests).</summary>
    public static int ComputeScalar(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        ref byte table = ref MemoryMarshal.GetArrayDataReference(PairTable);
        int sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += Unsafe.Add(ref table, (a[i] << 8) | b[i]);
        }

        return sum;
    }

    /// <summary>The body distance of two bodies held in vectors (AVX2 only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ComputeAvx2(Vector256<byte> a, Vector256<byte> b)
    {
        var costs = Vector256.Create(Vector128.Create(FieldCost));
        var low2 = Vector256.Create((byte)0b11);

        // Field 0 (bits 0-1), 1 (bits 2-3), 2 (bits 4-5), 3 (bits 6-7): index = (a_field << 2) | b_field.
        var a16 = a.AsUInt16();
        var b16 = b.AsUInt16();
        var i0 = ((a & low2) << 2) | (b & low2);
        var i1 = (Vector256.ShiftRightLogical(a16, 2).AsByte() & low2) << 2 | (Vector256.ShiftRightLogical(b16, 2).AsByte() & low2);
        var i2 = (Vector256.ShiftRightLogical(a16, 4).AsByte() & low2) << 2 | (Vector256.ShiftRightLogical(b16, 4).AsByte() & low2);
        var i3 = (Vector256.ShiftRightLogical(a16, 6).AsByte() & low2) << 2 | (Vector256.ShiftRightLogical(b16, 6).AsByte() & low2);

        var total = Avx2.Shuffle(costs, i0) + Avx2.Shuffle(costs, i1) + Avx2.Shuffle(costs, i2) + Avx2.Shuffle(costs, i3);
        var sums = Avx2.SumAbsoluteDifferences(total, Vector256<byte>.Zero).AsUInt64();
        return (int)(sums.GetElement(0) + sums.GetElement(1) + sums.GetElement(2) + sums.GetElement(3));
    }

    private static byte[] BuildPairTable()
    {
        var table = new byte[256 * 256];
        for (int x = 0; x < 256; x++)
        {
            for (int y = 0; y < 256; y++)
            {
                int cost = 0;
                for (int field = 0; field < 4; field++)
                {
                    cost += FieldCost[(((x >> (2 * field)) & 3) << 2) | ((y >> (2 * field)) & 3)];
                }

                table[(x << 8) | y] = (byte)cost;
            }
        }

        return table;
    }
}
