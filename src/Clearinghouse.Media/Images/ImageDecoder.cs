namespace Clearinghouse.Media.Images;

/// <summary>
/// Decodes untrusted image files to 8-bit RGB(A) the way the PDQ reference sees them: format chosen by magic
/// bytes, first frame only, alpha kept but never composited, no colour management, no EXIF orientation unless
/// asked. Every failure — whatever the library underneath threw — is an <see cref="ImageDecodeException"/>
/// with a one-line reason.
/// </summary>
public sealed class ImageDecoder
{
    private static readonly IImageDecoder Skia = new SkiaImageDecoder();
    private static readonly IImageDecoder Tiff = new ImageSharpTiffDecoder();
    private static readonly IImageDecoder SystemJpeg = new TurboJpegDecoder(Skia);

    private readonly IImageDecoder _jpeg;

    public ImageDecoder(ImageDecodeOptions? options = null)
        : this(options, preferSystemJpeg: true)
    {
    }

    /// <param name="preferSystemJpeg">
    /// Decode JPEG with the system's libjpeg-turbo when it is installed (faster, same pixels); false forces Skia.
    /// </param>
    internal ImageDecoder(ImageDecodeOptions? options, bool preferSystemJpeg)
    {
        Options = options ?? ImageDecodeOptions.Default;
        _jpeg = preferSystemJpeg && TurboJpegDecoder.IsAvailable ? SystemJpeg : Skia;
    }

    /// <summary>Which library decodes JPEG in this process: "libjpeg-turbo" (system) or "skia".</summary>
    public static string JpegBackend => TurboJpegDecoder.IsAvailable ? "libjpeg-turbo" : "skia";

    public ImageDecodeOptions Options { get; }

    /// <summary>Decodes the first <paramref name="length"/> bytes of <paramref name="data"/>.</summary>
    public DecodedImage Decode(byte[] data, int length)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, data.Length);
        if (length == 0)
        {
            throw new ImageDecodeException(ImageDecodeFailure.Empty, "the file is empty");
        }

        if (length > Options.MaxBytes)
        {
            throw new ImageDecodeException(ImageDecodeFailure.TooLarge, $"the file is {length:N0} bytes, over the limit of {Options.MaxBytes:N0} (raise it with --max-bytes)");
        }

        var format = ImageFormatSniffer.Sniff(data.AsSpan(0, Math.Min(length, ImageFormatSniffer.HeaderLength)));
        if (format == ImageFormat.Unknown)
        {
            throw new ImageDecodeException(ImageDecodeFailure.UnsupportedFormat, "not an image in a supported format (JPEG, PNG, GIF, BMP, WebP, TIFF)");
        }

        var decoder = format switch
        {
            ImageFormat.Tiff => Tiff,
            ImageFormat.Jpeg => _jpeg,
            _ => Skia,
        };
        DecodedImage image;
        int orientation;
        try
        {
            (image, orientation) = decoder.Decode(data, length, format, Options);
        }
        catch (ImageDecodeException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Decoders throw all sorts on crafted input (ImageSharp 2.1 even NullReferenceException).
            throw new ImageDecodeException(ImageDecodeFailure.Corrupt, $"corrupt {format.ToString().ToUpperInvariant()} image ({ex.GetType().Name}: {FirstLine(ex.Message)})", ex);
        }

        if (!Options.ApplyExifOrientation || orientation == 1)
        {
            return image;
        }

        using (image)
        {
            return PixelOps.Orient(image, orientation);
        }
    }

    /// <summary>Reads and decodes a file, refusing it before reading if it is over the size limit.</summary>
    public DecodedImage DecodeFile(string path)
    {
        using var file = RentedFile.Read(path, Options.MaxBytes);
        return Decode(file.Buffer, file.Length);
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
