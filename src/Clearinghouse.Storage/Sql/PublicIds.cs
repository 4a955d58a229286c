using System.Security.Cryptography;

namespace Clearinghouse.Storage.Sql;

/// <summary>
/// Signals' public identifiers: <c>sig_</c> and 26 characters of lower-case base32 (RFC 4648 alphabet) holding 130
/// bits: the creation time in milliseconds since the Unix epoch (48 bits, big-endian, as in a ULID), then 82 random
/// bits from the system's cryptographic generator. The random part makes an id impossible to guess from a
/// neighbour's; the time prefix reveals nothing the transparency log does not publish anyway (every addition is an
/// entry with its time), and it makes new ids sort after old ones, so the unique index on them grows at its right
/// edge instead of taking a random page per row — at a million signals that was the largest cost of a bulk import.
/// Ids within one batch share the prefix and are not sorted, so their order says nothing about the rows' values.
/// </summary>
internal static class PublicIds
{
    public const string SignalPrefix = "sig_";

    private const int EncodedChars = 26;

    private const int BytesPerId = 17; // 136 bits, of which the first 130 are used

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    private const int TimeBytes = 6; // 48 bits of milliseconds: until the year 10889

    private const int RandomBytes = BytesPerId - TimeBytes; // of which the first 82 bits are used

    /// <summary><paramref name="count"/> new ids created at <paramref name="unixMilliseconds"/>.</summary>
    public static string[] NewSignalIds(int count, long unixMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixMilliseconds);
        var ids = new string[count];
        // One call to the generator per 256 ids: a call per id cost more than the rest of a bulk insert's bookkeeping.
        const int Chunk = 256;
        Span<byte> random = stackalloc byte[RandomBytes * Chunk];
        Span<byte> id = stackalloc byte[BytesPerId];
        for (int i = 0; i < TimeBytes; i++)
        {
            id[i] = (byte)(unixMilliseconds >> (8 * (TimeBytes - 1 - i)));
        }

        for (int start = 0; start < count; start += Chunk)
        {
            int n = Math.Min(Chunk, count - start);
            RandomNumberGenerator.Fill(random[..(n * RandomBytes)]);
            for (int i = 0; i < n; i++)
            {
                random.Slice(i * RandomBytes, RandomBytes).CopyTo(id[TimeBytes..]);
                ids[start + i] = Encode(id);
            }
        }

        return ids;
    }

    public static bool IsSignalId(string? text)
    {
        if (text is null || text.Length != SignalPrefix.Length + EncodedChars || !text.StartsWith(SignalPrefix, StringComparison.Ordinal))
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
        Span<char> chars = stackalloc char[SignalPrefix.Length + EncodedChars];
        SignalPrefix.AsSpan().CopyTo(chars);
        int bit = 0;
        for (int i = 0; i < EncodedChars; i++, bit += 5)
        {
            // Five bits starting at bit offset `bit`, big-endian across byte boundaries.
            int pair = (random[bit >> 3] << 8) | random[(bit >> 3) + 1];
            chars[SignalPrefix.Length + i] = Alphabet[(pair >> (11 - (bit & 7))) & 31];
        }

        return new string(chars);
    }
}
