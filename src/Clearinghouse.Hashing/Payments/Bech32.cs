using System.Diagnostics.CodeAnalysis;

namespace Clearinghouse.Hashing.Payments;

/// <summary>Which checksum constant a Bech32 string uses.</summary>
public enum Bech32Variant
{
    /// <summary>BIP-173: constant 1 (SegWit version 0).</summary>
    Bech32,

    /// <summary>BIP-350: constant 0x2bc830a3 (SegWit version 1 and later).</summary>
    Bech32m,
}

/// <summary>A decoded Bech32 string: the human-readable part (lower case) and the 5-bit data values without the checksum.</summary>
public sealed record Bech32String(string Hrp, byte[] Data, Bech32Variant Variant);

/// <summary>
/// Bech32 and Bech32m (BIP-173, BIP-350) and SegWit address decoding, with every rule of the two BIPs: at most 90
/// characters, printable US-ASCII, one case, a non-empty HRP, a separator followed by at least six characters, the
/// data alphabet, and the checksum constant that the witness version requires.
/// </summary>
public static class Bech32
{
    /// <summary>The 32 data characters, by value.</summary>
    public const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    /// <summary>Longest valid string (BIP-173).</summary>
    public const int MaxLength = 90;

    private const uint Bech32mConstant = 0x2bc830a3;

    private static ReadOnlySpan<uint> Generator => [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    /// <summary>Decodes a Bech32 or Bech32m string (either checksum is accepted; the variant says which).</summary>
    public static bool TryDecode(string text, [NotNullWhen(true)] out Bech32String? decoded, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(text);
        decoded = null;
        if (text.Length > MaxLength)
        {
            reason = $"it is {text.Length} characters; Bech32 allows at most {MaxLength}";
            return false;
        }

        bool lower = false, upper = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 33 || c > 126)
            {
                reason = $"character {i + 1} (U+{(int)c:X4}) is outside printable US-ASCII";
                return false;
            }

            lower |= char.IsAsciiLetterLower(c);
            upper |= char.IsAsciiLetterUpper(c);
        }

        if (lower && upper)
        {
            reason = "it mixes upper and lower case; Bech32 is written in one case";
            return false;
        }

        string s = text.ToLowerInvariant();
        int separator = s.LastIndexOf('1');
        if (separator < 0)
        {
            reason = "it has no '1' separating the human-readable part from the data";
            return false;
        }

        if (separator == 0)
        {
            reason = "the human-readable part (before the last '1') is empty";
            return false;
        }

        if (s.Length - separator - 1 < 6)
        {
            reason = "the data part is shorter than the 6-character checksum";
            return false;
        }

        var values = new byte[s.Length - separator - 1];
        for (int i = 0; i < values.Length; i++)
        {
            int v = Charset.IndexOf(s[separator + 1 + i], StringComparison.Ordinal);
            if (v < 0)
            {
                reason = $"character {separator + 2 + i} ('{text[separator + 1 + i]}') is not a Bech32 data character";
                return false;
            }

            values[i] = (byte)v;
        }

        string hrp = s[..separator];
        uint check = Polymod(hrp, values);
        Bech32Variant variant;
        if (check == 1)
        {
            variant = Bech32Variant.Bech32;
        }
        else if (check == Bech32mConstant)
        {
            variant = Bech32Variant.Bech32m;
        }
        else
        {
            reason = "the Bech32 checksum does not match (a mistyped or altered address)";
            return false;
        }

        decoded = new Bech32String(hrp, values[..^6], variant);
        reason = null;
        return true;
    }

    /// <summary>
    /// Decodes a SegWit address (BIP-173/350) for the given HRP: witness version 0..16, a program of 2..40 bytes (20 or
    /// 32 for version 0), Bech32 for version 0 and Bech32m for the later ones, padding of at most 4 zero bits.
    /// </summary>
    public static bool TryDecodeSegwit(string text, string expectedHrp, out int witnessVersion, [NotNullWhen(true)] out byte[]? program, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(expectedHrp);
        witnessVersion = -1;
        program = null;
        if (!TryDecode(text, out var decoded, out reason))
        {
            return false;
        }

        if (decoded.Hrp != expectedHrp)
        {
            reason = $"the human-readable part is '{decoded.Hrp}', not '{expectedHrp}'";
            return false;
        }

        if (decoded.Data.Length == 0)
        {
            reason = "the data section is empty (no witness version)";
            return false;
        }

        witnessVersion = decoded.Data[0];
        if (witnessVersion > 16)
        {
            reason = $"witness version {witnessVersion} does not exist (0 to 16)";
            return false;
        }

        if (!TryConvertBits(decoded.Data.AsSpan(1), out program, out reason))
        {
            return false;
        }

        if (program.Length is < 2 or > 40)
        {
            reason = $"the witness program is {program.Length} bytes; it must be 2 to 40";
            return false;
        }

        if (witnessVersion == 0 && program.Length is not (20 or 32))
        {
            reason = $"a version 0 witness program is 20 or 32 bytes (BIP-141); this one is {program.Length}";
            return false;
        }

        var required = witnessVersion == 0 ? Bech32Variant.Bech32 : Bech32Variant.Bech32m;
        if (decoded.Variant != required)
        {
            reason = $"witness version {witnessVersion} must use the {required} checksum; this address uses {decoded.Variant}";
            return false;
        }

        return true;
    }

    /// <summary>5-bit groups to bytes, with at most 4 bits of padding, all zero.</summary>
    private static bool TryConvertBits(ReadOnlySpan<byte> fives, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? reason)
    {
        bytes = null;
        var output = new List<byte>(fives.Length * 5 / 8);
        int accumulator = 0, bits = 0;
        foreach (byte v in fives)
        {
            accumulator = (accumulator << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(accumulator >> bits));
                accumulator &= (1 << bits) - 1;
            }
        }

        if (bits > 4)
        {
            reason = $"the data ends in {bits} bits of padding; at most 4 are allowed";
            return false;
        }

        if (accumulator != 0)
        {
            reason = "the padding bits at the end of the data are not zero";
            return false;
        }

        bytes = [.. output];
        reason = null;
        return true;
    }

    private static uint Polymod(string hrp, ReadOnlySpan<byte> values)
    {
        uint chk = 1;
        foreach (char c in hrp)
        {
            chk = Step(chk, (uint)c >> 5);
        }

        chk = Step(chk, 0);
        foreach (char c in hrp)
        {
            chk = Step(chk, (uint)c & 31);
        }

        foreach (byte v in values)
        {
            chk = Step(chk, v);
        }

        return chk;
    }

    private static uint Step(uint chk, uint value)
    {
        uint top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ value;
        for (int i = 0; i < 5; i++)
        {
            if (((top >> i) & 1) != 0)
            {
                chk ^= Generator[i];
            }
        }

        return chk;
    }
}
