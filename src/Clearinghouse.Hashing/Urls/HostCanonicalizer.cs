using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Clearinghouse.Hashing.Urls;

/// <summary>What a canonical host is.</summary>
public enum HostKind
{
    /// <summary>A domain name: lowercase ASCII labels (Punycode for Unicode ones), no trailing dot.</summary>
    Name,

    /// <summary>An IPv4 address in dotted decimal.</summary>
    IPv4,

    /// <summary>An IPv6 address in RFC 5952 form, in brackets.</summary>
    IPv6,
}

/// <summary>
/// Canonical hosts: domain names lower-cased and Punycode-encoded label by label, one trailing dot removed, IPv4
/// addresses in any of the forms browsers accept (<c>0x7f.1</c>, <c>2130706433</c>) as dotted decimal, IPv6
/// literals in RFC 5952 form.
/// </summary>
public static class HostCanonicalizer
{
    /// <summary>Longest domain name in DNS (RFC 1035), in its ASCII form.</summary>
    public const int MaxNameLength = 253;

    private const int MaxLabelLength = 63;

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private static readonly System.Buffers.SearchValues<char> IPv6Characters = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF:.");

    /// <summary>Canonicalises a host as written in a URL's authority (percent escapes allowed, IPv6 in brackets).</summary>
    public static bool TryCanonicalize(ReadOnlySpan<char> host, int offset, [NotNullWhen(true)] out string? canonical, out HostKind kind, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        kind = HostKind.Name;
        if (host.IsEmpty)
        {
            reason = "the URL has no host";
            return false;
        }

        if (host[0] == '[')
        {
            kind = HostKind.IPv6;
            return TryIPv6(host, out canonical, out reason);
        }

        if (!PercentEncoding.TryDecode(host, offset, out var decoded, out reason))
        {
            return false;
        }

        // Full stops that IDNA treats as label separators.
        decoded = decoded.Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.');
        for (int i = 0; i < decoded.Length; i++)
        {
            char c = decoded[i];
            if (c < 0x80 && !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                reason = c is < ' ' or (char)0x7F
                    ? $"the host contains a control character (U+{(int)c:X4})"
                    : $"the host contains '{c}', which no host name may contain";
                return false;
            }
        }

        if (decoded.EndsWith('.'))
        {
            decoded = decoded[..^1];
        }

        if (decoded.Length == 0)
        {
            reason = "the URL has no host";
            return false;
        }

        var labels = decoded.Split('.');
        if (Array.IndexOf(labels, string.Empty) >= 0)
        {
            reason = $"the host '{decoded}' has an empty label (two dots in a row, or a leading dot)";
            return false;
        }

        if (EndsInNumber(labels[^1]))
        {
            kind = HostKind.IPv4;
            return TryIPv4(labels, decoded, out canonical, out reason);
        }

        return TryName(labels, out canonical, out reason);
    }

    /// <summary>Canonicalises a bare host (as in a <c>domain:</c> pattern): the same rules without brackets for IPv6.</summary>
    public static bool TryCanonicalizeBare(ReadOnlySpan<char> host, [NotNullWhen(true)] out string? canonical, out HostKind kind, [NotNullWhen(false)] out string? reason) =>
        host.Contains(':') && !host.StartsWith("[")
            ? TryCanonicalize($"[{host}]", 0, out canonical, out kind, out reason)
            : TryCanonicalize(host, 0, out canonical, out kind, out reason);

    private static bool TryName(string[] labels, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        var idn = new IdnMapping { AllowUnassigned = false, UseStd3AsciiRules = false };
        for (int i = 0; i < labels.Length; i++)
        {
            string label = labels[i].ToLowerInvariant();
            try
            {
                if (label.StartsWith("xn--", StringComparison.Ordinal))
                {
                    // An A-label: decode it and encode its lower-cased Unicode again, so that the A-label and the
                    // U-label of one name agree, and a malformed one is refused.
                    string unicode = idn.GetUnicode(label).ToLowerInvariant();
                    label = unicode.All(char.IsAscii) ? unicode : idn.GetAscii(unicode);
                }
                else if (!label.All(char.IsAscii))
                {
                    label = idn.GetAscii(label);
                }
            }
            catch (ArgumentException ex)
            {
                reason = $"the host label '{labels[i]}' is not a valid internationalised domain name label ({ex.Message.Split(" (Parameter")[0]})";
                return false;
            }

            if (label.Length > MaxLabelLength)
            {
                reason = $"the host label '{labels[i]}' is {label.Length} characters in ASCII form; DNS allows {MaxLabelLength}";
                return false;
            }

            labels[i] = label;
        }

        string name = string.Join('.', labels);
        if (name.Length > MaxNameLength)
        {
            reason = $"the host is {name.Length} characters in ASCII form; DNS allows {MaxNameLength}";
            return false;
        }

        canonical = name;
        reason = null;
        return true;
    }

    /// <summary>WHATWG's test for a host meant as an IPv4 address: its last label is a decimal or 0x-hex number.</summary>
    private static bool EndsInNumber(string last) =>
        last.All(char.IsAsciiDigit)
        || (last.Length >= 2 && last[0] == '0' && (last[1] | 0x20) == 'x' && !last.AsSpan(2).ContainsAnyExcept(HexDigits));

    /// <summary>
    /// WHATWG's IPv4 parser: one to four parts, each decimal, octal (leading 0) or hex (0x); every part but the last
    /// is one byte, the last fills the remaining bytes.
    /// </summary>
    private static bool TryIPv4(string[] parts, string host, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        reason = $"the host '{host}' looks like an IPv4 address but is not one";
        if (parts.Length > 4)
        {
            return false;
        }

        Span<ulong> numbers = stackalloc ulong[4];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!TryParseIPv4Number(parts[i], out numbers[i]))
            {
                return false;
            }
        }

        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (numbers[i] > 255)
            {
                return false;
            }
        }

        int remaining = 5 - parts.Length;
        if (numbers[parts.Length - 1] >= 1UL << (8 * remaining))
        {
            return false;
        }

        ulong address = numbers[parts.Length - 1];
        for (int i = 0; i < parts.Length - 1; i++)
        {
            address += numbers[i] << (8 * (3 - i));
        }

        canonical = string.Create(CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}");
        reason = null;
        return true;
    }

    private static bool TryParseIPv4Number(string part, out ulong value)
    {
        value = 0;
        var digits = part.AsSpan();
        int radix = 10;
        if (digits.Length >= 2 && digits[0] == '0' && (digits[1] | 0x20) == 'x')
        {
            digits = digits[2..];
            radix = 16;
        }
        else if (digits.Length >= 2 && digits[0] == '0')
        {
            digits = digits[1..];
            radix = 8;
        }

        if (digits.IsEmpty)
        {
            return true; // "0x" and "0" are zero.
        }

        foreach (char c in digits)
        {
            int d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiHexDigit(c) ? (c | 0x20) - 'a' + 10 : 99;
            if (d >= radix)
            {
                return false;
            }

            value = (value * (ulong)radix) + (ulong)d;
            if (value > uint.MaxValue)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryIPv6(ReadOnlySpan<char> bracketed, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        if (bracketed.Length < 2 || bracketed[^1] != ']')
        {
            reason = "an IPv6 literal must be enclosed in '[' and ']'";
            return false;
        }

        var inner = bracketed[1..^1];
        if (inner.Contains('%'))
        {
            reason = "an IPv6 zone identifier (after '%') names a network interface of one machine and is not allowed";
            return false;
        }

        if (inner.ContainsAnyExcept(IPv6Characters) || !IPAddress.TryParse(inner, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            reason = $"'{bracketed}' is not a valid IPv6 literal";
            return false;
        }

        canonical = "[" + address.ToString() + "]";
        reason = null;
        return true;
    }
}
