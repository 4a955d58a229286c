using Clearinghouse.Hashing.Pdq;

namespace Clearinghouse.Hashing.Vpdq;

/// <summary>
/// vPDQ, Meta's video hash: PDQ on each whole decoded frame (or every n-th), bit-exact with the reference
/// <c>vpdq-hash-video</c> given the same RGB24 frames.
/// </summary>
/// <remarks>
/// <para>As the reference: PDQ runs on the frame at its own size, with no 512x512 pre-resize and luma always from
/// the RGB formula (<see cref="PdqHasher.ForVideoFrames"/>); with seconds-per-hash S &gt; 0 only frames whose number
/// is a multiple of <c>(int)(S × frameRate)</c> are hashed; timestamps are <c>(float)n / (float)frameRate</c>.</para>
/// <para>Frames under 5 pixels on a side make the reference fail the whole video; so does this hasher.</para>
/// <para>Not thread-safe (it owns PDQ scratch buffers): one instance per thread.</para>
/// </remarks>
public sealed class VpdqHasher
{
    private readonly PdqHasher _pdq = PdqHasher.ForVideoFrames();

    /// <param name="secondsPerHash">Seconds between hashed frames; 0 hashes every frame.</param>
    public VpdqHasher(double secondsPerHash = 0)
    {
        if (!(secondsPerHash >= 0) || double.IsInfinity(secondsPerHash))
        {
            throw new ArgumentOutOfRangeException(nameof(secondsPerHash), secondsPerHash, "Seconds per hash must be a finite number ≥ 0.");
        }

        SecondsPerHash = secondsPerHash;
    }

    public double SecondsPerHash { get; }

    /// <summary>
    /// Every how many frames one is hashed: <c>(int)(secondsPerHash × frameRate)</c>, at least 1 — the reference's
    /// truncation, so 1 s at 29.97 fps hashes every 29th frame.
    /// </summary>
    public static int FrameInterval(double secondsPerHash, double frameRate)
    {
        if (!(frameRate > 0) || double.IsInfinity(frameRate))
        {
            throw new ArgumentOutOfRangeException(nameof(frameRate), frameRate, "The frame rate must be a finite number > 0.");
        }

        double frames = secondsPerHash * frameRate;
        return frames >= int.MaxValue ? int.MaxValue : Math.Max(1, (int)frames);
    }

    /// <summary>The reference's timestamp of frame <paramref name="frameNumber"/>: (float)n / (float)fps, widened.</summary>
    public static double Timestamp(int frameNumber, double frameRate) => (float)frameNumber / (float)frameRate;

    /// <summary>Hashes one decoded frame.</summary>
    /// <exception cref="ArgumentException">The frame is smaller than 5x5 pixels (the reference refuses it).</exception>
    public VpdqFeature HashFrame(PixelBuffer frame, int frameNumber, double frameRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameNumber);
        if (frame.Width < PdqHasher.MinimumSide || frame.Height < PdqHasher.MinimumSide)
        {
            throw new ArgumentException(
                $"Frame {frameNumber} is {frame.Width}x{frame.Height}; vPDQ needs frames of at least {PdqHasher.MinimumSide}x{PdqHasher.MinimumSide} pixels.",
                nameof(frame));
        }

        var hash = _pdq.Hash(frame);
        return new VpdqFeature(frameNumber, hash.Quality, hash.Hash, Timestamp(frameNumber, frameRate));
    }

    /// <summary>Hashes the frames of <paramref name="source"/> that the sampling selects, in frame order.</summary>
    public List<VpdqFeature> HashVideo(IVideoFrameSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        double frameRate = source.FrameRate;
        int interval = FrameInterval(SecondsPerHash, frameRate);
        var features = new List<VpdqFeature>();
        while (source.TryReadFrame(out int frameNumber, out var pixels))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (frameNumber % interval == 0)
            {
                features.Add(HashFrame(pixels, frameNumber, frameRate));
            }
        }

        return features;
    }
}
