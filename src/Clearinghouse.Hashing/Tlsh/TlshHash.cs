using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Clearinghouse.Hashing.Tlsh;

/// <summary>
/// A TLSH digest (128 buckets, 1-byte checksum): <c>T1</c> followed by 70 hex digits, as the reference prints it.
/// </summary>
/// <remarks>
/// Held as the 35 bytes that the hex digits spell, in their printed order: the checksum, the length code (both with
/// their nibbles swapped, as the reference prints them), the two quartile ratios (Q1 in the high nibble, Q2 in the
/// low one), then the 32 body bytes with the last bucket first. Distances only compare bytes position by position,
/// so nothing needs reordering.
/// </remarks>
[SkipLocalsInit]
public readonly struct TlshHash : IEquatable<TlshHash>
{
    /// <summary>Bytes in the binary form.</summary>
    public const int ByteLength = 3 + TlshTables.CodeBytes;

    /// <summary>Hex digits after the version prefix.</summary>
    public const int HexDigits = ByteLength * 2;

    /// <summary>The version prefix the reference prints (<c>T1</c>: the current digest format).</summary>
    public const string VersionPrefix = "T1";

    /// <summary>Characters of the canonical text form.</summary>
    public const int TextLength = 2 + HexDigits;

    private readonly Bytes35 _bytes;

    private TlshHash(Bytes35 bytes) => _bytes = bytes;

    /// <summary>The printed bytes (checksum, length, ratios, body).</summary>
    public ReadOnlySpan<byte> Bytes => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _bytes[0]), ByteLength);

    /// <summary>The 1-byte checksum (as computed, nibbles not swapped).</summary>
    public byte Checksum => SwapNibbles(_bytes[0]);

    /// <summary>The length code: a logarithmic bucket of the input length (0..169).</summary>
    public byte LengthCode => SwapNibbles(_bytes[1]);

    /// <summary>(first quartile × 100 / third quartile) mod 16.</summary>
    public int Q1Ratio => _bytes[2] >> 4;

    /// <summary>(median × 100 / third quartile) mod 16.</summary>
    public int Q2Ratio => _bytes[2] & 0xF;

    /// <summary>The 32 body bytes in printed order (2 bits per bucket, bucket 127 first).</summary>
    public ReadOnlySpan<byte> Body => Bytes[3..];

    /// <summary>Builds a digest from its computed parts; <paramref name="code"/> is in bucket order (bucket 0's byte first).</summary>
    internal static TlshHash FromParts(byte checksum, byte lengthCode, int q1Ratio, int q2Ratio, ReadOnlySpan<byte> code)
    {
        var bytes = default(Bytes35);
        bytes[0] = SwapNibbles(checksum);
        bytes[1] = SwapNibbles(lengthCode);
        bytes[2] = (byte)((q1Ratio << 4) | q2Ratio);
        for (int i = 0; i < TlshTables.CodeBytes; i++)
        {
            bytes[3 + i] = code[TlshTables.CodeBytes - 1 - i];
        }

        return new TlshHash(bytes);
    }

    /// <summary>Reads the 35 printed bytes (see <see cref="Bytes"/>).</summary>
    public static TlshHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            throw new ArgumentException($"A TLSH digest is {ByteLength} bytes.", nameof(bytes));
        }

        var copy = default(Bytes35);
        bytes.CopyTo(copy);
        return new TlshHash(copy);
    }

    // ---- Distance ----------------------------------------------------------------------------------------------

    /// <summary>
    /// The reference's distance (<c>totalDiff</c>): length code and quartile ratios on their circles, one for a
    /// different checksum, and the weighted differences of the 128 bucket codes. 0 for equal digests; larger is
    /// less similar; no upper bound worth relying on (about 1,000 in practice).
    /// </summary>
    /// <param name="includeLength">False for the reference's "xlen" distance, which ignores the input lengths.</param>
    public static int Distance(in TlshHash a, in TlshHash b, bool includeLength = true) =>
        HeaderDistance(a, b, includeLength) + (a._bytes[0] != b._bytes[0] ? 1 : 0) + TlshBodyDistance.Compute(a.Body, b.Body);

    /// <summary>The part of the distance that the length code and the two quartile ratios contribute.</summary>
    public static int HeaderDistance(in TlshHash a, in TlshHash b, bool includeLength) =>
        HeaderDistance(a.LengthCode, a.Q1Ratio, a.Q2Ratio, b.LengthCode, b.Q1Ratio, b.Q2Ratio, includeLength);

    /// <summary>The header part of the distance from the header fields of two digests.</summary>
    public static int HeaderDistance(int lengthA, int q1A, int q2A, int lengthB, int q1B, int q2B, bool includeLength) =>
        (includeLength ? LengthCost(CircularDifference(lengthA, lengthB, 256)) : 0)
        + RatioCost(CircularDifference(q1A, q1B, 16))
        + RatioCost(CircularDifference(q2A, q2B, 16));

    /// <summary>What a length-code difference of <paramref name="difference"/> (0..128) adds to the distance.</summary>
    public static int LengthCost(int difference) => difference <= 1 ? difference : difference * 12;

    /// <summary>What a quartile-ratio difference of <paramref name="difference"/> (0..8) adds to the distance.</summary>
    public static int RatioCost(int difference) => difference <= 1 ? difference : (difference - 1) * 12;

    /// <summary>The shorter way round a circle of <paramref name="range"/> values between two of them.</summary>
    public static int CircularDifference(int x, int y, int range)
    {
        int d = Math.Abs(x - y);
        return Math.Min(d, range - d);
    }

    /// <summary>The distance to <paramref name="other"/>, with the length component.</summary>
    public int DistanceTo(in TlshHash other) => Distance(this, other);

    // ---- Text form -----------------------------------------------------------------------------------------------

    /// <summary><c>T1</c> and 70 uppercase hex digits, as the reference prints a digest.</summary>
    public override string ToString() => string.Create(TextLength, this, static (chars, hash) =>
    {
        chars[0] = 'T';
        chars[1] = '1';
        Convert.TryToHexString(hash.Bytes, chars[2..], out _);
    });

    /// <summary>
    /// Parses a digest as the reference does: <c>T1</c> (either case) and 70 hex digits, or the 70 hex digits alone
    /// (the form before version prefixes). False with the reason otherwise.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out TlshHash hash, [NotNullWhen(false)] out string? reason)
    {
        hash = default;
        var digits = text.Length == TextLength && (text[0] is 'T' or 't') && text[1] == '1' ? text[2..] : text;
        if (digits.Length != HexDigits)
        {
            reason = text.Length > 0 && (text[0] is 'T' or 't') && text.Length > 1 && text[1] != '1'
                ? $"a TLSH digest starts with T1 (the only digest version); got '{text[..2].ToString()}'."
                : $"a TLSH digest is T1 and {HexDigits} hex digits (or the {HexDigits} digits alone); got {text.Length} characters.";
            return false;
        }

        int offset = text.Length - digits.Length;
        for (int i = 0; i < digits.Length; i++)
        {
            if (!char.IsAsciiHexDigit(digits[i]))
            {
                reason = $"a TLSH digest is T1 and {HexDigits} hex digits; character {offset + i + 1} ('{digits[i]}') is not a hex digit.";
                return false;
            }
        }

        var bytes = default(Bytes35);
        Convert.FromHexString(digits, bytes, out _, out _);
        hash = new TlshHash(bytes);
        reason = null;
        return true;
    }

    /// <summary>Parses a digest (see <see cref="TryParse"/>).</summary>
    /// <exception cref="FormatException">Not a digest; the message says why.</exception>
    public static TlshHash Parse(string text) =>
        TryParse(text, out var hash, out var reason) ? hash : throw new FormatException("Invalid TLSH digest: " + reason);

    // ---- Equality ------------------------------------------------------------------------------------------------

    public bool Equals(TlshHash other) => Bytes.SequenceEqual(other.Bytes);

    public override bool Equals(object? obj) => obj is TlshHash other && Equals(other);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(TlshHash left, TlshHash right) => left.Equals(right);

    public static bool operator !=(TlshHash left, TlshHash right) => !left.Equals(right);

    private static byte SwapNibbles(byte b) => (byte)((b >> 4) | (b << 4));

    [InlineArray(ByteLength)]
    private struct Bytes35
    {
        private byte _first;
    }
}
