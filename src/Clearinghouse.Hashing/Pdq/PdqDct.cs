using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Clearinghouse.Hashing.Pdq;

/// <summary>
/// PDQ's partial 2-D DCT: the 64x64 downsample to coefficients (1..16)x(1..16), B = D A Dᵀ, with the
/// reference's float32 accumulation order (ascending k, no fused multiply-add) so results are bit-exact.
/// </summary>
internal static class PdqDct
{
    /// <summary>D[i][k], 16 rows of 64, row-major.</summary>
    private static readonly float[] Matrix = BuildMatrix();

    /// <summary>Dᵀ[k][j], 64 rows of 16, row-major: lets the second product run 8 columns per vector.</summary>
    private static readonly float[] MatrixTransposed = Transpose(Matrix);

    private static float[] BuildMatrix()
    {
        // The reference keeps the scale factor in a float and multiplies it by a double cosine.
        float scale = (float)Math.Sqrt(2.0 / 64.0);
        var d = new float[16 * 64];
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 64; j++)
            {
                d[(i * 64) + j] = (float)(scale * Math.Cos(Math.PI / 2 / 64.0 * (i + 1) * ((2 * j) + 1)));
            }
        }

        return d;
    }

    private static float[] Transpose(float[] d)
    {
        var t = new float[64 * 16];
        for (int i = 0; i < 16; i++)
        {
            for (int k = 0; k < 64; k++)
            {
                t[(k * 16) + i] = d[(i * 64) + k];
            }
        }

        return t;
    }

    /// <summary>Computes the 16x16 coefficients of a 64x64 row-major block.</summary>
    /// <param name="a">64x64 input, row-major.</param>
    /// <param name="t">16x64 scratch.</param>
    /// <param name="b">16x16 output, row-major.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transform(ReadOnlySpan<float> a, Span<float> t, Span<float> b)
    {
        ReadOnlySpan<float> d = Matrix;
        ReadOnlySpan<float> dt = MatrixTransposed;
        a = a[..(64 * 64)];
        t = t[..(16 * 64)];
        b = b[..(16 * 16)];

        // T = D A: row i of T is sum over k of D[i][k] * (row k of A); each lane is one column j.
        for (int i = 0; i < 16; i++)
        {
            var dRow = d.Slice(i * 64, 64);
            for (int j = 0; j < 64; j += 8)
            {
                var sum = Vector256<float>.Zero;
                for (int k = 0; k < 64; k++)
                {
                    // Multiply, then add: two roundings, as the reference's compiled code does.
                    sum += Vector256.Create(dRow[k]) * Vector256.Create(a.Slice((k * 64) + j, 8));
                }

                sum.CopyTo(t.Slice((i * 64) + j, 8));
            }
        }

        // B = T Dᵀ: B[i][j] = sum over k of T[i][k] * D[j][k]; each lane is one j.
        for (int i = 0; i < 16; i++)
        {
            var tRow = t.Slice(i * 64, 64);
            var sumLo = Vector256<float>.Zero;
            var sumHi = Vector256<float>.Zero;
            for (int k = 0; k < 64; k++)
            {
                var tik = Vector256.Create(tRow[k]);
                sumLo += tik * Vector256.Create(dt.Slice(k * 16, 8));
                sumHi += tik * Vector256.Create(dt.Slice((k * 16) + 8, 8));
            }

            sumLo.CopyTo(b.Slice(i * 16, 8));
            sumHi.CopyTo(b.Slice((i * 16) + 8, 8));
        }
    }
}
