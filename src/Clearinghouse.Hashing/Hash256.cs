using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Clearinghouse.Hashing;

/// <summary>
/// A 256-bit perceptual hash (PDQ, or one frame of vPDQ) as four 64-bit words.
/// </summary>
/// <remarks>
/// Bit k (0 = least significant) is bit k of the 256-bit integer that the 64-digit hex form spells out
/// big-endian: <see cref="W3"/> holds bits 192..255 and is printed first, <see cref="W0"/> holds bits 0..63
/// and is printed last. For PDQ, bit k = 16*i + j is DCT coefficient (i, j), which is the reference's
/// "16 words of 16 bits, word 15 first" layout.
/// </remarks>
[SkipLocalsInit]
public readonly struct Hash256 : IEquatable<Hash256>, ISpanFormattable, IUtf8SpanFormattable, ISpanParsable<Hash256>
{
    /// <summary>Number of hex digits in the text form.</summary>
    public const int HexLength = 64;

    /// <summary>Number of bytes in the binary form.</summary>
    public const int ByteLength = 32;

    /// <summary>Number of bits.</summary>
    public const int BitLength = 256;

    public Hash256(ulong w0, ulong w1, ulong w2, ulong w3)
    {
        W0 = w0;
        W1 = w1;
        W2 = w2;
        W3 = w3;
    }

    /// <summary>Bits 0..63.</summary>
    public ulong W0 { get; }

    /// <summary>Bits 64..127.</summary>
    public ulong W1 { get; }

    /// <summary>Bits 128..191.</summary>
    public ulong W2 { get; }

    /// <summary>Bits 192..255.</summary>
    public ulong W3 { get; }

    /// <summary>The all-zero hash (what the reference reports for an image too small to hash).</summary>
    public static Hash256 Zero => default;

    /// <summary>The all-one hash.</summary>
    public static Hash256 AllOnes => new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    /// <summary>Number of set bits.</summary>
    public int PopCount =>
        BitOperations.PopCount(W0) + BitOperations.PopCount(W1) + BitOperations.PopCount(W2) + BitOperations.PopCount(W3);

    /// <summary>Whether bit <paramref name="index"/> (0..255) is set.</summary>
    public bool this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BitLength);
            return ((Word(index >> 6) >> (index & 63)) & 1UL) != 0;
        }
    }

    /// <summary>The Hamming distance: the number of bits in which the two hashes differ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Distance(in Hash256 a, in Hash256 b) =>
        BitOperations.PopCount(a.W0 ^ b.W0) + BitOperations.PopCount(a.W1 ^ b.W1)
        + BitOperations.PopCount(a.W2 ^ b.W2) + BitOperations.PopCount(a.W3 ^ b.W3);

    /// <summary>The Hamming distance to <paramref name="other"/>.</summary>
    public int DistanceTo(in Hash256 other) => Distance(this, other);

    /// <summary>A copy with bit <paramref name="index"/> toggled.</summary>
    public Hash256 FlipBit(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BitLength);
        ulong mask = 1UL << (index & 63);
        return (index >> 6) switch
        {
            0 => new Hash256(W0 ^ mask, W1, W2, W3),
            1 => new Hash256(W0, W1 ^ mask, W2, W3),
            2 => new Hash256(W0, W1, W2 ^ mask, W3),
            _ => new Hash256(W0, W1, W2, W3 ^ mask),
        };
    }

    /// <summary>Word <paramref name="i"/> (0..3) of the hash.</summary>
    public ulong Word(int i) => i switch
    {
        0 => W0,
        1 => W1,
        2 => W2,
        3 => W3,
        _ => throw new ArgumentOutOfRangeException(nameof(i)),
    };

    /// <summary>Builds a hash from its four words, least significant first.</summary>
    public static Hash256 FromWords(ReadOnlySpan<ulong> words)
    {
        if (words.Length != 4)
        {
            throw new ArgumentException("A 256-bit hash has exactly four 64-bit words.", nameof(words));
        }

        return new Hash256(words[0], words[1], words[2], words[3]);
    }

    /// <summary>The 32 bytes of the big-endian integer (the hex form's byte order).</summary>
    public void WriteBytes(Span<byte> destination)
    {
        if (destination.Length < ByteLength)
        {
            throw new ArgumentException("Need 32 bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, W3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], W2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], W1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], W0);
    }

    /// <summary>Reads the 32 bytes written by <see cref="WriteBytes"/>.</summary>
    public static Hash256 ReadBytes(ReadOnlySpan<byte> source)
    {
        if (source.Length < ByteLength)
        {
            throw new ArgumentException("Need 32 bytes.", nameof(source));
        }

        return new Hash256(
            BinaryPrimitives.ReadUInt64BigEndian(source[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(source));
    }

    // ---- Text form -------------------------------------------------------------------------------------------

    /// <summary>Parses exactly 64 hex digits (either case); anything else is a <see cref="FormatException"/>.</summary>
    public static Hash256 Parse(string s) => Parse(s.AsSpan());

    /// <inheritdoc cref="Parse(string)"/>
    public static Hash256 Parse(ReadOnlySpan<char> s)
    {
        if (!TryParse(s, out var hash))
        {
            throw new FormatException(DescribeParseFailure(s));
        }

        return hash;
    }

    /// <summary>Parses exactly 64 hex digits from UTF-8 bytes.</summary>
    public static Hash256 Parse(ReadOnlySpan<byte> utf8)
    {
        if (!TryParse(utf8, out var hash))
        {
            throw new FormatException($"A 256-bit hash is exactly {HexLength} hex digits; got {utf8.Length} bytes that are not.");
        }

        return hash;
    }

    /// <summary>Tries to parse exactly 64 hex digits.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out Hash256 result) => TryParseDigits(s, out result);

    /// <summary>Tries to parse exactly 64 hex digits from UTF-8 bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out Hash256 result) => TryParseDigits(utf8, out result);

    /// <summary>One parser for UTF-16 and UTF-8 text: any code unit that is not an ASCII hex digit fails.</summary>
    private static bool TryParseDigits<TChar>(ReadOnlySpan<TChar> s, out Hash256 result)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        result = default;
        if (s.Length != HexLength)
        {
            return false;
        }

        Span<ulong> w = stackalloc ulong[4];
        for (int word = 0; word < 4; word++)
        {
            ulong acc = 0;
            var digits = s.Slice(word * 16, 16);
            for (int i = 0; i < 16; i++)
            {
                int v = HexValue(int.CreateTruncating(digits[i]));
                if (v < 0)
                {
                    return false;
                }

                acc = (acc << 4) | (uint)v;
            }

            w[3 - word] = acc;
        }

        result = new Hash256(w[0], w[1], w[2], w[3]);
        return true;
    }

    /// <inheritdoc />
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Hash256 result)
    {
        if (s is null)
        {
            result = default;
            return false;
        }

        return TryParse(s.AsSpan(), out result);
    }

    /// <inheritdoc />
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out Hash256 result) => TryParse(s, out result);

    /// <inheritdoc />
    public static Hash256 Parse(string s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc />
    public static Hash256 Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    /// <summary>Explains why <paramref name="s"/> is not a hash, for error messages.</summary>
    public static string DescribeParseFailure(ReadOnlySpan<char> s)
    {
        if (s.Length != HexLength)
        {
            return $"A 256-bit hash is exactly {HexLength} hex digits; got {s.Length} characters.";
        }

        for (int i = 0; i < s.Length; i++)
        {
            if (HexValue(s[i]) < 0)
            {
                return $"A 256-bit hash is exactly {HexLength} hex digits; character {i + 1} ('{s[i]}') is not a hex digit.";
            }
        }

        return "Not a 256-bit hash.";
    }

    /// <summary>64 lowercase hex digits.</summary>
    public override string ToString() => string.Create(HexLength, this, static (span, h) => h.FormatHex(span));

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (destination.Length < HexLength)
        {
            charsWritten = 0;
            return false;
        }

        FormatHex(destination);
        charsWritten = HexLength;
        return true;
    }

    /// <inheritdoc />
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (utf8Destination.Length < HexLength)
        {
            bytesWritten = 0;
            return false;
        }

        WriteHex(W3, utf8Destination);
        WriteHex(W2, utf8Destination[16..]);
        WriteHex(W1, utf8Destination[32..]);
        WriteHex(W0, utf8Destination[48..]);
        bytesWritten = HexLength;
        return true;
    }

    private void FormatHex(Span<char> destination)
    {
        W3.TryFormat(destination, out _, "x16", CultureInfo.InvariantCulture);
        W2.TryFormat(destination[16..], out _, "x16", CultureInfo.InvariantCulture);
        W1.TryFormat(destination[32..], out _, "x16", CultureInfo.InvariantCulture);
        W0.TryFormat(destination[48..], out _, "x16", CultureInfo.InvariantCulture);
    }

    private static void WriteHex(ulong word, Span<byte> destination)
    {
        for (int i = 15; i >= 0; i--)
        {
            destination[i] = (byte)"0123456789abcdef"[(int)(word & 0xF)];
            word >>= 4;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HexValue(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    // ---- Equality --------------------------------------------------------------------------------------------

    public bool Equals(Hash256 other) => W0 == other.W0 && W1 == other.W1 && W2 == other.W2 && W3 == other.W3;

    public override bool Equals(object? obj) => obj is Hash256 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(W0, W1, W2, W3);

    public static bool operator ==(Hash256 left, Hash256 right) => left.Equals(right);

    public static bool operator !=(Hash256 left, Hash256 right) => !left.Equals(right);
}
