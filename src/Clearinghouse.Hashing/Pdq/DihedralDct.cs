namespace Clearinghouse.Hashing.Pdq;

/// <summary>
/// Rotations and flips of an image act on its DCT coefficients as sign changes and a transpose, so the
/// reference derives all eight dihedral hashes from one DCT. These are its exact mappings.
/// </summary>
internal static class DihedralDct
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Apply(DihedralTransform transform, ReadOnlySpan<float> a, Span<float> b)
    {
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 16; j++)
            {
                float v = a[(i * 16) + j];
                bool iOdd = (i & 1) != 0;
                bool jOdd = (j & 1) != 0;
                bool sumOdd = ((i + j) & 1) != 0;
                switch (transform)
                {
                    case DihedralTransform.Original:
                        b[(i * 16) + j] = v;
                        break;
                    case DihedralTransform.Rotate90:
                        b[(j * 16) + i] = jOdd ? v : -v;
                        break;
                    case DihedralTransform.Rotate180:
                        b[(i * 16) + j] = sumOdd ? -v : v;
                        break;
                    case DihedralTransform.Rotate270:
                        b[(j * 16) + i] = iOdd ? v : -v;
                        break;
                    case DihedralTransform.FlipX:
                        b[(i * 16) + j] = iOdd ? v : -v;
                        break;
                    case DihedralTransform.FlipY:
                        b[(i * 16) + j] = jOdd ? v : -v;
                        break;
                    case DihedralTransform.FlipPlus1:
                        b[(j * 16) + i] = v;
                        break;
                    case DihedralTransform.FlipMinus1:
                        b[(j * 16) + i] = sumOdd ? -v : v;
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(transform));
                }
            }
        }
    }
}
