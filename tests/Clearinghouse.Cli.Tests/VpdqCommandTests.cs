using System.Diagnostics;
using System.Text.Json;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Tests;

namespace Clearinghouse.Cli.Tests;

public sealed class VpdqCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ch-vpdq-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Videos => TestData.PathOf("vpdq", "videos");

    private static string Reference(string file) => TestData.PathOf("vpdq", "debian12-ffmpeg5.1.9", file);

    /// <summary>
    /// The python-threatexchange value of a reference file's frames. The file rounds timestamps to 3 decimals; the
    /// value keeps 3 significant digits of the exact (float) timestamp, so it is recomputed from the frame number.
    /// </summary>
    private static string PythonValue(string referenceFile)
    {
        Assert.True(VpdqReferenceText.TryParse(File.ReadAllText(referenceFile), out var frames, out string? reason), reason);
        return VpdqJson.Format(frames.Select(f => f with { Timestamp = VpdqHasher.Timestamp(f.FrameNumber, 30) }));
    }

    [Fact]
    public void Hash_json_gives_each_video_its_vpdq_value_and_the_reference_files_with_vpdq_out()
    {
        var result = CliRunner.Run("hash", "--type", "vpdq,md5", "--json", "--seconds-per-hash", "0", "--vpdq-out", _dir, "--threads", "2", Videos);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(4, result.OutLines.Length);
        foreach (var line in result.OutLines)
        {
            var root = JsonDocument.Parse(line).RootElement;
            string name = Path.GetFileNameWithoutExtension(root.GetProperty("path").GetString()!);
            var vpdq = root.GetProperty("vpdq");
            Assert.Equal(PythonValue(Reference(name + ".txt")), vpdq.GetProperty("value").GetString());
            Assert.Equal(File.ReadAllLines(Reference(name + ".txt")).Length, vpdq.GetProperty("frames").GetInt32());
            Assert.Equal(30, vpdq.GetProperty("frame_rate").GetDouble());
            Assert.True(root.TryGetProperty("md5", out _));
            Assert.False(root.TryGetProperty("pdq", out _));
            Assert.Equal(File.ReadAllText(Reference(name + ".txt")), File.ReadAllText(Path.Combine(_dir, name + ".txt")));
        }

        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Downscale_and_the_default_of_one_hash_per_second_reproduce_the_reference_options()
    {
        string video = Path.Combine(Videos, "doorknob-hd-no-bar.mp4");

        Assert.Equal(0, CliRunner.Run("hash", "--type", "vpdq", "--seconds-per-hash", "0", "--downscale", "128", "--vpdq-out", _dir, video).ExitCode);
        Assert.Equal(File.ReadAllText(Reference("doorknob-hd-no-bar-128x128.txt")), File.ReadAllText(Path.Combine(_dir, "doorknob-hd-no-bar.txt")));

        var perSecond = CliRunner.Run("hash", "--type", "vpdq", "--json", "--vpdq-out", _dir, video);
        Assert.Equal(File.ReadAllText(Reference("doorknob-hd-no-bar-r1.txt")), File.ReadAllText(Path.Combine(_dir, "doorknob-hd-no-bar.txt")));
        Assert.Equal(PythonValue(Reference("doorknob-hd-no-bar-r1.txt")), JsonDocument.Parse(perSecond.OutLines.Single()).RootElement.GetProperty("vpdq").GetProperty("value").GetString());
    }

    [Fact]
    public void With_vpdq_and_text_tlsh_a_video_gets_both_and_a_file_too_short_for_tlsh_fails_with_its_reason()
    {
        string video = Path.Combine(Videos, "doorknob-hd-no-bar.mp4");
        string small = Path.Combine(_dir, "small.bin");
        File.WriteAllText(small, "twenty-one bytes long");

        var result = CliRunner.Run("hash", "--type", "vpdq,text_tlsh", "--json", video, small);

        Assert.Equal(1, result.ExitCode);
        var film = JsonDocument.Parse(result.OutLines[0]).RootElement;
        Assert.Equal(PythonValue(Reference("doorknob-hd-no-bar-r1.txt")), film.GetProperty("vpdq").GetProperty("value").GetString());
        Assert.Equal(Hashing.Tlsh.TlshHasher.Hash(File.ReadAllBytes(video)).Hash.ToString(), film.GetProperty("text_tlsh").GetString());
        Assert.False(film.TryGetProperty("error", out _));
        var failed = JsonDocument.Parse(result.OutLines[1]).RootElement;
        Assert.Equal("text_tlsh: too short: 21 bytes; TLSH needs at least 50", failed.GetProperty("error").GetString());
    }

    [Fact]
    public void With_pdq_and_vpdq_images_get_pdq_and_videos_get_vpdq()
    {
        string image = Directory.GetFiles(TestData.PathOf("pdq", "images"), "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        string video = Path.Combine(Videos, "test-padded-dimensions.mp4");

        var result = CliRunner.Run("hash", "--type", "pdq,vpdq", "--json", image, video);

        Assert.Equal(0, result.ExitCode);
        var photo = JsonDocument.Parse(result.OutLines[0]).RootElement;
        var film = JsonDocument.Parse(result.OutLines[1]).RootElement;
        Assert.True(photo.TryGetProperty("pdq", out _));
        Assert.False(photo.TryGetProperty("vpdq", out _));
        Assert.True(film.TryGetProperty("vpdq", out _));
        Assert.False(film.TryGetProperty("pdq", out _));
    }

    [Fact]
    public void Bad_videos_fail_one_by_one_with_their_reasons()
    {
        string cut = Path.Combine(_dir, "cut.mp4");
        File.WriteAllBytes(cut, File.ReadAllBytes(Path.Combine(Videos, "doorknob-hd-no-bar.mp4"))[..240_000]);
        string empty = Path.Combine(_dir, "empty.mp4");
        File.WriteAllBytes(empty, []);
        string random = Path.Combine(_dir, "random.mov");
        var bytes = new byte[50_000];
        new Random(11).NextBytes(bytes);
        File.WriteAllBytes(random, bytes);
        string audio = Path.Combine(_dir, "sine.m4a");
        Ffmpeg.Run("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", audio);
        string good = Path.Combine(Videos, "test-padded-dimensions.mp4");

        var result = CliRunner.Run("hash", "--type", "vpdq", "--json", "--threads", "1", audio, cut, empty, good, random);

        Assert.Equal(1, result.ExitCode);
        var errors = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => Path.GetFileName(e.GetProperty("path").GetString()!), e => e.TryGetProperty("error", out var m) ? m.GetString() : null);
        Assert.StartsWith("truncated video", errors["cut.mp4"], StringComparison.Ordinal);
        Assert.Equal("the file is empty", errors["empty.mp4"]);
        Assert.StartsWith("not a video FFmpeg can read", errors["random.mov"], StringComparison.Ordinal);
        Assert.StartsWith("no video stream", errors["sine.m4a"], StringComparison.Ordinal);
        Assert.Null(errors["test-padded-dimensions.mp4"]);
        Assert.Contains("4 of 5 inputs failed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_ffmpeg_binary_says_how_to_install_it()
    {
        var result = CliRunner.Run("hash", "--type", "vpdq", "--ffmpeg", "/nonexistent/ffmpeg", Path.Combine(Videos, "doorknob-hd-no-bar.mp4"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("apt-get install ffmpeg", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ffmpeg_missing_from_path_says_how_to_install_it()
    {
        // The built CLI in its own process, with a PATH that holds no ffmpeg (the dotnet host named by full path).
        string host = Path.GetFileName(Environment.ProcessPath) == "dotnet"
            ? Environment.ProcessPath!
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, "dotnet")).First(File.Exists);
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "clearinghouse.dll"), "hash", "--type", "vpdq", Path.Combine(Videos, "doorknob-hd-no-bar.mp4") })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["PATH"] = _dir;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("cannot run 'ffprobe' (no such program): video hashing needs FFmpeg — install it with 'apt-get install ffmpeg'", await stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_inputs_with_the_same_name_cannot_overwrite_each_others_reference_file()
    {
        string other = Directory.CreateDirectory(Path.Combine(_dir, "other")).FullName;
        string output = Directory.CreateDirectory(Path.Combine(_dir, "out")).FullName;
        File.Copy(Path.Combine(Videos, "test-padded-dimensions.mp4"), Path.Combine(other, "test-padded-dimensions.mp4"));

        var result = CliRunner.Run("hash", "--type", "vpdq", "--downscale", "64", "--threads", "1", "--vpdq-out", output, Path.Combine(Videos, "test-padded-dimensions.mp4"), Path.Combine(other, "test-padded-dimensions.mp4"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("would overwrite the one of", result.Error, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(output));
    }

    [Theory]
    [InlineData("--downscale", "3")]
    [InlineData("--seconds-per-hash", "-1")]
    [InlineData("--vpdq-out", "/nonexistent/dir")]
    [InlineData("--timeout", "0")]
    public void Bad_video_options_are_usage_errors(string option, string value)
    {
        var result = CliRunner.Run("hash", "--type", "vpdq", option, value, Path.Combine(Videos, "doorknob-hd-no-bar.mp4"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(option, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_vpdq_reports_frames_per_second_native_and_at_64_px()
    {
        string video = Path.Combine(_dir, "small.mp4");
        Ffmpeg.Run("-f", "lavfi", "-i", "testsrc=size=96x64:rate=30", "-frames:v", "30", "-pix_fmt", "yuv420p", "-c:v", "libx264", video);

        var result = CliRunner.Run("bench", "vpdq", "--json", "--repeat", "1", video);

        Assert.Equal(0, result.ExitCode);
        var json = JsonDocument.Parse(result.OutLines.Single()).RootElement;
        foreach (string size in new[] { "native", "s64" })
        {
            var m = json.GetProperty(size);
            Assert.Equal(30, m.GetProperty("frames").GetInt32());
            foreach (string field in new[] { "frames_per_s", "hash_frames_per_s", "hash_ms_per_frame", "decode_only_frames_per_s" })
            {
                Assert.True(m.GetProperty(field).GetDouble() > 0, $"{size}.{field}");
            }
        }
    }
}
