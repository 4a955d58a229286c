using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace Clearinghouse.Media.Tests;

/// <summary>Image files made by the tests themselves, in every format and every way of being broken.</summary>
internal static class TestImages
{
    /// <summary>RGB pixels with smooth structure and some texture.</summary>
    public static byte[] Rgb(int width, int height, int seed = 1)
    {
        var rng = new Random(seed);
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int p = ((y * width) + x) * 3;
                rgb[p] = (byte)((x * 255 / Math.Max(1, width - 1)) ^ (rng.Next(16)));
                rgb[p + 1] = (byte)((y * 255 / Math.Max(1, height - 1)) ^ (rng.Next(16)));
                rgb[p + 2] = (byte)(((x + y) * 3) & 0xFF);
            }
        }

        return rgb;
    }

    public static byte[] EncodeWithSkia(byte[] rgb, int width, int height, SKEncodedImageFormat format, int quality = 100)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var rgba = new byte[width * height * 4];
        for (int i = 0; i < width * height; i++)
        {
            rgba[i * 4] = rgb[i * 3];
            rgba[(i * 4) + 1] = rgb[(i * 3) + 1];
            rgba[(i * 4) + 2] = rgb[(i * 3) + 2];
            rgba[(i * 4) + 3] = 255;
        }

        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var pixmap = bitmap.PeekPixels();
        using var data = format == SKEncodedImageFormat.Webp && quality > 100
            ? pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100))
            : pixmap.Encode(format, quality);
        return data?.ToArray() ?? throw new InvalidOperationException($"Skia cannot encode {format}");
    }

    /// <summary>The JPEG with an EXIF APP1 segment carrying only the orientation tag, right after SOI.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff =
        [
            (byte)'I', (byte)'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, // little-endian TIFF header, IFD at offset 8
            0x01, 0x00,                                                 // one entry
            0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,             // tag 0x0112 Orientation, SHORT, count 1
            (byte)orientation, 0x00, 0x00, 0x00,                        // value
            0x00, 0x00, 0x00, 0x00,                                     // no next IFD
        ];
        var app1 = new List<byte> { 0xFF, 0xE1 };
        int length = 2 + 6 + tiff.Length;
        app1.Add((byte)(length >> 8));
        app1.Add((byte)length);
        app1.AddRange("Exif\0\0"u8.ToArray());
        app1.AddRange(tiff);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    public static byte[] Tiff(byte[] rgb, int width, int height)
    {
        using var image = Image.LoadPixelData<Rgb24>(rgb, width, height);
        using var stream = new MemoryStream();
        image.Save(stream, new TiffEncoder());
        return stream.ToArray();
    }

    /// <summary>A 16-bit-per-sample RGB PNG whose samples are <paramref name="high"/>*256 + <paramref name="low"/>.</summary>
    public static byte[] Png16(byte[] high, byte[] low, int width, int height)
    {
        var pixels = new Rgb48[width * height];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = new Rgb48(
                (ushort)((high[i * 3] << 8) | low[i * 3]),
                (ushort)((high[(i * 3) + 1] << 8) | low[(i * 3) + 1]),
                (ushort)((high[(i * 3) + 2] << 8) | low[(i * 3) + 2]));
        }

        using var image = Image.LoadPixelData<Rgb48>(pixels, width, height);
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb });
        return stream.ToArray();
    }

    /// <summary>An RGBA PNG in which some pixels are fully transparent but keep a colour.</summary>
    public static byte[] PngWithTransparentColour(int width, int height, (byte R, byte G, byte B) hidden)
    {
        var pixels = new Rgba32[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                pixels[(y * width) + x] = x < width / 2
                    ? new Rgba32(hidden.R, hidden.G, hidden.B, 0)
                    : new Rgba32((byte)x, (byte)y, 90, 255);
            }
        }

        using var image = Image.LoadPixelData<Rgba32>(pixels, width, height);
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, TransparentColorMode = PngTransparentColorMode.Preserve });
        return stream.ToArray();
    }

    /// <summary>An uncompressed 24-bit BMP (bottom-up rows, BGR, rows padded to 4 bytes).</summary>
    public static byte[] Bmp(byte[] rgb, int width, int height)
    {
        int rowBytes = ((width * 3) + 3) & ~3;
        var bmp = new byte[54 + (rowBytes * height)];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), rowBytes * height);
        for (int y = 0; y < height; y++)
        {
            int row = 54 + ((height - 1 - y) * rowBytes);
            for (int x = 0; x < width; x++)
            {
                int s = ((y * width) + x) * 3;
                bmp[row + (x * 3)] = rgb[s + 2];
                bmp[row + (x * 3) + 1] = rgb[s + 1];
                bmp[row + (x * 3) + 2] = rgb[s];
            }
        }

        return bmp;
    }

    /// <summary>
    /// A GIF with a 4-colour palette whose colour 0 is declared transparent, one frame of
    /// <paramref name="frameWidth"/> x <paramref name="frameHeight"/> at (<paramref name="left"/>, <paramref name="top"/>) on a
    /// larger logical screen; pixel (x, y) of the frame has palette index <paramref name="index"/>(x, y).
    /// </summary>
    public static byte[] Gif(int screenWidth, int screenHeight, int left, int top, int frameWidth, int frameHeight, byte[] palette, Func<int, int, int> index)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        AddShort(gif, screenWidth);
        AddShort(gif, screenHeight);
        gif.Add(0x80 | 0x01);   // global colour table of 2^(1+1) = 4 entries
        gif.Add(0);
        gif.Add(0);
        gif.AddRange(palette);  // 12 bytes
        gif.AddRange(new byte[] { 0x21, 0xF9, 0x04, 0x01, 0, 0, 0, 0 }); // transparent index 0
        gif.Add(0x2C);
        AddShort(gif, left);
        AddShort(gif, top);
        AddShort(gif, frameWidth);
        AddShort(gif, frameHeight);
        gif.Add(0);
        gif.Add(2); // LZW minimum code size

        // Codes of 3 bits: clear (4) before every pair of pixels keeps the code size from growing.
        var codes = new List<int>();
        int n = 0;
        for (int y = 0; y < frameHeight; y++)
        {
            for (int x = 0; x < frameWidth; x++)
            {
                if (n++ % 2 == 0)
                {
                    codes.Add(4);
                }

                codes.Add(index(x, y));
            }
        }

        codes.Add(5);
        var packed = new List<byte>();
        int acc = 0, bits = 0;
        foreach (var code in codes)
        {
            acc |= code << bits;
            bits += 3;
            while (bits >= 8)
            {
                packed.Add((byte)acc);
                acc >>= 8;
                bits -= 8;
            }
        }

        if (bits > 0)
        {
            packed.Add((byte)acc);
        }

        for (int i = 0; i < packed.Count; i += 255)
        {
            int size = Math.Min(255, packed.Count - i);
            gif.Add((byte)size);
            gif.AddRange(packed.GetRange(i, size));
        }

        gif.Add(0);
        gif.Add(0x3B);
        return gif.ToArray();
    }

    private static void AddShort(List<byte> list, int value)
    {
        list.Add((byte)value);
        list.Add((byte)(value >> 8));
    }
}
