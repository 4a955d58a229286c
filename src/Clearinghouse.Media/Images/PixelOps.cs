namespace Clearinghouse.Media.Images;

/// <summary>Whole-pixel copies: crops and the eight EXIF orientations.</summary>
internal static class PixelOps
{
    public static DecodedImage Crop(DecodedImage source, int left, int top, int width, int height)
    {
        var target = DecodedImage.Allocate(width, height, source.Layout, source.Format);
        int bpp = source.RowStride / source.Width;
        var from = source.Bytes;
        var to = target.Bytes;
        for (int y = 0; y < height; y++)
        {
            from.Slice(((top + y) * source.RowStride) + (left * bpp), width * bpp).CopyTo(to.Slice(y * target.RowStride, width * bpp));
        }

        return target;
    }

    /// <summary>
    /// Applies EXIF orientation <paramref name="orientation"/> (1..8) so the result is upright; returns the source
    /// itself for 1 (or an unknown value).
    /// </summary>
    public static DecodedImage Orient(DecodedImage source, int orientation)
    {
        if (orientation is < 2 or > 8)
        {
            return source;
        }

        // 5..8 swap width and height.
        bool transpose = orientation >= 5;
        int w = source.Width;
        int h = source.Height;
        int outW = transpose ? h : w;
        int outH = transpose ? w : h;
        int bpp = source.RowStride / w;
        var target = DecodedImage.Allocate(outW, outH, source.Layout, source.Format);
        var from = source.Bytes;
        var to = target.Bytes;
        for (int y = 0; y < outH; y++)
        {
            for (int x = 0; x < outW; x++)
            {
                // (sx, sy): where in the stored image the upright pixel (x, y) comes from.
                var (sx, sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),
                };
                from.Slice((sy * source.RowStride) + (sx * bpp), bpp).CopyTo(to.Slice((y * target.RowStride) + (x * bpp), bpp));
            }
        }

        return target;
    }
}
