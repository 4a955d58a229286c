using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Hashing.Pdq.Reference;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.Hashing.Tests;

/// <summary>
/// The optimised hasher against the plain transcription of the reference (<see cref="ScalarReferencePdq"/>) on
/// images of every shape: the golden files prove the transcription and the decoders; these prove that the
/// vectorised code paths (transposes, 16-lane filters, padding, resampling, the grey path, the 64x64 shortcut,
/// each pixel layout) change no bit anywhere else.
/// </summary>
public sealed class PdqHasherTests
{
    private static readonly PixelLayout[] Layouts = [PixelLayout.Rgb24, PixelLayout.Rgba32, PixelLayout.Bgra32, PixelLayout.Grey8];

    /// <summary>An image with smooth structure plus noise, optionally all grey.</summary>
    internal static byte[] SyntheticImage(int width, int height, PixelLayout layout, int seed, bool grey)
    {
        int bpp = PixelBuffer.BytesPerPixelOf(layout);
        var rng = new Random(seed);
        var data = new byte[width * height * bpp];
        double fx = rng.NextDouble() * 0.2, fy = rng.NextDouble() * 0.2;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int p = ((y * width) + x) * bpp;
                for (int c = 0; c < bpp; c++)
                {
                    double wave = 127 + (90 * Math.Sin((fx * x * (c + 1)) + (fy * y)));
                    data[p + c] = (byte)Math.Clamp(wave + rng.Next(-30, 31), 0, 255);
                }

                if (grey)
                {
                    for (int c = 1; c < Math.Min(bpp, 3); c++)
                    {
                        data[p + c] = data[p];
                    }
                }
            }
        }

        return data;
    }

    public static Arbitrary<(int Width, int Height, int Layout, int Seed, bool Grey)> ImageShapes =>
        Gen.Choose(1, 700).Two().Zip(Gen.Choose(0, 3)).Zip(Gen.Choose(0, 1_000_000).Zip(ArbMap.Default.GeneratorFor<bool>()))
            .Select(t => (t.Item1.Item1.Item1, t.Item1.Item1.Item2, t.Item1.Item2, t.Item2.Item1, t.Item2.Item2))
            .ToArbitrary();

    [Property(MaxTest = 60)]
    public Property Optimised_hasher_equals_the_scalar_reference_on_any_image() =>
        Prop.ForAll(ImageShapes, shape =>
        {
            var layout = Layouts[shape.Layout];
            var data = SyntheticImage(shape.Width, shape.Height, layout, shape.Seed, shape.Grey);
            var pixels = new PixelBuffer(data, shape.Width, shape.Height, layout);
            var fast = new PdqHasher().Hash(pixels);
            var reference = ScalarReferencePdq.Hash(pixels);
            return fast == reference;
        });

    [Theory]
    [InlineData(64, 64)]
    [InlineData(5, 5)]
    [InlineData(4, 100)]
    [InlineData(100, 4)]
    [InlineData(513, 512)]
    [InlineData(512, 513)]
    [InlineData(1000, 3)]
    [InlineData(8, 9)]
    [InlineData(17, 33)]
    [InlineData(127, 129)]
    [InlineData(257, 255)]
    [InlineData(1920, 1080)]
    public void Edge_shapes_match_the_scalar_reference(int width, int height)
    {
        foreach (var layout in Layouts)
        {
            foreach (bool grey in new[] { false, true })
            {
                var data = SyntheticImage(width, height, layout, width * 31 + height, grey);
                var pixels = new PixelBuffer(data, width, height, layout);
                Assert.Equal(ScalarReferencePdq.Hash(pixels), new PdqHasher().Hash(pixels));
            }
        }
    }

    [Fact]
    public void A_reused_hasher_gives_the_same_answers_as_fresh_ones_whatever_came_before()
    {
        var hasher = new PdqHasher();
        var sizes = new[] { (700, 300), (64, 64), (9, 700), (512, 512), (30, 20), (700, 300) };
        foreach (var (w, h) in sizes)
        {
            var data = SyntheticImage(w, h, PixelLayout.Bgra32, w + h, grey: false);
            var pixels = new PixelBuffer(data, w, h, PixelLayout.Bgra32);
            Assert.Equal(new PdqHasher().Hash(pixels), hasher.Hash(pixels));
        }
    }

    [Fact]
    public void Images_under_five_pixels_hash_to_zero_with_quality_zero()
    {
        var data = SyntheticImage(4, 300, PixelLayout.Rgb24, 1, grey: false);
        var result = new PdqHasher().Hash(new PixelBuffer(data, 4, 300, PixelLayout.Rgb24));
        Assert.Equal(Hash256.Zero, result.Hash);
        Assert.Equal(0, result.Quality);
        var dihedral = new PdqHasher().HashDihedral(new PixelBuffer(data, 4, 300, PixelLayout.Rgb24));
        Assert.All(dihedral.ToArray(), h => Assert.Equal(Hash256.Zero, h));
    }

    [Fact]
    public void A_row_stride_wider_than_the_row_is_honoured()
    {
        const int w = 100, h = 80, stride = (w * 3) + 17;
        var tight = SyntheticImage(w, h, PixelLayout.Rgb24, 7, grey: false);
        var padded = new byte[stride * h];
        for (int y = 0; y < h; y++)
        {
            tight.AsSpan(y * w * 3, w * 3).CopyTo(padded.AsSpan(y * stride));
            padded.AsSpan((y * stride) + (w * 3), 17).Fill(0xAB);
        }

        Assert.Equal(
            new PdqHasher().Hash(new PixelBuffer(tight, w, h, PixelLayout.Rgb24)),
            new PdqHasher().Hash(new PixelBuffer(padded, w, h, PixelLayout.Rgb24, stride)));
    }

    [Fact]
    public void The_same_pixels_in_every_layout_hash_the_same()
    {
        const int w = 333, h = 222;
        var rgb = SyntheticImage(w, h, PixelLayout.Rgb24, 3, grey: false);
        var rgba = new byte[w * h * 4];
        var bgra = new byte[w * h * 4];
        for (int i = 0; i < w * h; i++)
        {
            rgba[(i * 4) + 0] = rgb[(i * 3) + 0];
            rgba[(i * 4) + 1] = rgb[(i * 3) + 1];
            rgba[(i * 4) + 2] = rgb[(i * 3) + 2];
            rgba[(i * 4) + 3] = (byte)i;
            bgra[(i * 4) + 0] = rgb[(i * 3) + 2];
            bgra[(i * 4) + 1] = rgb[(i * 3) + 1];
            bgra[(i * 4) + 2] = rgb[(i * 3) + 0];
            bgra[(i * 4) + 3] = (byte)(i * 7);
        }

        var expected = new PdqHasher().Hash(new PixelBuffer(rgb, w, h, PixelLayout.Rgb24));
        Assert.Equal(expected, new PdqHasher().Hash(new PixelBuffer(rgba, w, h, PixelLayout.Rgba32)));
        Assert.Equal(expected, new PdqHasher().Hash(new PixelBuffer(bgra, w, h, PixelLayout.Bgra32)));
    }

    [Fact]
    public void Without_the_pre_resize_a_large_frame_is_filtered_at_full_size()
    {
        const int w = 900, h = 600;
        var data = SyntheticImage(w, h, PixelLayout.Rgb24, 11, grey: false);
        var pixels = new PixelBuffer(data, w, h, PixelLayout.Rgb24);
        var video = new PdqHasher(preResize: false).Hash(pixels);
        Assert.Equal(ScalarReferencePdq.Hash(pixels, preResize: false), video);
        Assert.NotEqual(new PdqHasher().Hash(pixels).Hash, video.Hash);
    }

    [Property(MaxTest = 300)]
    public Property Median_selection_equals_torbens_search() =>
        Prop.ForAll(
            Gen.Choose(-1000, 1000).Select(v => v / 7f).ArrayOf(256).ToArbitrary(),
            values => Median256.Select(values) == ScalarReferencePdq.Torben(values));
}
