using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Hashing.Urls;
using Clearinghouse.Matching;
using Clearinghouse.Matching.Urls;

namespace Clearinghouse.Signals;

/// <summary>
/// Links (python-threatexchange's <c>url</c>): a canonical http(s) URL, a whole domain (<c>domain:example.com</c>,
/// which covers its subdomains) or a path prefix (<c>prefix:https://example.com/channel/</c>). Distance 0 when the
/// values are equal or one is a URL the other covers, 1 otherwise; threshold 0. Canonical rules: docs/signals.md.
/// </summary>
/// <remarks>
/// Not <see cref="IsExact"/>: distances are 0 or 1, but a domain or prefix matches URLs that are not equal to it.
/// </remarks>
public sealed class UrlSignalType : ISignalType
{
    public string Name => "url";

    public IReadOnlyList<ContentType> ContentTypes { get; } = [ContentType.Url];

    public int DefaultThreshold => 0;

    public bool IsExact => false;

    public IReadOnlyList<string> Examples { get; } =
    [
        "https://example.com/media/statement.mp4",
        "domain:example.org",
        "prefix:https://example.net/channel/",
    ];

    public bool TryCanonicalize(string value, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = TryParse(value, out var pattern, out reason) ? pattern.Canonical : null;
        return canonical is not null;
    }

    public int Distance(string a, string b) => UrlPattern.Match(Parse(a), Parse(b)) ? 0 : 1;

    public ISignalIndex<string> CreateIndex() => new ParsingIndex<UrlPattern>(new UrlIndex(), Parse);

    internal UrlPattern Parse(string value) =>
        TryParse(value, out var pattern, out var reason) ? pattern : throw new FormatException($"Invalid {Name} value: {reason}");

    private static bool TryParse(string? value, [NotNullWhen(true)] out UrlPattern? pattern, [NotNullWhen(false)] out string? reason)
    {
        pattern = null;
        if (value is null)
        {
            reason = "A URL is missing.";
            return false;
        }

        if (!UrlPattern.TryParse(value, out pattern, out reason))
        {
            reason = char.ToUpperInvariant(reason[0]) + reason[1..] + ".";
            return false;
        }

        return true;
    }
}
