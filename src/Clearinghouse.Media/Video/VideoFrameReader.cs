using System.Buffers;
using System.Globalization;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Hashing.Vpdq;

namespace Clearinghouse.Media.Video;

/// <summary>
/// The frames of one video, decoded by an <c>ffmpeg</c> child process and read from its stdout as raw RGB24,
/// one frame buffer (rented) at a time. Frames are converted as the vPDQ reference converts them with libswscale:
/// to the stream's declared size (or S×S) with <c>SWS_AREA</c>; numbered as decoded, from 0; no auto-rotation.
/// </summary>
/// <remarks>
/// <para>Failures mirror the reference's: a decoding error (FFmpeg's "Error while decoding stream") or a read error
/// fails the video, as does a truncated file; damage that the decoder conceals is hashed, as the reference hashes
/// it. The time limit kills FFmpeg; a video delivering more frames than the duration limit allows is stopped.</para>
/// <para>Not thread-safe. Dispose it to stop FFmpeg and give the buffer back.</para>
/// </remarks>
public sealed class VideoFrameReader : IVideoFrameSource, IDisposable
{
    // Texts FFmpeg writes (at -v error) when the reference would have failed; see Classify.
    private const int DecodeErrorWatch = 0;
    private const int PartialFileWatch = 1;
    private const int ReadErrorWatch = 2;

    private readonly string _url;
    private readonly VideoDecodeOptions _options;
    private readonly CancellationTokenSource _deadline;
    private readonly long _maxFrameNumber;
    private ToolProcess? _ffmpeg;
    private byte[]? _frame;
    private int _frameBytes;
    private int _delivered;
    private bool _ended;
    private bool _disposed;

    internal VideoFrameReader(string url, VideoInfo info, VideoDecodeOptions options, CancellationTokenSource deadline)
    {
        _url = url;
        Info = info;
        _options = options;
        _deadline = deadline;
        double allowed = options.MaxFrames ?? ((options.MaxDuration.TotalSeconds * info.FrameRate * 1.5) + 300);
        _maxFrameNumber = allowed >= int.MaxValue ? int.MaxValue : (long)allowed - 1;
    }

    /// <summary>The probed stream.</summary>
    public VideoInfo Info { get; }

    /// <inheritdoc />
    public double FrameRate => Info.FrameRate;

    /// <summary>What was asked of <see cref="Start"/>.</summary>
    public VideoFrameRequest Request { get; private set; }

    /// <summary>Width of the delivered frames.</summary>
    public int FrameWidth => Request.Size > 0 ? Request.Size : Info.Width;

    /// <summary>Height of the delivered frames.</summary>
    public int FrameHeight => Request.Size > 0 ? Request.Size : Info.Height;

    /// <summary>Frames delivered so far.</summary>
    public int FramesDelivered => _delivered;

    /// <summary>Starts FFmpeg. Called by the first <see cref="TryReadFrame"/> with the default request if not before.</summary>
    public void Start(VideoFrameRequest request)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ffmpeg is not null)
        {
            throw new InvalidOperationException("The reader has already started.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(request.Size);
        ArgumentOutOfRangeException.ThrowIfNegative(request.FrameInterval);
        Request = request with { FrameInterval = Math.Max(1, request.FrameInterval) };
        long pixels = (long)FrameWidth * FrameHeight;
        if (pixels > _options.MaxPixels || pixels * 3 > Array.MaxLength)
        {
            throw new VideoDecodeException(
                VideoDecodeFailure.TooLarge,
                $"frames of {FrameWidth}x{FrameHeight} = {pixels:N0} pixels, over the limit of {_options.MaxPixels:N0} (raise it with --max-frame-pixels)");
        }

        _frameBytes = (int)(pixels * 3);
        _frame = ArrayPool<byte>.Shared.Rent(_frameBytes);
        _ffmpeg = ToolProcess.Start(_options.FfmpegPath, Arguments(), _deadline.Token, "Error while decoding stream", "partial file", _url + ": ");
    }

    /// <inheritdoc />
    public bool TryReadFrame(out int frameNumber, out PixelBuffer pixels)
    {
        frameNumber = 0;
        pixels = default;
        if (_ffmpeg is null)
        {
            Start(default);
        }

        if (_ended)
        {
            return false;
        }

        var ffmpeg = _ffmpeg!;
        int read = ffmpeg.Output.ReadAtLeast(_frame.AsSpan(0, _frameBytes), _frameBytes, throwOnEndOfStream: false);
        if (read < _frameBytes)
        {
            _ended = true;
            int exitCode = ffmpeg.WaitForExit();
            Classify(ffmpeg, exitCode, partialFrame: read > 0);
            return false;
        }

        // The reference stops at the first decoding error; stop as soon as FFmpeg reports one.
        if (ffmpeg.Errors.FirstMatch(DecodeErrorWatch) is not null || ffmpeg.Errors.FirstMatch(PartialFileWatch) is not null)
        {
            _ended = true;
            ffmpeg.Kill();
            int exitCode = ffmpeg.WaitForExit();
            Classify(ffmpeg, exitCode, partialFrame: false);
        }

        long number = (long)_delivered * Request.FrameInterval;
        if (number > _maxFrameNumber)
        {
            _ended = true;
            ffmpeg.Kill();
            string reason = _options.MaxFrames is { } maxFrames
                ? string.Create(CultureInfo.InvariantCulture, $"the video has more than {maxFrames:N0} frames, the limit")
                : string.Create(CultureInfo.InvariantCulture, $"the video runs past {_maxFrameNumber + 1:N0} frames, more than the limit of {_options.MaxDuration.TotalSeconds:0.###} s allows at {Info.FrameRateText} fps (raise it with --max-duration)");
            throw new VideoDecodeException(VideoDecodeFailure.TooLong, reason);
        }

        _delivered++;
        frameNumber = (int)number;
        pixels = new PixelBuffer(_frame.AsSpan(0, _frameBytes), FrameWidth, FrameHeight, PixelLayout.Rgb24);
        return true;
    }

    public void Dispose()
    {
        _disposed = true;
        _ended = true;
        _ffmpeg?.Dispose();
        _ffmpeg = null;
        _deadline.Dispose();
        if (_frame is not null)
        {
            ArrayPool<byte>.Shared.Return(_frame);
            _frame = null;
        }
    }

    /// <summary>Throws the reason FFmpeg stopped, unless it simply reached the end of a video that had frames.</summary>
    private void Classify(ToolProcess ffmpeg, int exitCode, bool partialFrame)
    {
        if (ffmpeg.TimedOut)
        {
            throw VideoDecoder.TimedOut(_options);
        }

        if (ffmpeg.Errors.FirstMatch(PartialFileWatch) is { } partial)
        {
            throw new VideoDecodeException(VideoDecodeFailure.Truncated, $"truncated video: the file ends inside its data ({Describe(partial)})");
        }

        if (ffmpeg.Errors.FirstMatch(DecodeErrorWatch) is { } decodeError)
        {
            throw new VideoDecodeException(VideoDecodeFailure.Corrupt, $"corrupt video: {Describe(decodeError)} after {_delivered} frame(s) ({ffmpeg.Errors.Summary()})");
        }

        if (ffmpeg.Errors.FirstMatch(ReadErrorWatch) is { } readError)
        {
            throw new VideoDecodeException(VideoDecodeFailure.Corrupt, $"corrupt video: reading stopped after {_delivered} frame(s): {Describe(readError)}");
        }

        if (exitCode != 0 || partialFrame)
        {
            string what = exitCode != 0 ? $"FFmpeg failed (exit status {exitCode})" : "FFmpeg stopped in the middle of a frame";
            throw new VideoDecodeException(VideoDecodeFailure.Corrupt, $"{what} after {_delivered} frame(s): {Describe(ffmpeg.Errors.Summary())}");
        }

        if (_delivered == 0)
        {
            throw new VideoDecodeException(VideoDecodeFailure.Empty, $"the video stream ({Info.Codec}) has no frames");
        }
    }

    private string Describe(string line) => VideoDecoder.StripUrl(StderrLog.Clean(line), _url);

    private List<string> Arguments()
    {
        string scale = string.Create(CultureInfo.InvariantCulture, $"scale=w={FrameWidth}:h={FrameHeight}:flags=area");
        string filters = Request.FrameInterval > 1
            ? string.Create(CultureInfo.InvariantCulture, $"select=not(mod(n\\,{Request.FrameInterval})),{scale}")
            : scale;
        return
        [
            "-hide_banner", "-nostdin", "-nostats", "-v", "error",
            "-protocol_whitelist", "file",
            // The reference reads the stream's pixels as stored; FFmpeg would otherwise rotate by the display matrix.
            "-noautorotate",
            "-i", _url,
            "-map", "0:v:0",
            // One swscale context, YUV to RGB24 and resize together with SWS_AREA and default (limited-range BT.601)
            // colour details: the reference's sws_getContext(..., SWS_AREA, NULL, NULL, NULL).
            "-vf", filters,
            "-sws_flags", "area",
            // Every decoded frame once, none duplicated or dropped for a constant output rate.
            "-fps_mode", "passthrough",
            "-f", "rawvideo", "-pix_fmt", "rgb24",
            "pipe:1",
        ];
    }
}
