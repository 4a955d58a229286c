using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Clearinghouse.Cli.FileHashing;

/// <summary>How a video's vPDQ result is printed by <c>clearinghouse hash</c>.</summary>
internal static class VpdqOutput
{
    /// <summary>
    /// <c>"vpdq": {"value", "frames", "usable_frames", "frame_rate", "width", "height"[, "reference_file"]}</c>: value is
    /// the signal value as python-threatexchange serialises it (what <c>import</c> and the API take).
    /// </summary>
    public static void WriteJson(Utf8JsonWriter json, VpdqOutcome vpdq)
    {
        json.WriteStartObject("vpdq");
        json.WriteString("value", vpdq.Value);
        json.WriteNumber("frames", vpdq.Frames.Count);
        json.WriteNumber("usable_frames", vpdq.UsableFrames);
        json.WriteNumber("frame_rate", vpdq.FrameRate);
        json.WriteNumber("width", vpdq.Width);
        json.WriteNumber("height", vpdq.Height);
        if (vpdq.ReferenceFile is not null)
        {
            json.WriteString("reference_file", vpdq.ReferenceFile);
        }

        json.WriteEndObject();
    }

    public static void AppendText(StringBuilder text, VpdqOutcome vpdq)
    {
        text.Append(CultureInfo.InvariantCulture, $"  vpdq    {vpdq.Frames.Count} frames hashed at {vpdq.Width}x{vpdq.Height}, {vpdq.UsableFrames} usable (distinct, quality >= 50), {vpdq.FrameRate:0.###} fps\n");
        if (vpdq.ReferenceFile is not null)
        {
            text.Append("          frames written to ").Append(vpdq.ReferenceFile).Append('\n');
        }
    }
}
