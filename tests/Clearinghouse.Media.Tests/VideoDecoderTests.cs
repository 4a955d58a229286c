using System.Diagnostics;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Media.Video;
using Clearinghouse.Tests;

namespace Clearinghouse.Media.Tests;

/// <summary>Hostile and broken videos through the real FFmpeg: each a precise error, in bounded time, nothing left running.</summary>
public sealed class VideoDecoderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-video-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Doorknob => VideoHashing.VideoPath("doorknob-hd-no-bar");

    [Fact]
    public void Probing_reports_the_declared_stream()
    {
        using var reader = new VideoDecoder().Open(Doorknob);

        Assert.Equal((1280, 720, 30.0, "30/1", "h264"), (reader.Info.Width, reader.Info.Height, reader.Info.FrameRate, reader.Info.FrameRateText, reader.Info.Codec));
        Assert.Equal(4.0, reader.Info.Duration!.Value.TotalSeconds, 3);
    }

    [Fact]
    public void Frames_are_numbered_from_zero_and_every_nth_is_delivered_when_asked()
    {
        using var reader = new VideoDecoder().Open(Doorknob);
        reader.Start(new VideoFrameRequest(Size: 32, FrameInterval: 7));
        var numbers = new List<int>();
        while (reader.TryReadFrame(out int number, out var pixels))
        {
            Assert.Equal((32, 32), (pixels.Width, pixels.Height));
            numbers.Add(number);
        }

        Assert.Equal(Enumerable.Range(0, 18).Select(i => i * 7), numbers);
    }

    [Fact]
    public void A_file_cut_inside_its_data_is_truncated()
    {
        // doorknob has its index (moov) first, so a cut leaves frames whose data is missing.
        string path = Write("cut.mp4", File.ReadAllBytes(Doorknob)[..240_000]);

        var error = Fails(path);

        Assert.Equal(VideoDecodeFailure.Truncated, error.Failure);
        Assert.StartsWith("truncated video", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_cut_before_its_index_is_truncated()
    {
        // test-padded-dimensions has its index (moov) last.
        string path = Write("cut-index.mp4", File.ReadAllBytes(VideoHashing.VideoPath("test-padded-dimensions"))[..30_000]);

        var error = Fails(path);

        Assert.Equal(VideoDecodeFailure.Truncated, error.Failure);
        Assert.Contains("moov atom not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_are_not_a_video()
    {
        var bytes = new byte[100_000];
        new Random(7).NextBytes(bytes);
        string path = Write("random.mp4", bytes);

        var error = Fails(path);

        Assert.Equal(VideoDecodeFailure.Corrupt, error.Failure);
        Assert.Contains("not a video FFmpeg can read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_frame_data_fails_the_video_as_the_reference_fails_it()
    {
        // Overwrite part of the coded data (after the index) so that the decoder rejects packets.
        var bytes = File.ReadAllBytes(Doorknob);
        new Random(3).NextBytes(bytes.AsSpan(6_000, 200_000));
        string path = Write("damaged.mp4", bytes);

        var error = Fails(path);

        Assert.Equal(VideoDecodeFailure.Corrupt, error.Failure);
        Assert.StartsWith("corrupt video", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_is_refused_before_ffmpeg_runs()
    {
        var error = Fails(Write("empty.mp4", []), new VideoDecodeOptions { FfmpegPath = "/nonexistent/ffmpeg" });

        Assert.Equal(VideoDecodeFailure.Empty, error.Failure);
        Assert.Equal("the file is empty", error.Message);
    }

    [Fact]
    public void A_video_stream_without_frames_is_empty()
    {
        string path = Write("noframes.y4m", "YUV4MPEG2 W64 H64 F30:1 Ip A1:1 C420jpeg\n"u8.ToArray());

        var error = Fails(path);

        Assert.Equal(VideoDecodeFailure.Empty, error.Failure);
        Assert.Equal("the video stream (rawvideo) has no frames", error.Message);
    }

    [Fact]
    public void An_audio_only_file_has_no_video_stream()
    {
        string path = Path.Combine(_dir, "sine.m4a");
        Ffmpeg.Run("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", path);

        var error = Fails(path);

        Assert.Equal(VideoDecodeFailure.NoVideoStream, error.Failure);
        Assert.Contains("no video stream", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_declaring_huge_frames_is_refused_before_decoding()
    {
        // 16000x16000 (256 megapixels): a few bytes of header, one truncated frame.
        byte[] header = "YUV4MPEG2 W16000 H16000 F30:1 Ip A1:1 C420jpeg\nFRAME\n"u8.ToArray();
        string path = Write("huge.y4m", [.. header, .. new byte[1000]]);

        var error = Fails(path);

        Assert.Equal(VideoDecodeFailure.TooLarge, error.Failure);
        Assert.Contains("16000x16000 = 256,000,000 pixels per frame, over the limit of 36,000,000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pixel_limit_also_applies_to_the_requested_size()
    {
        using var reader = new VideoDecoder(new VideoDecodeOptions { MaxPixels = 1_000_000 }).Open(Doorknob);

        var error = Assert.Throws<VideoDecodeException>(() => reader.Start(new VideoFrameRequest(Size: 2000)));
        Assert.Equal(VideoDecodeFailure.TooLarge, error.Failure);
    }

    [Fact]
    public void A_declared_duration_over_the_limit_is_refused_before_decoding()
    {
        var error = Fails(Doorknob, new VideoDecodeOptions { MaxDuration = TimeSpan.FromSeconds(1) });

        Assert.Equal(VideoDecodeFailure.TooLong, error.Failure);
        Assert.Contains("declares 4.0 s, over the limit of 1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_frames_than_allowed_stop_the_decoder()
    {
        using var reader = new VideoDecoder(new VideoDecodeOptions { MaxFrames = 100 }).Open(Doorknob);
        int delivered = 0;

        var error = Assert.Throws<VideoDecodeException>(() =>
        {
            while (reader.TryReadFrame(out _, out _))
            {
                delivered++;
            }
        });

        Assert.Equal(VideoDecodeFailure.TooLong, error.Failure);
        Assert.Equal(100, delivered);
    }

    [Fact]
    public void Missing_ffmpeg_says_how_to_install_it()
    {
        var error = Fails(Doorknob, new VideoDecodeOptions { FfmpegPath = "/nonexistent/bin/ffmpeg" });

        Assert.Equal(VideoDecodeFailure.FfmpegMissing, error.Failure);
        Assert.Contains("/nonexistent/bin/ffprobe", error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install ffmpeg", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_time_limit_that_runs_out_while_probing_stops_ffprobe()
    {
        var error = Fails(Doorknob, new VideoDecodeOptions { Timeout = TimeSpan.FromMilliseconds(1) });

        Assert.Equal(VideoDecodeFailure.Timeout, error.Failure);
    }

    [Fact]
    public void A_time_limit_that_runs_out_while_decoding_kills_ffmpeg()
    {
        // The limit leaves FFmpeg time to start even on a loaded machine (3 s was not always enough for a first frame
        // while the other test classes ran beside it).
        using var reader = new VideoDecoder(new VideoDecodeOptions { Timeout = TimeSpan.FromSeconds(6) }).Open(Doorknob);
        var clock = Stopwatch.StartNew();
        int delivered = 0;

        // A consumer far slower than the limit: 120 frames at 250 ms each would take 30 s.
        var error = Assert.Throws<VideoDecodeException>(() =>
        {
            while (reader.TryReadFrame(out _, out _))
            {
                delivered++;
                Thread.Sleep(250);
            }
        });

        Assert.Equal(VideoDecodeFailure.Timeout, error.Failure);
        Assert.InRange(delivered, 1, 60);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1, 15);
    }

    [Fact]
    public void A_path_that_looks_like_an_option_or_a_protocol_is_read_as_a_file()
    {
        string path = Path.Combine(_dir, "-i concat:x|y.mp4");
        File.Copy(VideoHashing.VideoPath("test-padded-dimensions"), path);

        var features = VideoHashing.HashFile(path, size: 64);

        Assert.Equal(VideoHashing.Hash("test-padded-dimensions", 64), features);
    }

    [Fact]
    public void Sixty_four_pixel_frames_skip_the_blur_as_in_the_reference()
    {
        // At 64x64 PDQ uses the frame as its 64x64 block; the hash must equal the scalar transcription's.
        using var reader = new VideoDecoder().Open(Doorknob);
        reader.Start(new VideoFrameRequest(Size: 64, FrameInterval: 30));
        var hasher = new VpdqHasher();
        while (reader.TryReadFrame(out int number, out var pixels))
        {
            var expected = Clearinghouse.Hashing.Pdq.Reference.ScalarReferencePdq.HashVideoFrame(pixels);
            var feature = hasher.HashFrame(pixels, number, reader.FrameRate);
            Assert.Equal((expected.Hash, expected.Quality), (feature.Hash, feature.Quality));
        }
    }

    [Fact]
    public void A_child_flooding_stderr_neither_blocks_nor_grows_memory()
    {
        // 8 MB of stderr (far past a pipe's 64 KB) and one very long line, then a line on stdout.
        using var tool = ToolProcess.Start(
            "sh",
            ["-c", "yes 'Error while decoding stream #0:0: flood' | head -c 8000000 >&2; head -c 3000000 /dev/zero | tr '\\0' x >&2; echo done"],
            CancellationToken.None,
            "Error while decoding stream");
        using var reader = new StreamReader(tool.Output);

        Assert.Equal("done", reader.ReadLine());
        Assert.Equal(0, tool.WaitForExit());
        Assert.True(tool.Errors.Count > 100_000);
        Assert.InRange(tool.Errors.Lines.Count, 1, 32);
        Assert.All(tool.Errors.Lines, l => Assert.True(l.Length <= 401));
        Assert.NotNull(tool.Errors.FirstMatch(0));
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static VideoDecodeException Fails(string path, VideoDecodeOptions? options = null)
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<VideoDecodeException>(() => VideoHashing.HashFile(path, options: options));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.DoesNotContain("file:", error.Message, StringComparison.Ordinal);
        return error;
    }
}
