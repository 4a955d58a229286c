using System.Runtime.InteropServices;
using Clearinghouse.Hashing.Pdq;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Clearinghouse.Media.Images;

/// <summary>
/// TIFF through ImageSharp 2.1.13 (Skia has no TIFF codec). Pinned at 2.1.13: later ImageSharp versions need a
/// commercial licence key to build. Configured with the TIFF module only, so it can never be asked to decode
/// anything else.
/// </summary>
internal sealed class ImageSharpTiffDecoder : IImageDecoder
{
    private static readonly Configuration TiffOnly = new(new TiffConfigurationModule()) { MaxDegreeOfParallelism = 1 };

    public (DecodedImage Image, int Orientation) Decode(byte[] data, int length, ImageFormat format, ImageDecodeOptions options)
    {
        using var stream = new MemoryStream(data, 0, length, writable: false);
        var info = Image.Identify(TiffOnly, stream)
            ?? throw new ImageDecodeException(ImageDecodeFailure.Corrupt, "not a readable TIFF image");
        ImageLimits.Check(info.Width, info.Height, options);
        stream.Position = 0;

        using var image = Image.Load<Rgba32>(TiffOnly, stream);
        var frame = image.Frames.RootFrame;
        var decoded = DecodedImage.Allocate(frame.Width, frame.Height, PixelLayout.Rgba32, format);
        try
        {
            frame.ProcessPixelRows(rows =>
            {
                var target = decoded.Bytes;
                for (int y = 0; y < rows.Height; y++)
                {
                    MemoryMarshal.AsBytes(rows.GetRowSpan(y)).CopyTo(target.Slice(y * decoded.RowStride, decoded.RowStride));
                }
            });
        }
        catch
        {
            decoded.Dispose();
            throw;
        }

        int orientation = 1;
        var tag = image.Metadata.ExifProfile?.GetValue(ExifTag.Orientation);
        if (tag is not null)
        {
            orientation = tag.Value;
        }

        return (decoded, orientation);
    }
}
