namespace Clearinghouse.Media.Video;

/// <summary>Where ffmpeg is, and the limits for decoding untrusted videos.</summary>
public sealed record VideoDecodeOptions
{
    /// <summary>Default limit on file size: 16 GiB (ffmpeg streams the file; this only refuses absurd inputs).</summary>
    public const long DefaultMaxBytes = 16L << 30;

    /// <summary>Default limit on frame size: 36 megapixels (8K UHD is 33.2), about 110 MB per RGB frame.</summary>
    public const long DefaultMaxPixels = 36_000_000;

    public static VideoDecodeOptions Default { get; } = new();

    /// <summary>The ffmpeg executable: a name looked up on PATH, or a path.</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <summary>
    /// The ffprobe executable; when null, "ffprobe" next to <see cref="FfmpegPath"/> if that names a directory,
    /// else "ffprobe" on PATH (Debian's ffmpeg package has both).
    /// </summary>
    public string? FfprobePath { get; init; }

    /// <summary>Files larger than this are refused before ffmpeg runs.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>Videos whose frames (width × height, or the requested output size) have more pixels are refused.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>
    /// Videos declaring a longer duration are refused before decoding; a video without a declared duration is
    /// stopped once it has delivered more frames than this duration allows (× 1.5 for variable frame rates).
    /// </summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Stop a video (as too long) once its frame numbers pass this; when null, the limit is what
    /// <see cref="MaxDuration"/> allows at the stream's frame rate, × 1.5 + 300 frames of slack for variable rates.
    /// </summary>
    public long? MaxFrames { get; init; }

    /// <summary>Wall-clock limit per file (probing and decoding); ffmpeg is killed when it runs out.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(1);

    internal string ResolvedFfprobePath
    {
        get
        {
            if (FfprobePath is not null)
            {
                return FfprobePath;
            }

            string? directory = Path.GetDirectoryName(FfmpegPath);
            return string.IsNullOrEmpty(directory) ? "ffprobe" : Path.Combine(directory, "ffprobe");
        }
    }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(FfmpegPath);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPixels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero);
        if (MaxFrames is { } frames)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1, nameof(MaxFrames));
        }
    }
}
