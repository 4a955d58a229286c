using Clearinghouse.Hashing.Pdq;

namespace Clearinghouse.Hashing.Vpdq;

/// <summary>
/// Decoded video frames in decoding order, pulled one at a time (the hashing side of a video decoder; the decoder
/// itself lives in Clearinghouse.Media). A frame's pixels stay valid only until the next call.
/// </summary>
public interface IVideoFrameSource
{
    /// <summary>
    /// Frames per second as the reference takes it: the stream's average frame rate, or its real base frame rate
    /// when the average is unknown. Used for timestamps and for the seconds-per-hash sampling.
    /// </summary>
    double FrameRate { get; }

    /// <summary>
    /// The next frame and its number (decoded frames counted from 0; a source may skip frames it was told are not
    /// wanted, so numbers can jump), or false at the end of the video.
    /// </summary>
    bool TryReadFrame(out int frameNumber, out PixelBuffer pixels);
}
