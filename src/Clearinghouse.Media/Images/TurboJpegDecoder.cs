using System.Runtime.InteropServices;
using Clearinghouse.Hashing.Pdq;

namespace Clearinghouse.Media.Images;

/// <summary>
/// JPEG through the system's libjpeg-turbo (TurboJPEG API, Debian package libturbojpeg0): the very library the
/// PDQ reference decodes with through ImageMagick, with its SIMD code. Default integer IDCT and fancy upsampling,
/// as <c>djpeg -dct int</c>, so the pixels equal Skia's (the tests compare both on every JPEG) — about twice as
/// fast. CMYK and YCCK files, which TurboJPEG cannot convert to RGB, go to Skia.
/// </summary>
internal sealed partial class TurboJpegDecoder : IImageDecoder
{
    private const string Library = "libturbojpeg.so.0";
    private const int PixelFormatBgrx = 3;   // TJPF_BGRX: same byte order as our Bgra32 layout
    private const int ColorspaceCmyk = 3;    // TJCS_CMYK
    private const int ColorspaceYcck = 4;    // TJCS_YCCK
    private const int ErrorWarning = 0;      // TJERR_WARNING

    private static readonly Lazy<bool> Loaded = new(() => NativeLibrary.TryLoad(Library, out _));

    private readonly IImageDecoder _fallback;

    public TurboJpegDecoder(IImageDecoder fallback)
    {
        _fallback = fallback;
    }

    /// <summary>Whether libturbojpeg is installed.</summary>
    public static bool IsAvailable => Loaded.Value;

    public (DecodedImage Image, int Orientation) Decode(byte[] data, int length, ImageFormat format, ImageDecodeOptions options)
    {
        var jpeg = data.AsSpan(0, length);
        nint handle = InitDecompress();
        if (handle == 0)
        {
            throw new InvalidOperationException("libturbojpeg could not create a decompressor");
        }

        try
        {
            if (DecompressHeader3(handle, jpeg, (nuint)length, out int width, out int height, out _, out int colorspace) != 0)
            {
                throw new ImageDecodeException(ImageDecodeFailure.Corrupt, $"not a readable JPEG image ({ErrorText(handle)})");
            }

            if (colorspace is ColorspaceCmyk or ColorspaceYcck)
            {
                return _fallback.Decode(data, length, format, options);
            }

            ImageLimits.Check(width, height, options);
            var image = DecodedImage.Allocate(width, height, PixelLayout.Bgra32, format);
            try
            {
                int result = Decompress2(handle, jpeg, (nuint)length, image.Bytes, width, image.RowStride, height, PixelFormatBgrx, 0);
                if (result != 0)
                {
                    string message = ErrorText(handle);
                    bool warningOnly = GetErrorCode(handle) == ErrorWarning;
                    if (message.Contains("Premature end", StringComparison.Ordinal))
                    {
                        throw new ImageDecodeException(ImageDecodeFailure.Truncated, "JPEG image could not be decoded: the file is truncated");
                    }

                    // libjpeg warns about recoverable damage (extraneous bytes and the like) and still decodes the
                    // whole image, as ImageMagick and Skia accept it; anything fatal is an error.
                    if (!warningOnly)
                    {
                        throw new ImageDecodeException(ImageDecodeFailure.Corrupt, $"JPEG image could not be decoded: {message}");
                    }
                }

                return (image, options.ApplyExifOrientation ? ExifOrientation.Read(jpeg) : 1);
            }
            catch
            {
                image.Dispose();
                throw;
            }
        }
        finally
        {
            _ = Destroy(handle);
        }
    }

    private static string ErrorText(nint handle)
    {
        nint text = GetErrorStr2(handle);
        return text == 0 ? "unknown error" : Marshal.PtrToStringUTF8(text) ?? "unknown error";
    }

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    private static partial nint InitDecompress();

    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    private static partial int DecompressHeader3(nint handle, ReadOnlySpan<byte> jpeg, nuint size, out int width, out int height, out int subsampling, out int colorspace);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    private static partial int Decompress2(nint handle, ReadOnlySpan<byte> jpeg, nuint size, Span<byte> destination, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(Library, EntryPoint = "tjGetErrorStr2")]
    private static partial nint GetErrorStr2(nint handle);

    [LibraryImport(Library, EntryPoint = "tjGetErrorCode")]
    private static partial int GetErrorCode(nint handle);

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    private static partial int Destroy(nint handle);
}
