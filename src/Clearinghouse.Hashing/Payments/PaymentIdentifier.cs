using System.Diagnostics.CodeAnalysis;

namespace Clearinghouse.Hashing.Payments;

/// <summary>A validated payment identifier in canonical form: <c>scheme:identifier</c> (<see cref="ToString"/>).</summary>
public sealed record PaymentIdentifier(string Scheme, string Identifier)
{
    /// <summary>Longest value accepted, in characters.</summary>
    public const int MaxLength = 300;

    /// <summary>Longest identifier of a scheme without its own rules.</summary>
    public const int MaxGenericLength = 256;

    private static readonly IPaymentScheme[] Known =
    [
        new BitcoinScheme(), new EthereumScheme(), new TronScheme(), new MoneroScheme(), new IbanScheme(),
        new HandleScheme("paypal"), new HandleScheme("cashapp"), new HandleScheme("venmo"), new HandleScheme("patreon"),
        new HandleScheme("kofi"), new HandleScheme("buymeacoffee"),
    ];

    // Payment URI schemes (BIP-21, EIP-681, Monero's) and common spellings, mapped to canonical scheme names.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["bitcoin"] = "btc", ["xbt"] = "btc", ["ethereum"] = "eth", ["tron"] = "trx", ["monero"] = "xmr",
        ["cash.app"] = "cashapp", ["ko-fi"] = "kofi",
    };

    /// <summary>The schemes with their own validation, by canonical name.</summary>
    public static IEnumerable<string> KnownSchemes => Known.Select(s => s.Name);

    public override string ToString() => $"{Scheme}:{Identifier}";

    /// <summary>
    /// Parses <c>scheme:identifier</c>, a payment URI (<c>bitcoin:…?amount=…</c>, <c>ethereum:0x…@1</c>), or a bare
    /// Bitcoin, Ethereum, TRON or Monero address; validates it by its scheme's rules and checksum. False with the reason.
    /// </summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out PaymentIdentifier? identifier, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(value);
        identifier = null;
        string text = value.Trim();
        if (text.Length == 0)
        {
            reason = "the value is empty";
            return false;
        }

        if (text.Length > MaxLength)
        {
            reason = $"the value is {text.Length} characters; at most {MaxLength} are accepted";
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string scheme;
        string rest;
        if (colon > 0 && IsSchemeName(text.AsSpan(0, colon)))
        {
            scheme = text[..colon].ToLowerInvariant();
            rest = text[(colon + 1)..].Trim();
            if (scheme is "http" or "https")
            {
                reason = "this is a web address: use the url signal type for links";
                return false;
            }

            bool uri = Aliases.TryGetValue(scheme, out var canonicalScheme);
            scheme = canonicalScheme ?? scheme;
            if (uri)
            {
                // A payment URI: the address ends at its parameters ('?'), EIP-681's chain id ('@') or function ('/').
                int end = rest.AsSpan().IndexOfAny("?@/");
                rest = end >= 0 ? rest[..end] : rest;
            }
        }
        else if (!TryDetect(text, out scheme!, out reason))
        {
            return false;
        }
        else
        {
            rest = text;
        }

        if (rest.Length == 0)
        {
            reason = $"the {scheme} identifier after ':' is empty";
            return false;
        }

        var known = Array.Find(Known, s => s.Name == scheme);
        string? canonical;
        if (known is not null)
        {
            if (!known.TryNormalize(rest, out canonical, out reason))
            {
                return false;
            }
        }
        else if (!TryGeneric(scheme, rest, out canonical, out reason))
        {
            return false;
        }

        identifier = new PaymentIdentifier(scheme, canonical);
        reason = null;
        return true;
    }

    /// <summary>Parses a value (see <see cref="TryParse"/>).</summary>
    /// <exception cref="FormatException">Not a valid identifier; the message says why.</exception>
    public static PaymentIdentifier Parse(string value) =>
        TryParse(value, out var id, out var reason) ? id : throw new FormatException("Invalid payment identifier: " + reason);

    /// <summary>Identifiers of schemes without their own rules: no whitespace or control characters, case kept.</summary>
    private static bool TryGeneric(string scheme, string identifier, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        if (identifier.Length > MaxGenericLength)
        {
            reason = $"a {scheme} identifier is at most {MaxGenericLength} characters";
            return false;
        }

        for (int i = 0; i < identifier.Length; i++)
        {
            if (char.IsWhiteSpace(identifier[i]) || char.IsControl(identifier[i]))
            {
                reason = $"character {i + 1} of the {scheme} identifier is whitespace or a control character";
                return false;
            }
        }

        canonical = identifier;
        reason = null;
        return true;
    }

    private static bool TryDetect(string text, [NotNullWhen(true)] out string? scheme, [NotNullWhen(false)] out string? reason)
    {
        scheme = null;
        reason = null;
        string lower = text.ToLowerInvariant();
        if (lower.StartsWith("0x", StringComparison.Ordinal))
        {
            scheme = "eth";
        }
        else if (lower.StartsWith("bc1", StringComparison.Ordinal) || lower.StartsWith("tb1", StringComparison.Ordinal) || (text.Length is >= 26 and <= 35 && text[0] is '1' or '3' or 'm' or 'n' or '2'))
        {
            scheme = "btc";
        }
        else if (text.Length == 34 && text[0] == 'T')
        {
            scheme = "trx";
        }
        else if (text.Length is 95 or 106 && text[0] is '4' or '8' or '5' or '7' or '9' or 'A' or 'B')
        {
            scheme = "xmr";
        }
        else
        {
            reason = $"not recognised as a Bitcoin, Ethereum, TRON or Monero address; write other identifiers as scheme:identifier (schemes with their own checks: {string.Join(", ", KnownSchemes)})";
            return false;
        }

        return true;
    }

    private static bool IsSchemeName(ReadOnlySpan<char> name)
    {
        if (name.Length is < 2 or > 32 || !char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '+' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
