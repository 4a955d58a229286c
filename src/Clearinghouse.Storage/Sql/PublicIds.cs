using System.Security.Cryptography;

namespace Clearinghouse.Storage.Sql;

/// <summary>
/// Signals' public identifiers: <c>sig_</c> and 26 characters of lower-case base32 (RFC 4648 alphabet), 130 random
/// bits from the system's cryptographic generator, so ids can be published without revealing how many signals
/// exist or letting anyone guess a neighbour.
/// </summary>
internal static class PublicIds
{
    public const string SignalPrefix = "sig_";

    private const int RandomChars = 26;

    private const int BytesPerId = 17; // 136 bits, of which the first 130 are used

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string NewSignalId() => NewSignalIds(1)[0];

    public static string[] NewSignalIds(int count)
    {
        var ids = new string[count];
        Span<byte> random = stackalloc byte[BytesPerId * 64];
        for (int start = 0; start < count; start += 64)
        {
            int n = Math.Min(64, count - start);
            RandomNumberGenerator.Fill(random[..(n * BytesPerId)]);
            for (int i = 0; i < n; i++)
            {
                ids[start + i] = Encode(random.Slice(i * BytesPerId, BytesPerId));
            }
        }

        return ids;
    }

    public static bool IsSignalId(string? text)
    {
        if (text is null || text.Length != SignalPrefix.Length + RandomChars || !text.StartsWith(SignalPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in text.AsSpan(SignalPrefix.Length))
        {
            if (Alphabet.IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private static string Encode(ReadOnlySpan<byte> random)
    {
        Span<char> chars = stackalloc char[SignalPrefix.Length + RandomChars];
        SignalPrefix.AsSpan().CopyTo(chars);
        int bit = 0;
        for (int i = 0; i < RandomChars; i++, bit += 5)
        {
            // Five bits starting at bit offset `bit`, big-endian across byte boundaries.
            int pair = (random[bit >> 3] << 8) | random[(bit >> 3) + 1];
            chars[SignalPrefix.Length + i] = Alphabet[(pair >> (11 - (bit & 7))) & 31];
        }

        return new string(chars);
    }
}
