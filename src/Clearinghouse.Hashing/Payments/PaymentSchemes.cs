using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Clearinghouse.Hashing.Payments;

/// <summary>One kind of payment identifier: how its identifiers are validated and written canonically.</summary>
public interface IPaymentScheme
{
    /// <summary>The canonical scheme name (<c>btc</c>, <c>eth</c>, …).</summary>
    string Name { get; }

    /// <summary>Validates an identifier of this scheme and returns its canonical form; false with the reason.</summary>
    bool TryNormalize(string identifier, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason);
}

/// <summary>
/// Bitcoin: Base58Check P2PKH and P2SH (mainnet version bytes 0x00 and 0x05, testnet 0x6F and 0xC4), kept as written
/// (Base58 is case-sensitive); SegWit Bech32 (v0) and Bech32m (v1+, Taproot) for <c>bc</c> and <c>tb</c>, in lower case.
/// </summary>
public sealed class BitcoinScheme : IPaymentScheme
{
    public string Name => "btc";

    public bool TryNormalize(string identifier, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        string lower = identifier.ToLowerInvariant();
        if (lower.StartsWith("bc1", StringComparison.Ordinal) || lower.StartsWith("tb1", StringComparison.Ordinal))
        {
            if (!Bech32.TryDecodeSegwit(identifier, lower[..2], out _, out _, out reason))
            {
                reason = "not a valid SegWit address: " + reason;
                return false;
            }

            canonical = lower;
            return true;
        }

        if (!Base58.TryDecodeCheck(identifier, out var payload, out reason))
        {
            reason = "not a valid Bitcoin address: " + reason;
            return false;
        }

        if (payload.Length != 21)
        {
            reason = $"not a valid Bitcoin address: the payload is {payload.Length} bytes; P2PKH and P2SH addresses have a version byte and a 20-byte hash";
            return false;
        }

        if (payload[0] is not (0x00 or 0x05 or 0x6F or 0xC4))
        {
            reason = $"not a valid Bitcoin address: version byte 0x{payload[0]:X2} is not P2PKH or P2SH on mainnet (0x00, 0x05) or testnet (0x6F, 0xC4)";
            return false;
        }

        canonical = identifier;
        return true;
    }
}

/// <summary>
/// Ethereum (and every EVM chain, which share the address format): <c>0x</c> and 40 hex digits. All lower case or
/// all upper case carries no checksum and is accepted; mixed case must be a correct EIP-55 checksum. Canonical form:
/// lower case.
/// </summary>
public sealed class EthereumScheme : IPaymentScheme
{
    public string Name => "eth";

    public bool TryNormalize(string identifier, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        if (identifier.Length != 42 || identifier[0] != '0' || (identifier[1] | 0x20) != 'x')
        {
            reason = $"an Ethereum address is 0x and 40 hex digits; got {identifier.Length} characters";
            return false;
        }

        var digits = identifier.AsSpan(2);
        for (int i = 0; i < digits.Length; i++)
        {
            if (!char.IsAsciiHexDigit(digits[i]))
            {
                reason = $"an Ethereum address is 0x and 40 hex digits; character {i + 3} ('{digits[i]}') is not a hex digit";
                return false;
            }
        }

        string lower = digits.ToString().ToLowerInvariant();
        bool hasLower = digits.ContainsAnyInRange('a', 'f');
        bool hasUpper = digits.ContainsAnyInRange('A', 'F');
        if (hasLower && hasUpper && ChecksumCase(lower) != digits.ToString())
        {
            reason = "the mixed-case EIP-55 checksum does not match (a mistyped or altered address)";
            return false;
        }

        canonical = "0x" + lower;
        reason = null;
        return true;
    }

    /// <summary>The EIP-55 spelling of 40 lower-case hex digits: a letter is upper case where Keccak-256 of the lower-case text has a nibble ≥ 8.</summary>
    public static string ChecksumCase(string lowerHex)
    {
        ArgumentNullException.ThrowIfNull(lowerHex);
        if (lowerHex.Length != 40)
        {
            throw new ArgumentException("An Ethereum address has 40 hex digits.", nameof(lowerHex));
        }

        Span<byte> hash = stackalloc byte[Keccak256.HashLength];
        Keccak256.Hash(Encoding.ASCII.GetBytes(lowerHex), hash);
        Span<char> chars = stackalloc char[lowerHex.Length];
        for (int i = 0; i < chars.Length; i++)
        {
            int nibble = (i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2]) & 0xF;
            chars[i] = nibble >= 8 ? char.ToUpperInvariant(lowerHex[i]) : lowerHex[i];
        }

        return new string(chars);
    }
}

/// <summary>TRON: Base58Check with version byte 0x41 (addresses start with T), kept as written.</summary>
public sealed class TronScheme : IPaymentScheme
{
    public string Name => "trx";

    public bool TryNormalize(string identifier, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        if (!Base58.TryDecodeCheck(identifier, out var payload, out reason))
        {
            reason = "not a valid TRON address: " + reason;
            return false;
        }

        if (payload.Length != 21 || payload[0] != 0x41)
        {
            reason = "not a valid TRON address: it must decode to version byte 0x41 and a 20-byte account";
            return false;
        }

        canonical = identifier;
        return true;
    }
}

/// <summary>
/// Monero: standard addresses and subaddresses (95 characters) and integrated addresses (106), in Monero's block
/// Base58, with the network byte of mainnet, testnet or stagenet and the Keccak-256 checksum. Kept as written.
/// </summary>
public sealed class MoneroScheme : IPaymentScheme
{
    // Network bytes: standard, integrated, subaddress for mainnet, testnet and stagenet.
    private static readonly byte[] StandardOrSub = [18, 42, 53, 63, 24, 36];
    private static readonly byte[] Integrated = [19, 54, 25];

    public string Name => "xmr";

    public bool TryNormalize(string identifier, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        if (identifier.Length is not (95 or 106))
        {
            reason = $"a Monero address is 95 characters (106 when integrated); got {identifier.Length}";
            return false;
        }

        if (!Base58.TryDecodeMonero(identifier, out var bytes, out reason))
        {
            reason = "not a valid Monero address: " + reason;
            return false;
        }

        Span<byte> hash = stackalloc byte[Keccak256.HashLength];
        Keccak256.Hash(bytes.AsSpan(0, bytes.Length - 4), hash);
        if (!hash[..4].SequenceEqual(bytes.AsSpan(bytes.Length - 4)))
        {
            reason = "the Monero checksum does not match (a mistyped or altered address)";
            return false;
        }

        var networks = identifier.Length == 95 ? StandardOrSub : Integrated;
        if (Array.IndexOf(networks, bytes[0]) < 0)
        {
            reason = $"network byte {bytes[0]} is not a Monero address type of this length";
            return false;
        }

        canonical = identifier;
        return true;
    }
}

/// <summary>IBAN (ISO 13616): spaces removed, upper case, country code, check digits, and the mod-97 check.</summary>
public sealed class IbanScheme : IPaymentScheme
{
    public string Name => "iban";

    public bool TryNormalize(string identifier, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        string iban = identifier.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        if (iban.Length is < 15 or > 34)
        {
            reason = $"an IBAN is 15 to 34 letters and digits; got {iban.Length}";
            return false;
        }

        if (!char.IsAsciiLetterUpper(iban[0]) || !char.IsAsciiLetterUpper(iban[1]) || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]))
        {
            reason = "an IBAN starts with a two-letter country code and two check digits";
            return false;
        }

        int remainder = 0;
        foreach (char c in iban[4..] + iban[..4])
        {
            if (char.IsAsciiDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                reason = $"'{c}' cannot appear in an IBAN";
                return false;
            }
        }

        if (remainder != 1)
        {
            reason = "the IBAN check digits do not match (mod 97 ≠ 1: a mistyped or altered IBAN)";
            return false;
        }

        canonical = iban;
        reason = null;
        return true;
    }
}

/// <summary>
/// A payment platform handle whose names are case-insensitive (<c>paypal</c>, <c>cashapp</c>, …): lower case, a leading
/// '@' or '$' removed, letters, digits, '.', '_' and '-' only. No checksum exists; only the form is checked.
/// </summary>
public sealed class HandleScheme(string name) : IPaymentScheme
{
    public const int MaxLength = 64;

    public string Name => name;

    public bool TryNormalize(string identifier, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        string handle = identifier.TrimStart('@', '$').ToLowerInvariant();
        if (handle.Length is 0 or > MaxLength)
        {
            reason = $"a {name} handle is 1 to {MaxLength} characters";
            return false;
        }

        foreach (char c in handle)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                reason = $"a {name} handle is letters, digits, '.', '_' and '-'; '{c}' is not allowed";
                return false;
            }
        }

        canonical = handle;
        reason = null;
        return true;
    }
}
