using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Hashing.Pdq.Reference;
using Clearinghouse.Hashing.Vpdq;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.Hashing.Tests;

public sealed class VpdqHasherTests
{
    [Theory]
    [InlineData(0, 30, 1)]
    [InlineData(1, 30, 30)]
    [InlineData(1, 29.97002997002997, 29)]
    [InlineData(0.5, 30, 15)]
    [InlineData(2, 25, 50)]
    [InlineData(1, 0.5, 1)]
    [InlineData(1e300, 30, int.MaxValue)]
    public void Frame_interval_truncates_seconds_times_rate_and_is_at_least_one(double seconds, double fps, int expected) =>
        Assert.Equal(expected, VpdqHasher.FrameInterval(seconds, fps));

    [Fact]
    public void Timestamps_are_float_divisions_as_in_the_reference()
    {
        Assert.Equal(0.03333333507180214, VpdqHasher.Timestamp(1, 30));
        Assert.Equal((double)(119f / 30f), VpdqHasher.Timestamp(119, 30));
        Assert.Equal((double)(1001f / (float)(30000.0 / 1001)), VpdqHasher.Timestamp(1001, 30000.0 / 1001));
    }

    public static Arbitrary<(int Width, int Height, int Seed, bool Grey)> FrameShapes =>
        (from width in Gen.Elements(5, 7, 63, 64, 65, 127, 300, 640)
         from height in Gen.Elements(5, 9, 64, 100, 360, 513)
         from seed in Gen.Choose(0, 10_000)
         from grey in Gen.Elements(true, false)
         select (width, height, seed, grey)).ToArbitrary();

    [Property(MaxTest = 60)]
    public Property Frames_hash_as_the_scalar_transcription_of_vpdqs_frame_hasher() =>
        Prop.ForAll(FrameShapes, shape =>
        {
            var data = PdqHasherTests.SyntheticImage(shape.Width, shape.Height, PixelLayout.Rgb24, shape.Seed, shape.Grey);
            var pixels = new PixelBuffer(data, shape.Width, shape.Height, PixelLayout.Rgb24);
            var feature = new VpdqHasher().HashFrame(pixels, 3, 30);
            var reference = ScalarReferencePdq.HashVideoFrame(pixels);
            return feature == new VpdqFeature(3, reference.Quality, reference.Hash, (double)(3f / 30f));
        });

    [Theory]
    [InlineData(64, 14)]
    [InlineData(64, 30)]
    [InlineData(100, 14)]
    public void A_grey_frame_takes_luma_from_the_rgb_formula_not_the_photo_hashers_grey_level(int size, int level)
    {
        // Two grey levels (left half v, right half v + 1): nearly flat, so the tiny difference between
        // 0.299v + 0.587v + 0.114v (in float) and v itself decides bits. The video path must use the formula.
        var data = new byte[size * size * 3];
        for (int i = 0; i < size * size; i++)
        {
            byte grey = (byte)(level + (i % size < size / 2 ? 0 : 1));
            data[3 * i] = data[(3 * i) + 1] = data[(3 * i) + 2] = grey;
        }

        var pixels = new PixelBuffer(data, size, size, PixelLayout.Rgb24);
        var video = PdqHasher.ForVideoFrames().Hash(pixels);

        Assert.Equal(ScalarReferencePdq.HashVideoFrame(pixels), video);
        Assert.NotEqual(new PdqHasher(preResize: false).Hash(pixels), video);
    }

    [Fact]
    public void Whole_frames_are_hashed_without_the_photo_pre_resize()
    {
        var data = PdqHasherTests.SyntheticImage(1280, 720, PixelLayout.Rgb24, 5, grey: false);
        var pixels = new PixelBuffer(data, 1280, 720, PixelLayout.Rgb24);

        var feature = new VpdqHasher().HashFrame(pixels, 0, 30);

        Assert.Equal(ScalarReferencePdq.HashVideoFrame(pixels).Hash, feature.Hash);
        Assert.NotEqual(new PdqHasher().Hash(pixels).Hash, feature.Hash);
    }

    [Fact]
    public void A_video_is_hashed_on_the_frames_the_interval_selects()
    {
        var source = new SyntheticVideo(frames: 95, width: 40, height: 30, frameRate: 29.97);

        var every = new VpdqHasher().HashVideo(source);
        var perSecond = new VpdqHasher(secondsPerHash: 1).HashVideo(new SyntheticVideo(95, 40, 30, 29.97));

        Assert.Equal(Enumerable.Range(0, 95), every.Select(f => f.FrameNumber));
        Assert.Equal([0, 29, 58, 87], perSecond.Select(f => f.FrameNumber));
        Assert.Equal(every.Where(f => f.FrameNumber % 29 == 0), perSecond);
        Assert.Equal(VpdqHasher.Timestamp(87, 29.97), perSecond[^1].Timestamp);
    }

    [Fact]
    public void Frames_under_5_pixels_fail_the_video_as_in_the_reference()
    {
        var error = Assert.Throws<ArgumentException>(() => new VpdqHasher().HashVideo(new SyntheticVideo(3, 4, 100, 30)));
        Assert.Contains("at least 5x5", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 30.0, "0.000")]
    [InlineData(1, 30.0, "0.033")]
    [InlineData(2, 30.0, "0.067")]
    [InlineData(1, 16.0, "0.062")]
    [InlineData(3, 16.0, "0.188")]
    [InlineData(119, 30.0, "3.967")]
    [InlineData(123456, 29.97, "4119.319")]
    public void Reference_lines_print_timestamps_as_printf_does(int frame, double fps, string timestamp)
    {
        var feature = new VpdqFeature(frame, 87, Hash256.AllOnes, VpdqHasher.Timestamp(frame, fps));
        Assert.Equal($"{frame},87,{Hash256.AllOnes},{timestamp}", VpdqReferenceText.FormatLine(feature));
    }

    [Theory]
    // Each pair as CPython prints format(t, ".3") (python-threatexchange's VPDQ_TIMESTAMP_PRECISION).
    [InlineData(0.0, "0.0")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.03333333507180214, "0.0333")]
    [InlineData(0.06666667014360428, "0.0667")]
    [InlineData(1.5, "1.5")]
    [InlineData(10.0, "10.0")]
    [InlineData(12.345, "12.3")]
    [InlineData(99.96, "1e+02")]
    [InlineData(100.0, "1e+02")]
    [InlineData(123.4, "1.23e+02")]
    [InlineData(0.0625, "0.0625")]
    [InlineData(0.00012345, "0.000123")]
    [InlineData(1.234e-05, "1.23e-05")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(4.967, "4.97")]
    [InlineData(6.833333492279053, "6.83")]
    [InlineData(3599.9, "3.6e+03")]
    [InlineData(0.1, "0.1")]
    [InlineData(2.0345, "2.03")]
    [InlineData(999.5, "1e+03")]
    [InlineData(86399.96666666, "8.64e+04")]
    public void Json_form_prints_timestamps_as_python_threatexchange_does(double seconds, string expected)
    {
        string json = VpdqJson.Format([new VpdqFeature(0, 100, Hash256.Zero, seconds)]);
        Assert.Equal($"[\"{Hash256.Zero},100,{expected}\"]", json);
    }

    [Fact]
    public void Json_form_is_spaced_as_json_dumps()
    {
        var features = new[] { new VpdqFeature(0, 100, Hash256.Zero, 0), new VpdqFeature(30, 7, Hash256.AllOnes, 1) };
        Assert.Equal($"[\"{Hash256.Zero},100,0.0\", \"{Hash256.AllOnes},7,1.0\"]", VpdqJson.Format(features));
        Assert.Equal("[]", VpdqJson.Format([]));
    }

    [Property(MaxTest = 300)]
    public Property Json_form_reads_back_and_is_stable() =>
        Prop.ForAll(
            (from quality in Gen.Choose(0, 100)
             from frame in Gen.Choose(0, 1_000_000)
             from fps in Gen.Elements(24.0, 25.0, 29.97002997002997, 30.0, 60.0, 0.5)
             select (quality, frame, fps)).ArrayOf().ToArbitrary(),
            frames =>
            {
                var rng = new Random(frames.Length);
                var features = frames.Select(f => new VpdqFeature(f.frame, f.quality, new Hash256((ulong)rng.NextInt64(), (ulong)rng.NextInt64(), 3, 4), VpdqHasher.Timestamp(f.frame, f.fps))).ToList();
                string json = VpdqJson.Format(features);
                Assert.True(VpdqJson.TryParse(json, out var parsed, out string? reason), reason);
                Assert.Equal(features.Select(f => (f.Hash, f.Quality)), parsed.Select(f => (f.Hash, f.Quality)));
                Assert.Equal(json, VpdqJson.Format(parsed));
                for (int i = 0; i < features.Count; i++)
                {
                    // Three significant digits.
                    Assert.True(Math.Abs(parsed[i].Timestamp - features[i].Timestamp) <= (features[i].Timestamp * 0.005) + 1e-12);
                }

                return true;
            });

    [Theory]
    [InlineData("{}", "expected a JSON array")]
    [InlineData("[1]", "frame 0: expected a \"hash,quality,timestamp\" string, got Number")]
    [InlineData("[\"abc,1\"]", "is not \"hash,quality,timestamp\"")]
    [InlineData("[\"0000000000000000000000000000000000000000000000000000000000000000,101,0.0\"]", "the quality '101' is not a whole number from 0 to 100")]
    [InlineData("[\"0000000000000000000000000000000000000000000000000000000000000000,-1,0.0\"]", "the quality '-1'")]
    [InlineData("[\"0000000000000000000000000000000000000000000000000000000000000000,50,-1.0\"]", "the timestamp '-1.0' is not a number of seconds ≥ 0")]
    [InlineData("[\"0000000000000000000000000000000000000000000000000000000000000000,50,nan\"]", "the timestamp 'nan'")]
    [InlineData("[\"000000000000000000000000000000000000000000000000000000000000000,50,0.0\"]", "exactly 64 hex digits; got 63 characters")]
    [InlineData("[\"0000000000000000000000000000000000000000000000000000000000000000,50,0.0\", \"x\"]", "frame 1:")]
    [InlineData("[\"a\",", "not valid JSON")]
    public void Bad_json_values_say_what_is_wrong(string json, string reason)
    {
        Assert.False(VpdqJson.TryParse(json, out var features, out string? actual));
        Assert.Null(features);
        Assert.Contains(reason, actual, StringComparison.Ordinal);
    }

    [Fact]
    public void Reference_text_reads_back_line_by_line()
    {
        string text = $"0,100,{Hash256.AllOnes},0.000\n30,68,{Hash256.Zero},1.000\n\n";
        Assert.True(VpdqReferenceText.TryParse(text, out var features, out string? reason), reason);
        Assert.Equal([new VpdqFeature(0, 100, Hash256.AllOnes, 0), new VpdqFeature(30, 68, Hash256.Zero, 1)], features);

        var writer = new StringWriter();
        VpdqReferenceText.Write(writer, features);
        Assert.Equal(text.TrimEnd('\n') + "\n", writer.ToString());

        Assert.False(VpdqReferenceText.TryParse($"0,100,{Hash256.AllOnes},0.000\n1,100,{Hash256.AllOnes}\n", out _, out reason));
        Assert.Equal("line 2: expected 4 comma-separated fields: frameNumber,quality,hash,timestamp", reason);
    }

    /// <summary>Frames whose pixels depend on their number, at a given rate.</summary>
    private sealed class SyntheticVideo(int frames, int width, int height, double frameRate) : IVideoFrameSource
    {
        private int _next;
        private byte[] _pixels = [];

        public double FrameRate => frameRate;

        public bool TryReadFrame(out int frameNumber, out PixelBuffer pixels)
        {
            frameNumber = _next;
            pixels = default;
            if (_next == frames)
            {
                return false;
            }

            _pixels = PdqHasherTests.SyntheticImage(width, height, PixelLayout.Rgb24, _next, grey: false);
            pixels = new PixelBuffer(_pixels, width, height, PixelLayout.Rgb24);
            _next++;
            return true;
        }
    }
}
