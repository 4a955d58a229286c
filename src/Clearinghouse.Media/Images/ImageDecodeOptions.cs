namespace Clearinghouse.Media.Images;

/// <summary>Limits and choices for decoding untrusted images.</summary>
public sealed record ImageDecodeOptions
{
    /// <summary>Default limit on encoded size: 256 MiB.</summary>
    public const long DefaultMaxBytes = 256L * 1024 * 1024;

    /// <summary>Default limit on decoded pixels: 100 megapixels (400 MB as RGBA).</summary>
    public const long DefaultMaxPixels = 100_000_000;

    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>Files larger than this are refused before being read.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>
    /// Images whose header declares more pixels than this are refused before any pixel memory is allocated,
    /// which stops decompression bombs (a few KB declaring 100000x100000).
    /// </summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>
    /// Rotate/flip by the EXIF orientation tag. Off by default because the PDQ reference ignores it, and a hash
    /// must equal what other members compute for the same file.
    /// </summary>
    public bool ApplyExifOrientation { get; init; }
}
