using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Clearinghouse.Hashing.Urls;

/// <summary>
/// A canonical http(s) URL, split into the parts that matching needs. <see cref="ToString"/> is the canonical text:
/// <c>scheme://host[:port]path[?query]</c>.
/// </summary>
public sealed record CanonicalUrl(string Scheme, string Host, HostKind HostKind, int? Port, string Path, string Query)
{
    /// <summary><c>scheme://host[:port]</c>.</summary>
    public string Origin => Port is { } port
        ? string.Create(CultureInfo.InvariantCulture, $"{Scheme}://{Host}:{port}")
        : $"{Scheme}://{Host}";

    public override string ToString() => Query.Length == 0 ? Origin + Path : $"{Origin}{Path}?{Query}";
}

/// <summary>
/// Canonicalises http and https URLs so that spellings of one address compare equal (rules: docs/signals.md).
/// Pure and deterministic: no DNS, no network, no dependence on the culture.
/// </summary>
/// <remarks>
/// Scheme and host lower-cased; Unicode hosts in Punycode; IPv4 in dotted decimal and IPv6 in RFC 5952 form;
/// a trailing dot of the host removed; userinfo dropped; default ports (80, 443) dropped; percent-encoding
/// normalised (unreserved characters decoded, other escapes in uppercase hex, <c>%2F</c> kept encoded, invalid
/// escapes refused); dot segments resolved (RFC 3986 §5.2.4); an empty path written <c>/</c>; tracking parameters
/// removed and the remaining query parameters sorted by name (stable: equal names keep their order); the fragment
/// dropped. Backslashes are read as slashes and tabs and line breaks ignored, as browsers do.
/// </remarks>
public static class UrlCanonicalizer
{
    /// <summary>Longest URL accepted, in characters.</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>Canonicalises <paramref name="input"/>; false with a precise reason if it is not an http(s) URL.</summary>
    public static bool TryCanonicalize(string input, [NotNullWhen(true)] out CanonicalUrl? url, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(input);
        url = null;
        if (input.Length > MaxLength)
        {
            reason = $"the URL is {input.Length:N0} characters; at most {MaxLength:N0} are accepted";
            return false;
        }

        // Browsers strip leading and trailing C0 controls and spaces, and tabs and line breaks anywhere.
        string text = input.Trim(" \t\n\r\f\v\0".ToCharArray());
        if (text.AsSpan().ContainsAny('\t', '\n', '\r'))
        {
            text = text.Replace("\t", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Replace("\r", string.Empty, StringComparison.Ordinal);
        }

        if (text.Length == 0)
        {
            reason = "the URL is empty";
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]))
            {
                reason = $"character {i + 1} is a control character (U+{(int)text[i]:X4})";
                return false;
            }
        }

        if (!TryScheme(text, out string? scheme, out int at, out reason))
        {
            return false;
        }

        if (!(at + 1 < text.Length && text[at] is '/' or '\\' && text[at + 1] is '/' or '\\'))
        {
            reason = $"expected '//' and a host after '{scheme}:'";
            return false;
        }

        at += 2;
        int authorityEnd = text.AsSpan(at).IndexOfAny("/\\?#");
        authorityEnd = authorityEnd < 0 ? text.Length : at + authorityEnd;
        var authority = text.AsSpan(at, authorityEnd - at);

        // Userinfo ("user:password@") is not part of what the URL points at, and may name a person: dropped.
        int userinfo = authority.LastIndexOf('@');
        int hostStart = at + userinfo + 1;
        var hostPort = authority[(userinfo + 1)..];
        if (!TrySplitPort(hostPort, scheme, hostStart, out var host, out int? port, out reason)
            || !HostCanonicalizer.TryCanonicalize(host, hostStart, out var canonicalHost, out var kind, out reason))
        {
            return false;
        }

        int queryStart = text.IndexOf('?', authorityEnd);
        int fragmentStart = text.IndexOf('#', authorityEnd);
        if (queryStart > fragmentStart && fragmentStart >= 0)
        {
            queryStart = -1;
        }

        int pathEnd = queryStart >= 0 ? queryStart : fragmentStart >= 0 ? fragmentStart : text.Length;
        var path = new StringBuilder();
        if (!PercentEncoding.TryAppend(text.AsSpan(authorityEnd, pathEnd - authorityEnd).ToString().Replace('\\', '/'), PercentEncoding.Component.Path, authorityEnd, path, out reason))
        {
            return false;
        }

        string query = string.Empty;
        if (queryStart >= 0)
        {
            int queryEnd = fragmentStart >= 0 ? fragmentStart : text.Length;
            if (!TryQuery(text.AsSpan(queryStart + 1, queryEnd - queryStart - 1), queryStart + 1, out query, out reason))
            {
                return false;
            }
        }

        url = new CanonicalUrl(scheme, canonicalHost, kind, port, DotSegments.Remove(path.Length == 0 ? "/" : path.ToString()), query);
        reason = null;
        return true;
    }

    /// <summary>The canonical text of <paramref name="input"/>.</summary>
    /// <exception cref="FormatException">Not an http(s) URL; the message says why.</exception>
    public static string Canonicalize(string input) =>
        TryCanonicalize(input, out var url, out var reason) ? url.ToString() : throw new FormatException("Invalid URL: " + reason);

    private static bool TryScheme(string text, [NotNullWhen(true)] out string? scheme, out int after, [NotNullWhen(false)] out string? reason)
    {
        scheme = null;
        after = 0;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        bool valid = colon > 0 && char.IsAsciiLetter(text[0]);
        for (int i = 1; valid && i < colon; i++)
        {
            valid = char.IsAsciiLetterOrDigit(text[i]) || text[i] is '+' or '-' or '.';
        }

        if (!valid)
        {
            reason = "the URL has no scheme: write it in full, starting with http:// or https://";
            return false;
        }

        string name = text[..colon].ToLowerInvariant();
        if (name is not ("http" or "https"))
        {
            reason = $"only http and https URLs are accepted; this one's scheme is '{name}'";
            return false;
        }

        scheme = name;
        after = colon + 1;
        reason = null;
        return true;
    }

    private static bool TrySplitPort(ReadOnlySpan<char> hostPort, string scheme, int offset, out ReadOnlySpan<char> host, out int? port, [NotNullWhen(false)] out string? reason)
    {
        port = null;
        int colon = hostPort.LastIndexOf(':');
        if (hostPort.StartsWith("["))
        {
            int close = hostPort.IndexOf(']');
            colon = close < 0 ? -1 : hostPort[(close + 1)..].IndexOf(':') is int c && c >= 0 ? close + 1 + c : -1;
            if (close >= 0 && close + 1 < hostPort.Length && colon != close + 1)
            {
                host = default;
                reason = $"unexpected '{hostPort[close + 1]}' after the IPv6 literal at character {offset + close + 2}";
                return false;
            }
        }

        host = colon >= 0 ? hostPort[..colon] : hostPort;
        if (colon < 0 || colon == hostPort.Length - 1)
        {
            reason = null;
            return true; // No port, or an empty one: the default.
        }

        var digits = hostPort[(colon + 1)..];
        if (digits.ContainsAnyExceptInRange('0', '9') || !int.TryParse(digits.TrimStart('0') is { Length: > 0 } d ? d : "0", NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value > 65535)
        {
            reason = $"the port '{digits}' is not a number from 0 to 65535";
            return false;
        }

        port = (scheme, value) is ("http", 80) or ("https", 443) ? null : value;
        reason = null;
        return true;
    }

    private static bool TryQuery(ReadOnlySpan<char> raw, int offset, out string query, [NotNullWhen(false)] out string? reason)
    {
        query = string.Empty;
        var parameters = new List<(string Name, string? Value)>();
        var part = new StringBuilder();
        int start = 0;
        while (start <= raw.Length)
        {
            int end = raw[start..].IndexOf('&');
            end = end < 0 ? raw.Length : start + end;
            var pair = raw[start..end];
            if (!pair.IsEmpty)
            {
                int equals = pair.IndexOf('=');
                var name = equals < 0 ? pair : pair[..equals];
                part.Clear();
                if (!PercentEncoding.TryAppend(name, PercentEncoding.Component.QueryPart, offset + start, part, out reason))
                {
                    return false;
                }

                string normalisedName = part.ToString();
                string? value = null;
                if (equals >= 0)
                {
                    part.Clear();
                    if (!PercentEncoding.TryAppend(pair[(equals + 1)..], PercentEncoding.Component.QueryPart, offset + start + equals + 1, part, out reason))
                    {
                        return false;
                    }

                    value = part.ToString();
                }

                if (!PercentEncoding.TryDecode(normalisedName, 0, out var decodedName, out _) || !TrackingParameters.IsTracking(decodedName))
                {
                    parameters.Add((normalisedName, value));
                }
            }

            start = end + 1;
        }

        // List.Sort is not stable; order by name, then by position.
        var ordered = parameters.Select((p, i) => (p, i)).OrderBy(x => x.p.Name, StringComparer.Ordinal).ThenBy(x => x.i);
        query = string.Join('&', ordered.Select(x => x.p.Value is null ? x.p.Name : $"{x.p.Name}={x.p.Value}"));
        reason = null;
        return true;
    }
}

/// <summary>RFC 3986 §5.2.4, remove_dot_segments, on an absolute path.</summary>
internal static class DotSegments
{
    public static string Remove(string path)
    {
        if (!path.Contains('.', StringComparison.Ordinal))
        {
            return path;
        }

        var output = new List<string>();
        var segments = path.Split('/');

        // segments[0] is the empty string before the leading '/'.
        for (int i = 1; i < segments.Length; i++)
        {
            string segment = segments[i];
            bool last = i == segments.Length - 1;
            if (segment == ".")
            {
                if (last)
                {
                    output.Add(string.Empty);
                }
            }
            else if (segment == "..")
            {
                if (output.Count > 0)
                {
                    output.RemoveAt(output.Count - 1);
                }

                if (last)
                {
                    output.Add(string.Empty);
                }
            }
            else
            {
                output.Add(segment);
            }
        }

        return "/" + string.Join('/', output);
    }
}
