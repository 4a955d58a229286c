using System.Buffers;
using Clearinghouse.Hashing.Pdq;

namespace Clearinghouse.Media.Images;

/// <summary>
/// Decoded 8-bit pixels, in a buffer rented from the shared pool: dispose it to give the memory back.
/// </summary>
public sealed class DecodedImage : IDisposable
{
    private byte[]? _pixels;

    internal DecodedImage(byte[] pixels, int width, int height, PixelLayout layout, int rowStride, ImageFormat format)
    {
        _pixels = pixels;
        Width = width;
        Height = height;
        Layout = layout;
        RowStride = rowStride;
        Format = format;
    }

    public int Width { get; }

    public int Height { get; }

    public PixelLayout Layout { get; }

    public int RowStride { get; }

    /// <summary>The container format the bytes were decoded from.</summary>
    public ImageFormat Format { get; }

    /// <summary>A view of the pixels for the hashers.</summary>
    public PixelBuffer Pixels
    {
        get
        {
            var pixels = _pixels ?? throw new ObjectDisposedException(nameof(DecodedImage));
            return new PixelBuffer(pixels.AsSpan(0, RowStride * Height), Width, Height, Layout, RowStride);
        }
    }

    internal Span<byte> Bytes => Buffer.AsSpan(0, RowStride * Height);

    /// <summary>The rented array (longer than the pixels); for decoders that need to pin it.</summary>
    internal byte[] Buffer => _pixels ?? throw new ObjectDisposedException(nameof(DecodedImage));

    /// <summary>Rents a buffer for <paramref name="width"/> x <paramref name="height"/> pixels.</summary>
    internal static DecodedImage Allocate(int width, int height, PixelLayout layout, ImageFormat format)
    {
        int stride = checked(width * PixelBuffer.BytesPerPixelOf(layout));
        var buffer = ArrayPool<byte>.Shared.Rent(checked(stride * height));
        return new DecodedImage(buffer, width, height, layout, stride, format);
    }

    public void Dispose()
    {
        var pixels = Interlocked.Exchange(ref _pixels, null);
        if (pixels is not null)
        {
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }
}
