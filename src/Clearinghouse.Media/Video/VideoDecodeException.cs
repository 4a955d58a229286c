namespace Clearinghouse.Media.Video;

/// <summary>Why a video could not be decoded.</summary>
public enum VideoDecodeFailure
{
    /// <summary>ffmpeg or ffprobe is not installed (or not executable).</summary>
    FfmpegMissing,

    /// <summary>The file has no bytes, or its video stream has no frames.</summary>
    Empty,

    /// <summary>The file has no video stream (for example audio only).</summary>
    NoVideoStream,

    /// <summary>Frames larger than the pixel limit, or a file over the size limit.</summary>
    TooLarge,

    /// <summary>Longer than the duration limit.</summary>
    TooLong,

    /// <summary>The file ends before its data does.</summary>
    Truncated,

    /// <summary>Not a video ffmpeg can read, or damaged data.</summary>
    Corrupt,

    /// <summary>Decoding took longer than the per-file time limit; ffmpeg was stopped.</summary>
    Timeout,
}

/// <summary>A video that cannot be decoded, with a one-line reason fit to show a user.</summary>
public sealed class VideoDecodeException : Exception
{
    public VideoDecodeException()
    {
    }

    public VideoDecodeException(string message)
        : base(message)
    {
    }

    public VideoDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public VideoDecodeException(VideoDecodeFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    public VideoDecodeFailure Failure { get; } = VideoDecodeFailure.Corrupt;
}
