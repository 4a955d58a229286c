namespace Clearinghouse.Media.Video;

/// <summary>What ffprobe reports of a file's first video stream — the stream the vPDQ reference hashes.</summary>
/// <param name="Width">Frame width the stream declares (the reference converts every frame to this size).</param>
/// <param name="Height">Frame height the stream declares.</param>
/// <param name="FrameRate">The average frame rate, or the real base frame rate when the average is unknown (as the reference).</param>
/// <param name="FrameRateText">That rate as ffprobe gives it, e.g. "30000/1001".</param>
/// <param name="Duration">The declared duration (stream, else container), when there is one.</param>
/// <param name="Codec">The stream's codec name, e.g. "h264".</param>
/// <param name="Container">The container format name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2".</param>
public sealed record VideoInfo(int Width, int Height, double FrameRate, string FrameRateText, TimeSpan? Duration, string Codec, string Container);

/// <summary>Which frames a <see cref="VideoFrameReader"/> delivers, and at what size.</summary>
/// <param name="Size">0 for the stream's own size; otherwise frames are scaled to Size × Size (aspect not kept), as the reference's -s.</param>
/// <param name="FrameInterval">Deliver only frames whose number is a multiple of this (1, or 0, = every frame).</param>
public readonly record struct VideoFrameRequest(int Size = 0, int FrameInterval = 1);
