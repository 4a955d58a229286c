namespace Clearinghouse.Media.Images;

/// <summary>One decoding library behind the one interface the rest of the code sees.</summary>
internal interface IImageDecoder
{
    /// <summary>Decodes the first frame of <paramref name="data"/> (already recognised as <paramref name="format"/>).</summary>
    /// <returns>The pixels and the EXIF orientation (1..8; 1 when absent).</returns>
    (DecodedImage Image, int Orientation) Decode(byte[] data, int length, ImageFormat format, ImageDecodeOptions options);
}
