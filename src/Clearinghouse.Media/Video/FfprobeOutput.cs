using System.Globalization;
using System.Text.Json;

namespace Clearinghouse.Media.Video;

/// <summary>Reads ffprobe's JSON report into a <see cref="VideoInfo"/>, refusing what the reference would refuse.</summary>
internal static class FfprobeOutput
{
    /// <summary>ffprobe's report is a few hundred bytes; more than this is not a report worth reading.</summary>
    public const int MaxBytes = 1 << 20;

    public static IReadOnlyList<string> Arguments(string url) =>
    [
        "-hide_banner", "-v", "error",
        "-protocol_whitelist", "file",
        "-select_streams", "v",
        "-show_entries", "stream=index,codec_name,width,height,avg_frame_rate,r_frame_rate,duration:format=format_name,duration,nb_streams",
        "-of", "json",
        url,
    ];

    public static VideoInfo Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException ex)
        {
            throw new VideoDecodeException(VideoDecodeFailure.Corrupt, $"ffprobe gave an unreadable report ({ex.Message})", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            var format = root.TryGetProperty("format", out var f) ? f : default;
            string container = Text(format, "format_name") ?? "unknown";
            if (container == "tty")
            {
                // FFmpeg's tty demuxer renders any text file as a video of its characters: text is not a video.
                throw new VideoDecodeException(VideoDecodeFailure.NoVideoStream, "not a video: FFmpeg reads it as text (the tty format)");
            }

            if (!root.TryGetProperty("streams", out var streams) || streams.ValueKind != JsonValueKind.Array || streams.GetArrayLength() == 0)
            {
                string count = Text(format, "nb_streams") is { } n ? $"its {n} stream(s) are" : "it has";
                throw new VideoDecodeException(VideoDecodeFailure.NoVideoStream, $"no video stream: {count} audio, subtitles or data only ({container})");
            }

            // The first video stream, as the reference (and ffmpeg's -map 0:v:0) picks it.
            var stream = streams[0];
            int width = Number(stream, "width");
            int height = Number(stream, "height");
            string codec = Text(stream, "codec_name") ?? "unknown";
            if (width <= 0 || height <= 0)
            {
                throw new VideoDecodeException(VideoDecodeFailure.Corrupt, $"the video stream ({codec}) declares no frame size ({width}x{height})");
            }

            string rateText = Text(stream, "avg_frame_rate") ?? "0/0";
            double rate = Rate(rateText);
            if (!(rate > 0))
            {
                rateText = Text(stream, "r_frame_rate") ?? "0/0";
                rate = Rate(rateText);
            }

            if (!(rate > 0) || double.IsInfinity(rate))
            {
                throw new VideoDecodeException(VideoDecodeFailure.Corrupt, $"the video stream ({codec}) declares no frame rate");
            }

            var duration = Seconds(Text(stream, "duration")) ?? Seconds(Text(format, "duration"));
            return new VideoInfo(width, height, rate, rateText, duration, codec, container);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    private static int Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) ? n : 0;

    /// <summary>"30000/1001" as a double, as the reference computes num / den; 0 when unknown.</summary>
    private static double Rate(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !long.TryParse(text.AsSpan(0, slash), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long num)
            || !long.TryParse(text.AsSpan(slash + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long den)
            || num <= 0 || den <= 0)
        {
            return 0;
        }

        return (double)num / den;
    }

    private static TimeSpan? Seconds(string? text) =>
        text is not null
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
        && double.IsFinite(seconds) && seconds >= 0
            ? seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds)
            : null;
}
