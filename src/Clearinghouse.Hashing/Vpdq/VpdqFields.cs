using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Clearinghouse.Hashing.Vpdq;

/// <summary>Validation of the fields a vPDQ frame is written with, shared by the text forms.</summary>
internal static class VpdqFields
{
    public static bool TryHash(ReadOnlySpan<char> text, out Hash256 hash, [NotNullWhen(false)] out string? reason)
    {
        if (Hash256.TryParse(text, out hash))
        {
            reason = null;
            return true;
        }

        reason = Hash256.DescribeParseFailure(text);
        return false;
    }

    public static bool TryQuality(ReadOnlySpan<char> text, out int quality, [NotNullWhen(false)] out string? reason)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out quality) && quality <= 100)
        {
            reason = null;
            return true;
        }

        reason = $"the quality '{text}' is not a whole number from 0 to 100";
        return false;
    }

    public static bool TryFrameNumber(ReadOnlySpan<char> text, out int frameNumber, [NotNullWhen(false)] out string? reason)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out frameNumber))
        {
            reason = null;
            return true;
        }

        reason = $"the frame number '{text}' is not a whole number ≥ 0";
        return false;
    }

    public static bool TryTimestamp(ReadOnlySpan<char> text, out double seconds, [NotNullWhen(false)] out string? reason)
    {
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seconds)
            && double.IsFinite(seconds) && seconds >= 0)
        {
            seconds = Math.Abs(seconds); // -0 reads as 0
            reason = null;
            return true;
        }

        reason = $"the timestamp '{text}' is not a number of seconds ≥ 0";
        return false;
    }
}
