namespace Clearinghouse.Hashing.Pdq;

/// <summary>
/// A view of decoded 8-bit pixels: <see cref="Height"/> rows of <see cref="Width"/> pixels, each row
/// starting <see cref="RowStride"/> bytes after the previous one.
/// </summary>
public readonly ref struct PixelBuffer
{
    public PixelBuffer(ReadOnlySpan<byte> data, int width, int height, PixelLayout layout, int rowStride = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        int bpp = BytesPerPixelOf(layout);
        if (rowStride == 0)
        {
            rowStride = checked(width * bpp);
        }

        if (rowStride < (long)width * bpp)
        {
            throw new ArgumentException($"Row stride {rowStride} is shorter than a row of {width} pixels.", nameof(rowStride));
        }

        long needed = height == 0 ? 0 : ((long)(height - 1) * rowStride) + ((long)width * bpp);
        if (data.Length < needed)
        {
            throw new ArgumentException($"{width}x{height} pixels need {needed} bytes; got {data.Length}.", nameof(data));
        }

        Data = data;
        Width = width;
        Height = height;
        Layout = layout;
        RowStride = rowStride;
    }

    public ReadOnlySpan<byte> Data { get; }

    public int Width { get; }

    public int Height { get; }

    public PixelLayout Layout { get; }

    public int RowStride { get; }

    public int BytesPerPixel => BytesPerPixelOf(Layout);

    /// <summary>The bytes of row <paramref name="y"/>.</summary>
    public ReadOnlySpan<byte> Row(int y) => Data.Slice(y * RowStride, Width * BytesPerPixel);

    public static int BytesPerPixelOf(PixelLayout layout) => layout switch
    {
        PixelLayout.Rgb24 => 3,
        PixelLayout.Rgba32 or PixelLayout.Bgra32 => 4,
        PixelLayout.Grey8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(layout)),
    };

    /// <summary>Byte offsets of red, green and blue within a pixel.</summary>
    internal (int R, int G, int B) ChannelOffsets => Layout switch
    {
        PixelLayout.Rgb24 or PixelLayout.Rgba32 => (0, 1, 2),
        PixelLayout.Bgra32 => (2, 1, 0),
        _ => (0, 0, 0),
    };
}
