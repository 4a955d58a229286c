namespace Clearinghouse.Media.Images;

/// <summary>Image container formats recognised by their leading bytes (never by file name).</summary>
public enum ImageFormat
{
    Unknown,
    Jpeg,
    Png,
    Gif,
    Bmp,
    WebP,
    Tiff,
}

/// <summary>Recognises an image format from its magic bytes.</summary>
public static class ImageFormatSniffer
{
    /// <summary>Bytes needed to recognise every supported format.</summary>
    public const int HeaderLength = 12;

    public static ImageFormat Sniff(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return ImageFormat.Jpeg;
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ImageFormat.Png;
        }

        if (header.StartsWith("GIF87a"u8) || header.StartsWith("GIF89a"u8))
        {
            return ImageFormat.Gif;
        }

        if (header.StartsWith("BM"u8))
        {
            return ImageFormat.Bmp;
        }

        if (header.Length >= 12 && header.StartsWith("RIFF"u8) && header.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }

        if (header.StartsWith("II*\0"u8) || header.StartsWith("MM\0*"u8))
        {
            return ImageFormat.Tiff;
        }

        return ImageFormat.Unknown;
    }
}
