namespace Clearinghouse.Hashing.Pdq;

/// <summary>How the bytes of one pixel are laid out in a <see cref="PixelBuffer"/>.</summary>
public enum PixelLayout
{
    /// <summary>3 bytes: R, G, B.</summary>
    Rgb24,

    /// <summary>4 bytes: R, G, B, A (alpha ignored).</summary>
    Rgba32,

    /// <summary>4 bytes: B, G, R, A (alpha ignored).</summary>
    Bgra32,

    /// <summary>1 byte: grey level.</summary>
    Grey8,
}
