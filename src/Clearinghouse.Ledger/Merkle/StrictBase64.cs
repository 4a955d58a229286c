namespace Clearinghouse.Ledger.Merkle;

/// <summary>
/// Standard base64 (RFC 4648 §4) decoding that accepts only what an encoder emits: the 64-letter alphabet,
/// '=' padding to a multiple of four, no whitespace. .NET's own decoders skip whitespace, which a signed format
/// must not do silently.
/// </summary>
internal static class StrictBase64
{
    /// <summary>Decodes <paramref name="text"/> into <paramref name="destination"/>.</summary>
    /// <param name="requireCanonical">Also reject non-zero bits in the last character (a second spelling of the
    /// same bytes); Go's decoder accepts them in signature lines, so note parsing passes false.</param>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written, bool requireCanonical = true)
    {
        written = 0;
        if (text.Length == 0 || text.Length % 4 != 0)
        {
            return false;
        }

        int padding = text[^1] == '=' ? (text[^2] == '=' ? 2 : 1) : 0;
        for (int i = 0; i < text.Length - padding; i++)
        {
            if (!IsAlphabet(text[i]))
            {
                return false;
            }
        }

        if (requireCanonical && padding > 0)
        {
            // The last data character carries 2 (one '=') or 4 (two '=') unused low bits, which must be zero.
            int last = Value(text[text.Length - padding - 1]);
            int unusedMask = padding == 1 ? 0b11 : 0b1111;
            if ((last & unusedMask) != 0)
            {
                return false;
            }
        }

        return Convert.TryFromBase64Chars(text, destination, out written);
    }

    /// <summary>Decodes to a new array, or null.</summary>
    public static byte[]? Decode(ReadOnlySpan<char> text, bool requireCanonical = true)
    {
        var buffer = new byte[text.Length / 4 * 3];
        if (!TryDecode(text, buffer, out int written, requireCanonical))
        {
            return null;
        }

        return written == buffer.Length ? buffer : buffer[..written];
    }

    private static bool IsAlphabet(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/';

    private static int Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        _ => 63,
    };
}
