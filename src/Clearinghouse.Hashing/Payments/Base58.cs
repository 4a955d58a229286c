using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Clearinghouse.Hashing.Payments;

/// <summary>Base58 with Bitcoin's alphabet (no 0, O, I, l): plain, Base58Check, and Monero's 8-byte-block variant.</summary>
internal static class Base58
{
    public const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    // Encoded characters for a final block of 0..8 bytes in Monero's block variant.
    private static ReadOnlySpan<byte> MoneroBlockChars => [0, 2, 3, 5, 6, 7, 9, 10, 11];

    /// <summary>Decodes a whole Base58 string (each leading '1' is a zero byte).</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? reason)
    {
        bytes = null;
        if (!TryDigits(text, out var digits, out reason))
        {
            return false;
        }

        int zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        // Big-endian base-256 number, built digit by digit (inputs are short: addresses).
        var number = new List<byte>(text.Length);
        foreach (int digit in digits)
        {
            int carry = digit;
            for (int i = number.Count - 1; i >= 0; i--)
            {
                carry += number[i] * 58;
                number[i] = (byte)carry;
                carry >>= 8;
            }

            while (carry > 0)
            {
                number.Insert(0, (byte)carry);
                carry >>= 8;
            }
        }

        int leading = 0;
        while (leading < number.Count && number[leading] == 0)
        {
            leading++;
        }

        bytes = [.. new byte[zeros], .. number.Skip(leading)];
        return true;
    }

    /// <summary>Decodes Base58Check: a payload and a 4-byte checksum, the start of SHA-256(SHA-256(payload)).</summary>
    public static bool TryDecodeCheck(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? payload, [NotNullWhen(false)] out string? reason)
    {
        payload = null;
        if (!TryDecode(text, out var bytes, out reason))
        {
            return false;
        }

        if (bytes.Length < 5)
        {
            reason = $"it decodes to {bytes.Length} bytes, too few for a payload and a 4-byte checksum";
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 4)), hash);
        if (!hash[..4].SequenceEqual(bytes.AsSpan(bytes.Length - 4)))
        {
            reason = "the Base58Check checksum does not match (a mistyped or altered address)";
            return false;
        }

        payload = bytes[..^4];
        return true;
    }

    /// <summary>Monero's Base58: blocks of 11 characters for 8 bytes each, the last block shorter.</summary>
    public static bool TryDecodeMonero(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? reason)
    {
        bytes = null;
        int lastChars = text.Length % 11;
        int lastBytes = MoneroBlockChars.IndexOf((byte)lastChars);
        if (lastBytes < 0)
        {
            reason = $"{text.Length} characters is not a possible length in Monero's Base58";
            return false;
        }

        if (!TryDigits(text, out var digits, out reason))
        {
            return false;
        }

        var output = new List<byte>(((text.Length / 11) * 8) + lastBytes);
        for (int start = 0; start < digits.Length; start += 11)
        {
            int chars = Math.Min(11, digits.Length - start);
            int size = chars == 11 ? 8 : lastBytes;
            UInt128 value = 0;
            for (int i = 0; i < chars; i++)
            {
                value = (value * 58) + (uint)digits[start + i];
            }

            if (value >> (8 * size) != 0)
            {
                reason = "a Monero Base58 block overflows its size";
                return false;
            }

            for (int i = size - 1; i >= 0; i--)
            {
                output.Add((byte)(value >> (8 * i)));
            }
        }

        bytes = [.. output];
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int[] digits, [NotNullWhen(false)] out string? reason)
    {
        digits = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            int digit = Alphabet.IndexOf(text[i], StringComparison.Ordinal);
            if (digit < 0)
            {
                reason = $"character {i + 1} ('{text[i]}') is not in the Base58 alphabet (which leaves out 0, O, I and l)";
                return false;
            }

            digits[i] = digit;
        }

        reason = null;
        return true;
    }
}
