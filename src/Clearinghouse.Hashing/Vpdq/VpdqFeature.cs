using Clearinghouse.Hashing.Pdq;

namespace Clearinghouse.Hashing.Vpdq;

/// <summary>
/// The vPDQ hash of one video frame: its number (decoded frames counted from 0), PDQ quality (0..100), PDQ hash
/// and timestamp in seconds — the reference's <c>vpdqFeature</c>.
/// </summary>
/// <param name="Timestamp">
/// Seconds from the start, as the reference computes it: <c>(float)frameNumber / (float)frameRate</c>, widened to
/// double. Not a presentation timestamp from the container.
/// </param>
public readonly record struct VpdqFeature(int FrameNumber, int Quality, Hash256 Hash, double Timestamp)
{
    /// <summary>Frames of lower quality are not used for matching (python-threatexchange, HMA).</summary>
    public const int MinimumUsefulQuality = PdqHash.MinimumUsefulQuality;
}
