using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Media.Images;
using Clearinghouse.Tests;
using SkiaSharp;

namespace Clearinghouse.Media.Tests;

public sealed class ImageDecoderTests
{
    private const int W = 120;
    private const int H = 90;

    private static DecodedImage Decode(byte[] file, ImageDecodeOptions? options = null) =>
        new ImageDecoder(options).Decode(file, file.Length);

    /// <summary>The decoded pixel (x, y) as RGB, whatever the layout.</summary>
    private static (byte R, byte G, byte B) Pixel(DecodedImage image, int x, int y)
    {
        var pixels = image.Pixels;
        var row = pixels.Row(y);
        int p = x * pixels.BytesPerPixel;
        return pixels.Layout switch
        {
            PixelLayout.Bgra32 => (row[p + 2], row[p + 1], row[p]),
            PixelLayout.Grey8 => (row[p], row[p], row[p]),
            _ => (row[p], row[p + 1], row[p + 2]),
        };
    }

    private static void AssertPixelsEqual(byte[] rgb, DecodedImage image)
    {
        Assert.Equal(W, image.Width);
        Assert.Equal(H, image.Height);
        for (int y = 0; y < H; y++)
        {
            for (int x = 0; x < W; x++)
            {
                int p = ((y * W) + x) * 3;
                Assert.Equal((rgb[p], rgb[p + 1], rgb[p + 2]), Pixel(image, x, y));
            }
        }
    }

    [Fact]
    public void Lossless_png_webp_bmp_and_tiff_decode_to_exactly_the_encoded_pixels()
    {
        var rgb = TestImages.Rgb(W, H);
        using (var png = Decode(TestImages.EncodeWithSkia(rgb, W, H, SKEncodedImageFormat.Png)))
        {
            AssertPixelsEqual(rgb, png);
            Assert.Equal(ImageFormat.Png, png.Format);
        }

        using (var webp = Decode(TestImages.EncodeWithSkia(rgb, W, H, SKEncodedImageFormat.Webp, quality: 101)))
        {
            AssertPixelsEqual(rgb, webp);
        }

        using (var bmp = Decode(TestImages.Bmp(rgb, W, H)))
        {
            AssertPixelsEqual(rgb, bmp);
            Assert.Equal(ImageFormat.Bmp, bmp.Format);
        }

        using var tiff = Decode(TestImages.Tiff(rgb, W, H));
        AssertPixelsEqual(rgb, tiff);
        Assert.Equal(ImageFormat.Tiff, tiff.Format);
    }

    [Fact]
    public void Every_format_of_the_same_pixels_gets_the_same_pdq_hash()
    {
        var rgb = TestImages.Rgb(W, H, seed: 9);
        var expected = new PdqHasher().Hash(new PixelBuffer(rgb, W, H, PixelLayout.Rgb24));
        foreach (var file in new[]
        {
            TestImages.EncodeWithSkia(rgb, W, H, SKEncodedImageFormat.Png),
            TestImages.EncodeWithSkia(rgb, W, H, SKEncodedImageFormat.Webp, quality: 101),
            TestImages.Bmp(rgb, W, H),
            TestImages.Tiff(rgb, W, H),
        })
        {
            using var image = Decode(file);
            Assert.Equal(expected, new PdqHasher().Hash(image.Pixels));
        }
    }

    [Fact]
    public void A_greyscale_jpeg_decodes_to_grey_pixels_identically_with_both_jpeg_back_ends()
    {
        var info = new SKImageInfo(W, H, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var grey = TestImages.Rgb(W, H, seed: 12).Where((_, i) => i % 3 == 0).ToArray();
        System.Runtime.InteropServices.Marshal.Copy(grey, 0, bitmap.GetPixels(), grey.Length);
        using var encoded = bitmap.PeekPixels().Encode(SKEncodedImageFormat.Jpeg, 90) ?? throw new InvalidOperationException("Skia cannot encode JPEG");
        var jpeg = encoded.ToArray();

        using var turbo = new ImageDecoder(null, preferSystemJpeg: true).Decode(jpeg, jpeg.Length);
        using var skia = new ImageDecoder(null, preferSystemJpeg: false).Decode(jpeg, jpeg.Length);
        for (int y = 0; y < H; y++)
        {
            for (int x = 0; x < W; x++)
            {
                var p = Pixel(skia, x, y);
                Assert.Equal(p, Pixel(turbo, x, y));
                Assert.True(p.R == p.G && p.G == p.B);
            }
        }
    }

    [Fact]
    public void Transparent_png_pixels_keep_their_stored_colour_without_compositing()
    {
        using var image = Decode(TestImages.PngWithTransparentColour(W, H, (200, 40, 10)));
        Assert.Equal((200, 40, 10), Pixel(image, 3, 3));
    }

    [Fact]
    public void Transparent_gif_pixels_are_their_palette_colour_as_the_reference_sees_them()
    {
        byte[] palette = [200, 40, 10, 0, 0, 255, 0, 255, 0, 255, 255, 255];
        var gif = TestImages.Gif(16, 12, 0, 0, 16, 12, palette, (x, y) => x < 8 ? 0 : 1 + ((x + y) % 3));
        using var image = Decode(gif);
        Assert.Equal(ImageFormat.Gif, image.Format);
        Assert.Equal((200, 40, 10), Pixel(image, 2, 5));
        Assert.Equal((0, 0, 255), Pixel(image, 9, 0));
        Assert.Equal((255, 255, 255), Pixel(image, 8, 0));
    }

    [Fact]
    public void A_gif_first_frame_smaller_than_the_screen_is_decoded_at_its_own_size()
    {
        byte[] palette = [200, 40, 10, 0, 0, 255, 0, 255, 0, 255, 255, 255];
        var gif = TestImages.Gif(40, 30, 10, 5, 16, 12, palette, (x, y) => 1 + ((x + y) % 3));
        using var image = Decode(gif);
        Assert.Equal(16, image.Width);
        Assert.Equal(12, image.Height);
        Assert.Equal((0, 0, 255), Pixel(image, 0, 0));
        Assert.Equal((0, 255, 0), Pixel(image, 1, 0));
    }

    [Fact]
    public void Sixteen_bit_png_is_converted_correctly_unlike_the_reference_which_keeps_the_low_byte()
    {
        // Documented divergence: the reference stores (uint8_t)sample, i.e. the low byte, which turns the hash
        // into noise. We convert properly, so a 16-bit PNG hashes like its 8-bit rendition.
        var high = TestImages.Rgb(W, H, seed: 4);
        var low = TestImages.Rgb(W, H, seed: 99);
        Array.Reverse(low);
        using var image = Decode(TestImages.Png16(high, high, W, H));
        AssertPixelsEqual(high, image); // v*257 converts to exactly v

        using var noisy = Decode(TestImages.Png16(high, low, W, H));
        var ours = new PdqHasher().Hash(noisy.Pixels).Hash;
        var eightBit = new PdqHasher().Hash(new PixelBuffer(high, W, H, PixelLayout.Rgb24)).Hash;
        var lowByteBug = new PdqHasher().Hash(new PixelBuffer(low, W, H, PixelLayout.Rgb24)).Hash;
        Assert.True(Hash256.Distance(ours, eightBit) <= 16, $"{Hash256.Distance(ours, eightBit)} bits from the 8-bit rendition");
        Assert.True(Hash256.Distance(ours, lowByteBug) > 64);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Exif_orientation_is_ignored_by_default_and_applied_on_request(int orientation)
    {
        var jpeg = TestImages.WithExifOrientation(TestImages.EncodeWithSkia(TestImages.Rgb(W, H), W, H, SKEncodedImageFormat.Jpeg, 95), orientation);
        using var stored = Decode(jpeg);
        using var upright = Decode(jpeg, new ImageDecodeOptions { ApplyExifOrientation = true });
        Assert.Equal((W, H), (stored.Width, stored.Height));

        // What a viewer shows for each tag value, written as the plain-language operation of the EXIF spec.
        Func<int, int, (int X, int Y)> source = orientation switch
        {
            1 => (x, y) => (x, y),                   // as stored
            2 => (x, y) => (W - 1 - x, y),           // mirrored left-right
            3 => (x, y) => (W - 1 - x, H - 1 - y),   // rotated 180
            4 => (x, y) => (x, H - 1 - y),           // mirrored top-bottom
            5 => (x, y) => (y, x),                   // transposed
            6 => (x, y) => (y, H - 1 - x),           // needs 90 degrees clockwise
            7 => (x, y) => (W - 1 - y, H - 1 - x),   // transversed
            _ => (x, y) => (W - 1 - y, x),           // needs 90 degrees counter-clockwise
        };
        var (uw, uh) = orientation >= 5 ? (H, W) : (W, H);
        Assert.Equal((uw, uh), (upright.Width, upright.Height));
        for (int y = 0; y < uh; y++)
        {
            for (int x = 0; x < uw; x++)
            {
                var (sx, sy) = source(x, y);
                Assert.Equal(Pixel(stored, sx, sy), Pixel(upright, x, y));
            }
        }
    }

    // ---- Bad input ------------------------------------------------------------------------------------------

    [Fact]
    public void An_empty_file_is_a_clear_error()
    {
        var error = Assert.Throws<ImageDecodeException>(() => Decode([]));
        Assert.Equal(ImageDecodeFailure.Empty, error.Failure);
        Assert.Equal("the file is empty", error.Message);
    }

    [Fact]
    public void A_text_file_named_jpg_is_not_an_image()
    {
        var error = Assert.Throws<ImageDecodeException>(() => Decode("this is a manifesto, not a photo\n"u8.ToArray()));
        Assert.Equal(ImageDecodeFailure.UnsupportedFormat, error.Failure);
        Assert.Contains("not an image", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void A_truncated_file_is_reported_as_truncated_or_corrupt(SKEncodedImageFormat format)
    {
        var whole = TestImages.EncodeWithSkia(TestImages.Rgb(W, H), W, H, format, quality: 90);
        foreach (int keep in new[] { whole.Length / 2, whole.Length - 40, 30 })
        {
            var cut = whole[..keep];
            var error = Assert.Throws<ImageDecodeException>(() => Decode(cut));
            Assert.Contains(error.Failure, new[] { ImageDecodeFailure.Truncated, ImageDecodeFailure.Corrupt });
            Assert.DoesNotContain('\n', error.Message);
        }
    }

    [Fact]
    public void A_corrupt_body_after_a_valid_signature_is_a_clear_error()
    {
        var rng = new Random(3);
        foreach (var signature in new byte[][] { [0xFF, 0xD8, 0xFF, 0xE0], [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], "GIF89a"u8.ToArray(), "BM"u8.ToArray(), "II*\0"u8.ToArray(), "MM\0*"u8.ToArray() })
        {
            var junk = new byte[2000];
            rng.NextBytes(junk);
            var file = signature.Concat(junk).ToArray();
            Assert.Throws<ImageDecodeException>(() => Decode(file));
        }
    }

    [Fact]
    public void Randomly_damaged_images_never_escape_as_anything_but_a_decode_error()
    {
        var rng = new Random(7);
        var sources = new[]
        {
            TestImages.EncodeWithSkia(TestImages.Rgb(W, H), W, H, SKEncodedImageFormat.Jpeg, quality: 80),
            TestImages.EncodeWithSkia(TestImages.Rgb(W, H), W, H, SKEncodedImageFormat.Png),
            TestImages.Tiff(TestImages.Rgb(W, H), W, H),
            TestImages.Bmp(TestImages.Rgb(W, H), W, H),
        };
        foreach (var source in sources)
        {
            for (int i = 0; i < 60; i++)
            {
                var damaged = (byte[])source.Clone();
                for (int k = 0; k < 1 + rng.Next(8); k++)
                {
                    damaged[8 + rng.Next(damaged.Length - 8)] = (byte)rng.Next(256);
                }

                try
                {
                    using var image = Decode(damaged);
                    Assert.True(image.Width > 0 && image.Height > 0);
                }
                catch (ImageDecodeException)
                {
                    // A clean, reported failure is fine; any other exception type fails the test.
                }
            }
        }
    }

    [Fact]
    public void A_decompression_bomb_is_refused_from_its_header_before_allocating()
    {
        var bomb = HostileFiles.PngBomb(100_000, 100_000);
        Assert.True(bomb.Length < 10_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageDecodeException>(() => Decode(bomb));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(ImageDecodeFailure.TooLarge, error.Failure);
        Assert.Contains("100000x100000", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 10_000_000, $"allocated {allocated:N0} bytes before refusing");
    }

    [Fact]
    public void The_pixel_and_size_limits_are_configurable()
    {
        var png = TestImages.EncodeWithSkia(TestImages.Rgb(W, H), W, H, SKEncodedImageFormat.Png);
        var tooMany = Assert.Throws<ImageDecodeException>(() => Decode(png, new ImageDecodeOptions { MaxPixels = (W * H) - 1 }));
        Assert.Equal(ImageDecodeFailure.TooLarge, tooMany.Failure);
        var tooBig = Assert.Throws<ImageDecodeException>(() => Decode(png, new ImageDecodeOptions { MaxBytes = png.Length - 1 }));
        Assert.Contains("--max-bytes", tooBig.Message, StringComparison.Ordinal);
        using var fits = Decode(png, new ImageDecodeOptions { MaxPixels = W * H, MaxBytes = png.Length });
        Assert.Equal(W, fits.Width);
    }

    [Fact]
    public void A_tiff_bomb_is_refused_too()
    {
        // A TIFF whose IFD declares 200000 x 200000 with a tiny strip.
        var tiff = TestImages.Tiff(TestImages.Rgb(8, 8), 8, 8);
        var error = Assert.Throws<ImageDecodeException>(() => Decode(tiff, new ImageDecodeOptions { MaxPixels = 10 }));
        Assert.Equal(ImageDecodeFailure.TooLarge, error.Failure);
    }
}
