using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Clearinghouse.Hashing.Urls;

/// <summary>
/// Percent-encoding normalisation of one URL component (RFC 3986 §6.2.2.1–2): escapes of unreserved characters
/// are decoded, every other escape keeps its byte with uppercase hex (so <c>%2f</c> becomes <c>%2F</c> and stays an
/// escape: an encoded slash is not a path separator), characters not allowed raw in the component are UTF-8
/// encoded, and a <c>%</c> not followed by two hex digits is an error.
/// </summary>
internal static class PercentEncoding
{
    /// <summary>Which raw characters a component keeps as they are.</summary>
    public enum Component
    {
        /// <summary>pchar and '/' (RFC 3986 path).</summary>
        Path,

        /// <summary>A query parameter's name or value: pchar, '/' and '?', but not the separators '&amp;' and '='.</summary>
        QueryPart,
    }

    /// <summary>RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".</summary>
    public static bool IsUnreserved(int c) => char.IsAsciiLetterOrDigit((char)c) || c is '-' or '.' or '_' or '~';

    /// <summary>
    /// Appends the normalised form of <paramref name="text"/> to <paramref name="output"/>;
    /// false with the reason (naming the character's position in the whole URL, from <paramref name="offset"/>).
    /// </summary>
    public static bool TryAppend(ReadOnlySpan<char> text, Component component, int offset, StringBuilder output, [NotNullWhen(false)] out string? reason)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    reason = $"invalid percent escape at character {offset + i + 1}: '%' must be followed by two hex digits";
                    return false;
                }

                int b = (HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]);
                if (IsUnreserved(b))
                {
                    output.Append((char)b);
                }
                else
                {
                    AppendEscape(output, b);
                }

                i += 2;
            }
            else if (IsAllowedRaw(c, component))
            {
                output.Append(c);
            }
            else
            {
                // Characters the component may not hold raw (space, quotes, non-ASCII, ...): their UTF-8 bytes, escaped.
                int length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                if (char.IsSurrogate(c) && length == 1)
                {
                    reason = $"character {offset + i + 1} is an unpaired UTF-16 surrogate (U+{(int)c:X4})";
                    return false;
                }

                int n = Encoding.UTF8.GetBytes(text.Slice(i, length), utf8);
                foreach (byte b in utf8[..n])
                {
                    AppendEscape(output, b);
                }

                i += length - 1;
            }
        }

        reason = null;
        return true;
    }

    /// <summary>Decodes every escape of <paramref name="text"/> as UTF-8 (for hosts); false with the reason.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, int offset, [NotNullWhen(true)] out string? decoded, [NotNullWhen(false)] out string? reason)
    {
        decoded = null;
        if (!text.Contains('%'))
        {
            decoded = text.ToString();
            reason = null;
            return true;
        }

        var bytes = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    reason = $"invalid percent escape at character {offset + i + 1}: '%' must be followed by two hex digits";
                    return false;
                }

                bytes.Add((byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else
            {
                int length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                if (char.IsSurrogate(text[i]) && length == 1)
                {
                    reason = $"character {offset + i + 1} is an unpaired UTF-16 surrogate (U+{(int)text[i]:X4})";
                    return false;
                }

                int n = Encoding.UTF8.GetBytes(text.Slice(i, length), utf8);
                bytes.AddRange(utf8[..n]);
                i += length - 1;
            }
        }

        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            reason = "the host's percent escapes are not valid UTF-8";
            return false;
        }

        reason = null;
        return true;
    }

    private static bool IsAllowedRaw(char c, Component component) =>
        IsUnreserved(c)
        || c is '!' or '$' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or ':' or '@' or '/'
        || (component == Component.Path ? c is '&' or '=' : c == '?');

    private static void AppendEscape(StringBuilder output, int b) =>
        output.Append('%').Append(((byte)b).ToString("X2", CultureInfo.InvariantCulture));

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
