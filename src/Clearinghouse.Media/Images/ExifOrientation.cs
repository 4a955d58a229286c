using SkiaSharp;

namespace Clearinghouse.Media.Images;

/// <summary>Reads the EXIF orientation (1..8) of an encoded image from its header.</summary>
internal static class ExifOrientation
{
    /// <summary>Skia parses the header (no pixels are decoded); 1 when absent or unreadable.</summary>
    public static int Read(ReadOnlySpan<byte> encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data);
        return codec is null ? 1 : SkiaImageDecoder.OrientationOf(codec.EncodedOrigin);
    }
}
