namespace Clearinghouse.Media.Images;

/// <summary>Refuses declared dimensions before any pixel memory is allocated.</summary>
internal static class ImageLimits
{
    public static void Check(long width, long height, ImageDecodeOptions options)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageDecodeException(ImageDecodeFailure.Corrupt, $"the image declares invalid dimensions {width}x{height}");
        }

        long pixels = width * height;
        if (pixels > options.MaxPixels || width > int.MaxValue / 4 || height > int.MaxValue / 4 || pixels * 4 > Array.MaxLength)
        {
            throw new ImageDecodeException(
                ImageDecodeFailure.TooLarge,
                $"the image declares {width}x{height} = {pixels:N0} pixels, over the limit of {options.MaxPixels:N0} (raise it with --max-pixels)");
        }
    }
}
