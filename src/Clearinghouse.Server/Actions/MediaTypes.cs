namespace Clearinghouse.Server.Actions;

/// <summary>
/// The media type a review copy is served with, from its first bytes: only image and video types a browser shows
/// without running anything; anything else is <c>application/octet-stream</c> (never what the uploader claimed,
/// which could make a browser render active content).
/// </summary>
internal static class MediaTypes
{
    public const string Binary = "application/octet-stream";

    public static string Sniff(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (content.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (content.StartsWith("GIF87a"u8) || content.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        if (content.Length >= 12 && content.StartsWith("RIFF"u8) && content[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        if (content.StartsWith("BM"u8) && content.Length > 14)
        {
            return "image/bmp";
        }

        if (content.Length >= 12 && content[4..8].SequenceEqual("ftyp"u8))
        {
            return content[8..12].SequenceEqual("qt  "u8) ? "video/quicktime" : "video/mp4";
        }

        if (content.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            return "video/webm";
        }

        return Binary;
    }
}
