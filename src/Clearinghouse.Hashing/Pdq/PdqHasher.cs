using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Clearinghouse.Hashing.Pdq;

/// <summary>
/// PDQ perceptual hashing of decoded pixels, bit-exact with Meta's reference implementation
/// (<c>pdq/cpp</c> with its <c>pdq-photo-hasher</c> front end).
/// </summary>
/// <remarks>
/// <para>Steps, each as the reference performs it (see <c>shared/testdata/pdq/README.md</c>):
/// optional nearest-neighbour pre-resize to 512x512 when a side exceeds 512; images under 5 px hash to zero;
/// float32 luma (or, for photos, the grey level itself when every pixel is grey); two Jarosz box-filter passes along rows
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

    // Exact float products of each byte value with the reference's luma coefficients.
    private static readonly float[] RedLuma = LumaTable(0.299f);
    private static readonly float[] GreenLuma = LumaTable(0.587f);
    private static readonly float[] BlueLuma = LumaTable(0.114f);

    private readonly bool _preResize;
    private readonly bool _greyAsLevel;
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
    private uint[] _packedRow = [];

    /// <summary>Creates a hasher for photos (with the reference photo hasher's 512x512 pre-resize).</summary>
    public PdqHasher()
        : this(preResize: true)
    {
    }

    /// <param name="preResize">
    /// Whether images with a side over 512 are first resized to 512x512 by nearest neighbour, as the reference
    /// photo hasher does. (Video frames: see <see cref="ForVideoFrames"/>.)
    /// </param>
    public PdqHasher(bool preResize)
        : this(preResize, greyAsLevel: true)
    {
    }

    private PdqHasher(bool preResize, bool greyAsLevel)
    {
        _preResize = preResize;
        _greyAsLevel = greyAsLevel;
    }

    /// <summary>
    /// Creates a hasher for video frames as vPDQ's frame hasher (<c>PDQFrameBufferHasher</c>) runs PDQ: the whole
    /// frame without the 512x512 pre-resize, and luma always by the RGB formula (the grey-level shortcut belongs to
    /// the photo hasher's image reader, which vPDQ does not use). A 64x64 frame skips the blur, as in the reference.
    /// </summary>
    public static PdqHasher ForVideoFrames() => new(preResize: false, greyAsLevel: false);

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
        bool grey = _greyAsLevel && IsAllGrey(pixels);

        if (width == 64 && height == 64)
        {
            // The reference skips the blur for a 64x64 luma plane and uses it directly.
            for (int y = 0; y < 64; y++)
            {
                FillLumaRow(pixels, grey, _sourceRows[y], width, _block64.AsSpan(y * 64, 64));
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
    /// Two passes of (box filter along rows, box filter along columns), then decimation to 64x64. Rows are
    /// filtered eight at a time after an 8x8-block transpose; columns eight adjacent at a time in place. In the
    /// second pass only the 64 columns and 64 rows that the decimation reads are kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BlurAndDecimate(PixelBuffer pixels, bool grey, int width, int height)
    {
        const int lanes = JaroszBox.Lanes;
        int rowWindow = JaroszBox.WindowSize(width);
        int columnWindow = JaroszBox.WindowSize(height);
        int paddedWidth = (width + lanes - 1) & ~(lanes - 1);
        int paddedHeight = (height + lanes - 1) & ~(lanes - 1);

        // Padding rows and columns carry independent junk lanes that are never read back.
        Ensure(ref _full, paddedHeight * paddedWidth);
        Ensure(ref _full2, paddedHeight * paddedWidth);
        Ensure(ref _lineIn, paddedWidth * lanes);
        Ensure(ref _lineOut, paddedWidth * lanes);
        Ensure(ref _narrow, height * 64);
        Ensure(ref _narrow2, height * 64);

        for (int j = 0; j < 64; j++)
        {
            _decimateColumns[j] = (int)((j + 0.5) * width / 64);
            _decimateRows[j] = (int)((j + 0.5) * height / 64);
        }

        for (int y = 0; y < height; y++)
        {
            FillLumaRow(pixels, grey, _sourceRows[y], width, _full.AsSpan(y * paddedWidth, width));
        }

        // Pass 1, rows: sixteen rows at a time, moved into and out of the interleaved layout by 8x8 transposes.
        for (int rowBase = 0; rowBase < height; rowBase += lanes)
        {
            ToLines(_full, rowBase, paddedWidth, width);
            JaroszBox.Filter16(_lineIn, _lineOut, width, lanes, rowWindow);
            Transpose8.FromInterleaved(_lineOut, lanes, width, _full2.AsSpan(rowBase * paddedWidth), paddedWidth);
            Transpose8.FromInterleaved(_lineOut.AsSpan(8), lanes, width, _full2.AsSpan((rowBase + 8) * paddedWidth), paddedWidth);
        }

        // Pass 1, columns: sixteen adjacent columns per step.
        for (int column = 0; column < paddedWidth; column += lanes)
        {
            JaroszBox.Filter16(_full2.AsSpan(column), _full.AsSpan(column), height, paddedWidth, columnWindow);
        }

        // Pass 2, rows: keep only the 64 columns the decimation samples.
        for (int rowBase = 0; rowBase < height; rowBase += lanes)
        {
            ToLines(_full, rowBase, paddedWidth, width);
            JaroszBox.Filter16(_lineIn, _lineOut, width, lanes, rowWindow);
            int rows = Math.Min(lanes, height - rowBase);
            for (int lane = 0; lane < rows; lane++)
            {
                var target = _narrow.AsSpan((rowBase + lane) * 64, 64);
                for (int j = 0; j < target.Length; j++)
                {
                    target[j] = _lineOut[(_decimateColumns[j] * lanes) + lane];
                }
            }
        }

        // Pass 2, columns, on the 64 kept columns; then keep the 64 sampled rows.
        for (int column = 0; column < 64; column += lanes)
        {
            JaroszBox.Filter16(_narrow.AsSpan(column), _narrow2.AsSpan(column), height, 64, columnWindow);
        }

        for (int i = 0; i < 64; i++)
        {
            _narrow2.AsSpan(_decimateRows[i] * 64, 64).CopyTo(_block64.AsSpan(i * 64, 64));
        }
    }

    /// <summary>Rows rowBase..rowBase+15 of <paramref name="plane"/> into the interleaved line buffer.</summary>
    private void ToLines(float[] plane, int rowBase, int paddedWidth, int width)
    {
        Transpose8.ToInterleaved(plane.AsSpan(rowBase * paddedWidth), paddedWidth, width, _lineIn, JaroszBox.Lanes);
        Transpose8.ToInterleaved(plane.AsSpan((rowBase + 8) * paddedWidth), paddedWidth, width, _lineIn.AsSpan(8), JaroszBox.Lanes);
    }

    /// <summary>Writes the luma of one (resampled) row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillLumaRow(PixelBuffer pixels, bool grey, int sourceRow, int width, Span<float> target)
    {
        var words = PackedRow(pixels, sourceRow, width, out int redShift, out int greenShift, out int blueShift);
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var mask = Vector256.Create(0xFFu);
            var redCoefficient = Vector256.Create(0.299f);
            var greenCoefficient = Vector256.Create(0.587f);
            var blueCoefficient = Vector256.Create(0.114f);
            for (; x + 8 <= width; x += 8)
            {
                var v = Vector256.Create(words.Slice(x, 8));
                var red = Vector256.ConvertToSingle(((v >> redShift) & mask).AsInt32());
                if (grey)
                {
                    // The reference reads a grey (PGM) image and uses the level itself, not the RGB formula.
                    red.CopyTo(target.Slice(x, 8));
                    continue;
                }

                var green = Vector256.ConvertToSingle(((v >> greenShift) & mask).AsInt32());
                var blue = Vector256.ConvertToSingle(((v >> blueShift) & mask).AsInt32());

                // ((0.299f*R + 0.587f*G) + 0.114f*B), every product and sum rounded to float: the reference's order.
                ((redCoefficient * red) + (greenCoefficient * green) + (blueCoefficient * blue)).CopyTo(target.Slice(x, 8));
            }
        }

        for (; x < width; x++)
        {
            uint w = words[x];
            target[x] = grey
                ? (byte)(w >> redShift)
                : RedLuma[(byte)(w >> redShift)] + GreenLuma[(byte)(w >> greenShift)] + BlueLuma[(byte)(w >> blueShift)];
        }
    }

    /// <summary>
    /// Row <paramref name="sourceRow"/> resampled to <paramref name="width"/> pixels as one 32-bit word per pixel,
    /// with the bit offsets of red, green and blue in each word (all 0 for grey). A 32-bit row at its own width is
    /// used in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<uint> PackedRow(PixelBuffer pixels, int sourceRow, int width, out int redShift, out int greenShift, out int blueShift)
    {
        var row = pixels.Row(sourceRow);
        var (r, g, b) = pixels.ChannelOffsets;
        int bpp = pixels.BytesPerPixel;
        (redShift, greenShift, blueShift) = bpp == 3 ? (0, 8, 16) : (r * 8, g * 8, b * 8);
        if (bpp == 4 && pixels.Width == width)
        {
            return MemoryMarshal.Cast<byte, uint>(row);
        }

        Ensure(ref _packedRow, width);
        var packed = _packedRow.AsSpan(0, width);
        var columns = _sourceColumns.AsSpan(0, width);
        ref byte source = ref MemoryMarshal.GetReference(row);
        ref uint destination = ref MemoryMarshal.GetReference(packed);
        ref int column = ref MemoryMarshal.GetReference(columns);
        if (bpp == 4)
        {
            // The column map only holds indices below the row's width (checked when it was built).
            for (int x = 0; x < width; x++)
            {
                Unsafe.Add(ref destination, x) = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref source, Unsafe.Add(ref column, x) * 4));
            }

            return packed;
        }

        if (bpp == 3)
        {
            int x = 0;
            if (Ssse3.IsSupported && pixels.Width == width)
            {
                // Not resampled (video frames at their own size): 4 pixels per shuffle, 12 bytes to 4 words.
                var spread = Vector128.Create((byte)0, 1, 2, 0x80, 3, 4, 5, 0x80, 6, 7, 8, 0x80, 9, 10, 11, 0x80);
                int rowBytes = width * 3;
                for (; (x * 3) + 16 <= rowBytes; x += 4)
                {
                    var bytes = Vector128.LoadUnsafe(ref source, (nuint)(x * 3));
                    Ssse3.Shuffle(bytes, spread).AsUInt32().StoreUnsafe(ref destination, (nuint)x);
                }

                for (; x < width; x++)
                {
                    ref byte p = ref Unsafe.Add(ref source, x * 3);
                    Unsafe.Add(ref destination, x) = p | ((uint)Unsafe.Add(ref p, 1) << 8) | ((uint)Unsafe.Add(ref p, 2) << 16);
                }

                return packed;
            }

            for (; x < width; x++)
            {
                ref byte p = ref Unsafe.Add(ref source, Unsafe.Add(ref column, x) * 3);
                Unsafe.Add(ref destination, x) = p | ((uint)Unsafe.Add(ref p, 1) << 8) | ((uint)Unsafe.Add(ref p, 2) << 16);
            }

            return packed;
        }

        for (int x = 0; x < width; x++)
        {
            Unsafe.Add(ref destination, x) = Unsafe.Add(ref source, Unsafe.Add(ref column, x));
        }

        return packed;
    }

    /// <summary>Whether every pixel has R == G == B (the reference then takes the grey path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
