using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Clearinghouse.Hashing.Vpdq;

/// <summary>
/// The reference's per-frame text form (what <c>vpdq-hash-video</c> writes and its matchers read): one line per
/// hashed frame, <c>frameNumber,quality,pdqHashHex,timestamp</c>, the timestamp with exactly 3 decimals.
/// </summary>
public static class VpdqReferenceText
{
    /// <summary>One line without its newline, byte-identical to the reference's.</summary>
    public static string FormatLine(in VpdqFeature feature) =>
        string.Create(CultureInfo.InvariantCulture, $"{feature.FrameNumber},{feature.Quality},{feature.Hash},{ExactDecimal.Fixed(feature.Timestamp, 3)}");

    /// <summary>Writes every feature as a line ending in '\n', as the reference does.</summary>
    public static void Write(TextWriter writer, IEnumerable<VpdqFeature> features)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(features);
        foreach (var feature in features)
        {
            writer.Write(FormatLine(feature));
            writer.Write('\n');
        }
    }

    /// <summary>
    /// Parses reference lines (empty lines and a trailing newline ignored), or says which line is wrong and why.
    /// Stricter than the reference's reader: every field must be well-formed, hashes 64 hex digits, quality 0..100.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out List<VpdqFeature>? features, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(text);
        features = [];
        int lineNumber = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            if (!TryParseLine(line, out var feature, out string? why))
            {
                features = null;
                reason = $"line {lineNumber}: {why}";
                return false;
            }

            features.Add(feature);
        }

        reason = null;
        return true;
    }

    private static bool TryParseLine(ReadOnlySpan<char> line, out VpdqFeature feature, [NotNullWhen(false)] out string? reason)
    {
        feature = default;
        Span<Range> parts = stackalloc Range[5];
        if (line.Split(parts, ',') != 4)
        {
            reason = "expected 4 comma-separated fields: frameNumber,quality,hash,timestamp";
            return false;
        }

        if (!VpdqFields.TryFrameNumber(line[parts[0]], out int frame, out reason)
            || !VpdqFields.TryQuality(line[parts[1]], out int quality, out reason)
            || !VpdqFields.TryHash(line[parts[2]], out var hash, out reason)
            || !VpdqFields.TryTimestamp(line[parts[3]], out double seconds, out reason))
        {
            return false;
        }

        feature = new VpdqFeature(frame, quality, hash, seconds);
        return true;
    }
}
