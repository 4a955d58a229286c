using System.Globalization;

namespace Clearinghouse.Media.Video;

/// <summary>
/// Opens untrusted video files with a real FFmpeg (the <c>ffprobe</c> and <c>ffmpeg</c> programs, as child
/// processes) and delivers their frames as RGB24 converted the way the vPDQ reference converts them. Every
/// failure is a <see cref="VideoDecodeException"/> with a one-line reason.
/// </summary>
/// <remarks>
/// Only local files are read (<c>-protocol_whitelist file</c>; a playlist cannot make FFmpeg fetch URLs), and the
/// path is passed as a <c>file:</c> URL, so no file name is taken for an option or a protocol.
/// </remarks>
public sealed class VideoDecoder
{
    public VideoDecoder(VideoDecodeOptions? options = null)
    {
        Options = options ?? VideoDecodeOptions.Default;
        Options.Validate();
    }

    public VideoDecodeOptions Options { get; }

    /// <summary>
    /// Checks the file and probes its first video stream; frames flow once <see cref="VideoFrameReader.Start"/> is
    /// called. The per-file time limit starts now and covers probing and decoding.
    /// </summary>
    public VideoFrameReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileInfo(path);
        long length = file.Length; // FileNotFoundException for a missing file, as for images
        if (length == 0)
        {
            throw new VideoDecodeException(VideoDecodeFailure.Empty, "the file is empty");
        }

        if (length > Options.MaxBytes)
        {
            throw new VideoDecodeException(VideoDecodeFailure.TooLarge, $"the file is {length:N0} bytes, over the limit of {Options.MaxBytes:N0}");
        }

        string url = "file:" + file.FullName;
        var deadline = new CancellationTokenSource(Options.Timeout);
        try
        {
            var info = Probe(url, LooksLikeMp4(file), deadline.Token);
            CheckLimits(info);
            return new VideoFrameReader(url, info, Options, deadline);
        }
        catch
        {
            deadline.Dispose();
            throw;
        }
    }

    private VideoInfo Probe(string url, bool looksLikeMp4, CancellationToken deadline)
    {
        using var probe = ToolProcess.Start(Options.ResolvedFfprobePath, FfprobeOutput.Arguments(url), deadline);
        var report = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = probe.Output.Read(buffer)) > 0)
        {
            if (report.Length + n > FfprobeOutput.MaxBytes)
            {
                probe.Kill();
                throw new VideoDecodeException(VideoDecodeFailure.Corrupt, $"ffprobe's report is over {FfprobeOutput.MaxBytes:N0} bytes");
            }

            report.Write(buffer, 0, n);
        }

        int exitCode = probe.WaitForExit();
        if (probe.TimedOut)
        {
            throw TimedOut(Options);
        }

        if (exitCode != 0)
        {
            string reason = probe.Errors.Summary();
            // FFmpeg picks the MP4 reader by file name too; only a file that starts like one lacks its index.
            var failure = looksLikeMp4 && reason.Contains("moov atom not found", StringComparison.Ordinal) ? VideoDecodeFailure.Truncated : VideoDecodeFailure.Corrupt;
            string what = failure == VideoDecodeFailure.Truncated ? "truncated video (its MP4 index is missing)" : "not a video FFmpeg can read";
            throw new VideoDecodeException(failure, $"{what}: {StripUrl(reason, url)}");
        }

        return FfprobeOutput.Parse(report.GetBuffer().AsSpan(0, (int)report.Length));
    }

    /// <summary>Whether the file starts with an ISO base media box (ftyp, moov, mdat, free, …) as MP4 and MOV files do.</summary>
    private static bool LooksLikeMp4(FileInfo file)
    {
        Span<byte> head = stackalloc byte[8];
        using var stream = file.OpenRead();
        if (stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length)
        {
            return false;
        }

        var type = head[4..];
        return type.SequenceEqual("ftyp"u8) || type.SequenceEqual("moov"u8) || type.SequenceEqual("mdat"u8)
            || type.SequenceEqual("free"u8) || type.SequenceEqual("skip"u8) || type.SequenceEqual("wide"u8);
    }

    private void CheckLimits(VideoInfo info)
    {
        long pixels = (long)info.Width * info.Height;
        if (pixels > Options.MaxPixels)
        {
            throw new VideoDecodeException(
                VideoDecodeFailure.TooLarge,
                $"the video declares {info.Width}x{info.Height} = {pixels:N0} pixels per frame, over the limit of {Options.MaxPixels:N0} (raise it with --max-frame-pixels)");
        }

        if (info.Duration is { } duration && duration > Options.MaxDuration)
        {
            throw new VideoDecodeException(
                VideoDecodeFailure.TooLong,
                string.Create(CultureInfo.InvariantCulture, $"the video declares {duration.TotalSeconds:F1} s, over the limit of {Options.MaxDuration.TotalSeconds:0.###} s (raise it with --max-duration)"));
        }
    }

    internal static VideoDecodeException TimedOut(VideoDecodeOptions options) =>
        new(VideoDecodeFailure.Timeout, string.Create(CultureInfo.InvariantCulture, $"decoding took longer than the limit of {options.Timeout.TotalSeconds:0.###} s per file (raise it with --timeout); FFmpeg was stopped"));

    /// <summary>FFmpeg names the input in its messages; the user knows which file it is.</summary>
    internal static string StripUrl(string message, string url) => message.Replace(url + ": ", string.Empty, StringComparison.Ordinal);
}
