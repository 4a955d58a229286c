using System.Diagnostics.CodeAnalysis;

namespace Clearinghouse.Hashing.Urls;

/// <summary>What a <see cref="UrlPattern"/> matches.</summary>
public enum UrlPatternKind
{
    /// <summary>One canonical URL.</summary>
    Url,

    /// <summary><c>domain:HOST</c>: every URL on the host or any of its subdomains, whatever the scheme, port or path.</summary>
    Domain,

    /// <summary><c>prefix:URL</c>: every URL with the same scheme, host and port whose path lies under the prefix's path.</summary>
    Prefix,
}

/// <summary>
/// A value of the <c>url</c> signal type: an exact URL, a whole domain (<c>domain:example.com</c>) or a path prefix
/// (<c>prefix:https://example.com/channel/</c>), each in canonical form.
/// </summary>
/// <remarks>
/// A path prefix covers the paths that equal it or continue it after a segment boundary: <c>/a/b</c> covers
/// <c>/a/b</c> and <c>/a/b/c</c> but not <c>/a/bc</c>; <c>/a/b/</c> covers <c>/a/b/</c> and what lies below it;
/// <c>/</c> covers the whole origin. Queries and fragments play no part in prefixes.
/// </remarks>
public sealed class UrlPattern : IEquatable<UrlPattern>
{
    /// <summary>Written before a host to bank a whole domain.</summary>
    public const string DomainPrefix = "domain:";

    /// <summary>Written before a URL to bank every URL under its path.</summary>
    public const string PathPrefix = "prefix:";

    private UrlPattern(UrlPatternKind kind, string canonical, string host, HostKind hostKind, CanonicalUrl? url)
    {
        Kind = kind;
        Canonical = canonical;
        Host = host;
        HostKind = hostKind;
        Url = url;
    }

    public UrlPatternKind Kind { get; }

    /// <summary>The canonical text: the URL, <c>domain:HOST</c> or <c>prefix:URL</c>.</summary>
    public string Canonical { get; }

    /// <summary>The canonical host.</summary>
    public string Host { get; }

    public HostKind HostKind { get; }

    /// <summary>The URL of a <see cref="UrlPatternKind.Url"/> or <see cref="UrlPatternKind.Prefix"/> pattern; null for domains.</summary>
    public CanonicalUrl? Url { get; }

    /// <summary>Parses and canonicalises a value; false with the reason.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out UrlPattern? pattern, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(value);
        pattern = null;
        string text = value.Trim();
        if (text.StartsWith(DomainPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var host = text.AsSpan(DomainPrefix.Length).Trim();
            if (host.StartsWith("*."))
            {
                reason = $"write {DomainPrefix}{host[2..]}: a domain pattern already covers every subdomain";
                return false;
            }

            int bad = host.IndexOfAny("/?#@");
            if (bad >= 0 || (host.Contains(':') && !host.StartsWith("[") && host.Count(':') == 1))
            {
                reason = $"a domain pattern is '{DomainPrefix}' and a host alone (no scheme, port, path or query), such as {DomainPrefix}example.com";
                return false;
            }

            if (!HostCanonicalizer.TryCanonicalizeBare(host, out var canonicalHost, out var kind, out reason))
            {
                return false;
            }

            pattern = new UrlPattern(UrlPatternKind.Domain, DomainPrefix + canonicalHost, canonicalHost, kind, null);
            return true;
        }

        bool isPrefix = text.StartsWith(PathPrefix, StringComparison.OrdinalIgnoreCase);
        string urlText = isPrefix ? text[PathPrefix.Length..] : text;
        if (!UrlCanonicalizer.TryCanonicalize(urlText, out var url, out reason))
        {
            return false;
        }

        if (isPrefix && url.Query.Length > 0)
        {
            reason = "a prefix pattern matches paths; it cannot have a query";
            return false;
        }

        pattern = isPrefix
            ? new UrlPattern(UrlPatternKind.Prefix, PathPrefix + url.Origin + url.Path, url.Host, url.HostKind, url)
            : new UrlPattern(UrlPatternKind.Url, url.ToString(), url.Host, url.HostKind, url);
        return true;
    }

    /// <summary>Parses a value (see <see cref="TryParse"/>).</summary>
    /// <exception cref="FormatException">Not a valid value; the message says why.</exception>
    public static UrlPattern Parse(string value) =>
        TryParse(value, out var pattern, out var reason) ? pattern : throw new FormatException("Invalid URL value: " + reason);

    /// <summary>Whether this pattern covers the URL <paramref name="url"/> (an exact pattern covers only itself).</summary>
    public bool Covers(CanonicalUrl url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Kind switch
        {
            UrlPatternKind.Domain => DomainCovers(Host, HostKind, url.Host, url.HostKind),
            UrlPatternKind.Prefix => url.Origin == Url!.Origin && PathCovers(Url.Path, url.Path),
            _ => url.ToString() == Canonical,
        };
    }

    /// <summary>
    /// Whether the two values match: equal, or one is a URL that the other (a domain or a prefix) covers. Symmetric.
    /// </summary>
    public static bool Match(UrlPattern a, UrlPattern b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Canonical == b.Canonical
            || (a.Kind == UrlPatternKind.Url && b.Covers(a.Url!))
            || (b.Kind == UrlPatternKind.Url && a.Covers(b.Url!));
    }

    /// <summary>Whether a domain pattern for <paramref name="domain"/> covers <paramref name="host"/>.</summary>
    public static bool DomainCovers(string domain, HostKind domainKind, string host, HostKind hostKind)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(host);
        return host == domain
            || (domainKind == HostKind.Name && hostKind == HostKind.Name && host.Length > domain.Length
                && host.EndsWith(domain, StringComparison.Ordinal) && host[host.Length - domain.Length - 1] == '.');
    }

    /// <summary>Whether the path prefix <paramref name="prefix"/> covers <paramref name="path"/> (segment-wise).</summary>
    public static bool PathCovers(string prefix, string path)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(path);
        return path.StartsWith(prefix, StringComparison.Ordinal)
            && (path.Length == prefix.Length || prefix.EndsWith('/') || path[prefix.Length] == '/');
    }

    public bool Equals(UrlPattern? other) => other is not null && Canonical == other.Canonical;

    public override bool Equals(object? obj) => Equals(obj as UrlPattern);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Canonical);

    public override string ToString() => Canonical;
}
