using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Clearinghouse.Hashing.Pdq;

/// <summary>
/// PDQ perceptual hashing of decoded pixels, bit-exact with Meta's reference implementation
/// (<c>pdq/cpp</c> with its <c>pdq-photo-hasher</c> front end).
/// </summary>
/// <remarks>
/// <para>Steps, each as the reference performs it (see <c>shared/testdata/pdq/README.md</c>):
/// optional nearest-neighbour pre-resize to 512x512 when a side exceeds 512; images under 5 px hash to zero;
/// float32 luma (or the grey level itself when every pixel is grey); two Jarosz box-filter passes along rows
/// then columns; decimation to 64x64; the quality metric; a 16x16 DCT; bits above the median.</para>
/// <para>An instance owns its scratch buffers and allocates nothing per image once warmed up; it is not
/// thread-safe: use one per thread.</para>
/// </remarks>
[SkipLocalsInit]
public sealed class PdqHasher
{
    /// <summary>The side above which the photo hasher first resizes to 512x512.</summary>
    public const int PreResizeSide = 512;

    /// <summary>Images with a side below this hash to all zeros with quality 0, as in the reference.</summary>
    public const int MinimumSide = 5;

    private const int Lanes = 8;

    // Exact float products of each byte value with the reference's luma coefficients.
    private static readonly float[] RedLuma = LumaTable(0.299f);
    private static readonly float[] GreenLuma = LumaTable(0.587f);
    private static readonly float[] BlueLuma = LumaTable(0.114f);

    private readonly bool _preResize;
    private readonly float[] _block64 = new float[64 * 64];
    private readonly float[] _dctScratch = new float[16 * 64];
    private readonly float[] _dct = new float[16 * 16];
    private readonly float[] _variant = new float[16 * 16];
    private readonly int[] _decimateColumns = new int[64];
    private readonly int[] _decimateRows = new int[64];
    private float[] _full = [];
    private float[] _full2 = [];
    private float[] _lineIn = [];
    private float[] _lineOut = [];
    private float[] _narrow = [];
    private float[] _narrow2 = [];
    private int[] _sourceColumns = [];
    private int[] _sourceRows = [];

    /// <summary>Creates a hasher for photos (with the reference photo hasher's 512x512 pre-resize).</summary>
    public PdqHasher()
        : this(preResize: true)
    {
    }

    /// <param name="preResize">
    /// Whether images with a side over 512 are first resized to 512x512 by nearest neighbour, as the reference
    /// photo hasher does. The video hasher (vPDQ) hashes whole frames and passes false.
    /// </param>
    public PdqHasher(bool preResize)
    {
        _preResize = preResize;
    }

    /// <summary>Hashes an image.</summary>
    public PdqHash Hash(PixelBuffer pixels)
    {
        int quality = ComputeDct(pixels);
        if (quality < 0)
        {
            return new PdqHash(Hash256.Zero, 0);
        }

        return new PdqHash(BitsAboveMedian(_dct), quality);
    }

    /// <summary>Hashes an image and its seven rotations and flips from one DCT, as the reference does.</summary>
    public PdqDihedralHashes HashDihedral(PixelBuffer pixels)
    {
        var hashes = default(PdqDihedralHashes.Hashes8);
        int quality = ComputeDct(pixels);
        if (quality < 0)
        {
            return new PdqDihedralHashes(hashes, 0);
        }

        for (int t = 0; t < PdqDihedralHashes.Count; t++)
        {
            DihedralDct.Apply((DihedralTransform)t, _dct, _variant);
            hashes[t] = BitsAboveMedian(_variant);
        }

        return new PdqDihedralHashes(hashes, quality);
    }

    /// <summary>
    /// Fills <see cref="_dct"/> with the 16x16 coefficients and returns the quality, or -1 when the image is too
    /// small to hash.
    /// </summary>
    private int ComputeDct(PixelBuffer pixels)
    {
        int width = pixels.Width;
        int height = pixels.Height;
        if (_preResize && (width > PreResizeSide || height > PreResizeSide))
        {
            width = PreResizeSide;
            height = PreResizeSide;
        }

        if (width < MinimumSide || height < MinimumSide)
        {
            return -1;
        }

        BuildSourceMap(ref _sourceColumns, width, pixels.Width);
        BuildSourceMap(ref _sourceRows, height, pixels.Height);
        bool grey = IsAllGrey(pixels);

        if (width == 64 && height == 64)
        {
            // The reference skips the blur for a 64x64 luma plane and uses it directly.
            for (int y = 0; y < 64; y++)
            {
                FillLumaRow(pixels, grey, _sourceRows[y], width, _block64.AsSpan(y * 64, 64), 1);
            }
        }
        else
        {
            BlurAndDecimate(pixels, grey, width, height);
        }

        int quality = QualityMetric(_block64);
        PdqDct.Transform(_block64, _dctScratch, _dct);
        return quality;
    }

    /// <summary>
    /// Two passes of (box filter along rows, box filter along columns), then decimation to 64x64 — only the
    /// values the decimation reads are divided out in the second pass.
    /// </summary>
    private void BlurAndDecimate(PixelBuffer pixels, bool grey, int width, int height)
    {
        int rowWindow = JaroszBox.WindowSize(width);
        int columnWindow = JaroszBox.WindowSize(height);
        int paddedWidth = (width + Lanes - 1) & ~(Lanes - 1);

        Ensure(ref _full, height * paddedWidth);
        Ensure(ref _full2, height * paddedWidth);
        Ensure(ref _lineIn, width * Lanes);
        Ensure(ref _lineOut, width * Lanes);
        Ensure(ref _narrow, height * 64);
        Ensure(ref _narrow2, height * 64);

        for (int j = 0; j < 64; j++)
        {
            _decimateColumns[j] = (int)((j + 0.5) * width / 64);
            _decimateRows[j] = (int)((j + 0.5) * height / 64);
        }

        // Pass 1, rows: eight rows at a time, luma written straight into the interleaved line buffer.
        for (int rowBase = 0; rowBase < height; rowBase += Lanes)
        {
            int rows = Math.Min(Lanes, height - rowBase);
            for (int lane = 0; lane < rows; lane++)
            {
                FillLumaRow(pixels, grey, _sourceRows[rowBase + lane], width, _lineIn.AsSpan(lane), Lanes);
            }

            JaroszBox.Filter8(_lineIn, _lineOut, width, Lanes, rowWindow);
            Deinterleave(_lineOut, rows, width, _full.AsSpan(rowBase * paddedWidth), paddedWidth);
        }

        // Pass 1, columns: eight adjacent columns per vector.
        for (int column = 0; column < paddedWidth; column += Lanes)
        {
            JaroszBox.Filter8(_full.AsSpan(column), _full2.AsSpan(column), height, paddedWidth, columnWindow);
        }

        // Pass 2, rows: keep only the 64 columns the decimation samples.
        for (int rowBase = 0; rowBase < height; rowBase += Lanes)
        {
            int rows = Math.Min(Lanes, height - rowBase);
            for (int lane = 0; lane < rows; lane++)
            {
                var source = _full2.AsSpan((rowBase + lane) * paddedWidth, width);
                for (int x = 0; x < source.Length; x++)
                {
                    _lineIn[(x * Lanes) + lane] = source[x];
                }
            }

            JaroszBox.Filter8(_lineIn, _lineOut, width, Lanes, rowWindow);
            for (int lane = 0; lane < rows; lane++)
            {
                var target = _narrow.AsSpan((rowBase + lane) * 64, 64);
                for (int j = 0; j < 64; j++)
                {
                    target[j] = _lineOut[(_decimateColumns[j] * Lanes) + lane];
                }
            }
        }

        // Pass 2, columns, on the 64 kept columns; then keep the 64 sampled rows.
        for (int column = 0; column < 64; column += Lanes)
        {
            JaroszBox.Filter8(_narrow.AsSpan(column), _narrow2.AsSpan(column), height, 64, columnWindow);
        }

        for (int i = 0; i < 64; i++)
        {
            _narrow2.AsSpan(_decimateRows[i] * 64, 64).CopyTo(_block64.AsSpan(i * 64, 64));
        }
    }

    private static void Deinterleave(ReadOnlySpan<float> lines, int rows, int width, Span<float> target, int targetStride)
    {
        for (int lane = 0; lane < rows; lane++)
        {
            var row = target.Slice(lane * targetStride, width);
            for (int x = 0; x < row.Length; x++)
            {
                row[x] = lines[(x * Lanes) + lane];
            }
        }
    }

    /// <summary>Writes the luma of one (resampled) row, <paramref name="step"/> floats apart.</summary>
    private void FillLumaRow(PixelBuffer pixels, bool grey, int sourceRow, int width, Span<float> target, int step)
    {
        var row = pixels.Row(sourceRow);
        var columns = _sourceColumns.AsSpan(0, width);
        int bpp = pixels.BytesPerPixel;
        if (grey)
        {
            // The reference reads a grey (PGM) image and uses the level itself, not the RGB formula.
            for (int x = 0; x < columns.Length; x++)
            {
                target[x * step] = row[columns[x] * bpp];
            }

            return;
        }

        var (r, g, b) = pixels.ChannelOffsets;
        float[] redLuma = RedLuma, greenLuma = GreenLuma, blueLuma = BlueLuma;
        for (int x = 0; x < columns.Length; x++)
        {
            int p = columns[x] * bpp;

            // ((0.299f*R + 0.587f*G) + 0.114f*B), each product and sum rounded to float: the reference's order.
            target[x * step] = redLuma[row[p + r]] + greenLuma[row[p + g]] + blueLuma[row[p + b]];
        }
    }

    /// <summary>Whether every pixel has R == G == B (the reference then takes the grey path).</summary>
    internal static bool IsAllGrey(PixelBuffer pixels)
    {
        if (pixels.Layout == PixelLayout.Grey8)
        {
            return true;
        }

        int bpp = pixels.BytesPerPixel;
        for (int y = 0; y < pixels.Height; y++)
        {
            var row = pixels.Row(y);
            if (bpp == 4)
            {
                // R, G, B in bytes 0..2 (or 2..0) of each little-endian word; alpha in byte 3 is ignored.
                var words = MemoryMarshal.Cast<byte, uint>(row);
                int x = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var low = Vector256.Create(0xFFu);
                    for (; x + 8 <= words.Length; x += 8)
                    {
                        var v = Vector256.Create(words.Slice(x, 8));
                        var c0 = v & low;
                        var c1 = (v >> 8) & low;
                        var c2 = (v >> 16) & low;
                        if (!Vector256.EqualsAll(c0, c1) || !Vector256.EqualsAll(c1, c2))
                        {
                            return false;
                        }
                    }
                }

                for (; x < words.Length; x++)
                {
                    uint w = words[x];
                    if ((w & 0xFF) != ((w >> 8) & 0xFF) || ((w >> 8) & 0xFF) != ((w >> 16) & 0xFF))
                    {
                        return false;
                    }
                }
            }
            else
            {
                for (int p = 0; p < row.Length; p += 3)
                {
                    if (row[p] != row[p + 1] || row[p + 1] != row[p + 2])
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The reference's image-domain quality: the sum of quantised absolute neighbour gradients of the 64x64
    /// downsample, scaled to 0..100.
    /// </summary>
    internal static int QualityMetric(ReadOnlySpan<float> block)
    {
        int gradientSum = 0;
        for (int i = 0; i < 63; i++)
        {
            for (int j = 0; j < 64; j++)
            {
                gradientSum += Math.Abs((int)((block[(i * 64) + j] - block[((i + 1) * 64) + j]) * 100f / 255f));
            }
        }

        for (int i = 0; i < 64; i++)
        {
            for (int j = 0; j < 63; j++)
            {
                gradientSum += Math.Abs((int)((block[(i * 64) + j] - block[(i * 64) + j + 1]) * 100f / 255f));
            }
        }

        return Math.Min(gradientSum / 90, 100);
    }

    /// <summary>Bit k is set iff coefficient k is strictly above the median (the 128th smallest value).</summary>
    internal static Hash256 BitsAboveMedian(ReadOnlySpan<float> coefficients)
    {
        float median = Median256.Select(coefficients);
        Span<ulong> words = stackalloc ulong[4];
        var m = Vector256.Create(median);
        for (int w = 0; w < 4; w++)
        {
            ulong word = 0;
            for (int part = 0; part < 8; part++)
            {
                var v = Vector256.Create(coefficients.Slice((w * 64) + (part * 8), 8));
                word |= (ulong)Vector256.GreaterThan(v, m).ExtractMostSignificantBits() << (part * 8);
            }

            words[w] = word;
        }

        return Hash256.FromWords(words);
    }

    private static void BuildSourceMap(ref int[] map, int targetSize, int sourceSize)
    {
        Ensure(ref map, targetSize);

        // Nearest neighbour as the reference's resize does it: source index floor(x * source / target).
        for (int x = 0; x < targetSize; x++)
        {
            map[x] = (int)((long)x * sourceSize / targetSize);
        }
    }

    private static void Ensure<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }
    }

    private static float[] LumaTable(float coefficient)
    {
        var table = new float[256];
        for (int v = 0; v < 256; v++)
        {
            table[v] = coefficient * v;
        }

        return table;
    }
}
