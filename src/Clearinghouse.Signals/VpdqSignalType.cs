using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Matching;
using Clearinghouse.Matching.Vpdq;

namespace Clearinghouse.Signals;

/// <summary>
/// vPDQ, Meta's video hash: the PDQ hashes of a video's frames (with quality and timestamp). Two videos match when
/// at least 80 % of the query's usable frames (quality ≥ 50, duplicates removed) are within Hamming distance 31 of a
/// frame of the other (python-threatexchange's <c>VPDQSignal</c>).
/// </summary>
/// <remarks>
/// <para><b>Value.</b> The canonical form is python-threatexchange's serialisation, so values travel unchanged to
/// and from HMA and ThreatExchange clients: a JSON array of <c>"pdqHex,quality,timestamp"</c> strings, timestamps as
/// Python's <c>format(t, ".3")</c>, spaced as <c>json.dumps</c> spaces it (see <see cref="VpdqJson"/>).
/// The reference's per-frame text (<c>frameNumber,quality,hash,timestamp</c> lines, as <c>vpdq-hash-video</c>
/// writes) is accepted too and canonicalised to the JSON form (frame numbers are not part of it).</para>
/// <para><b>Distance.</b> One integer per pair, where the video rule needs two percentages:
/// <c>Distance(query, compared)</c> = ⌈100 − the percentage of the query's usable frames that match⌉ — 0 when all
/// match, 100 when none does. It is not symmetric: a short clip is at distance 0 from the full video it was cut
/// from, not the other way round. The default threshold 20 is exactly python-threatexchange's "≥ 80 %".</para>
/// <para><b>Index.</b> A <see cref="VpdqIndex"/>: each distinct frame hash once in an exact PDQ index, so a query
/// searches frames, not videos one by one; a query returns each indexed video within the threshold, with its
/// distance as above, and only when at least <see cref="VpdqMatchOptions.IndexMatchPercent"/> of that video's own
/// usable frames match (default 0 %, as python-threatexchange).</para>
/// </remarks>
public sealed class VpdqSignalType : ISignalType
{
    /// <summary>Values with more frames are refused (a day of video hashed at 10 frames per second).</summary>
    public const int MaxFrames = 864_000;

    private readonly VpdqMatchOptions _options;

    public VpdqSignalType()
        : this(VpdqMatchOptions.Default)
    {
    }

    /// <param name="options">Quality and distance thresholds and the indexed side's percentage for indexes created by this type.</param>
    public VpdqSignalType(VpdqMatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    public string Name => "vpdq";

    public IReadOnlyList<ContentType> ContentTypes { get; } = [ContentType.Video];

    /// <summary>20: a match when at least 80 % of the query's frames match (100 − VPDQ_QUERY_MATCH_THRESHOLD_PERCENT).</summary>
    public int DefaultThreshold => 20;

    public bool IsExact => false;

    public IReadOnlyList<string> Examples { get; } =
    [
        // As python-threatexchange builds its example: PDQ examples as frames of quality 100, one per second.
        "[\"f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95,100,0.0\", \"b062eb9d2ab170c0567fcb672d9a5548c5612982dd5e374a7424ebbc8b135cb5,100,1.0\"]",
        // The first two seconds of the reference's doorknob sample at one hash per second.
        "[\"dadb999c25266273529cadac8dcb52c22324ad3bce99726c38668d93c799f06c,100,0.0\", \"c8feb0fc73910f830fc6307cf039e7030fc61b9cf8717cf00fce00070003fffe,68,1.0\"]",
    ];

    public bool TryCanonicalize(string value, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        if (!TryParse(value, out var features, out reason))
        {
            return false;
        }

        canonical = VpdqJson.Format(features);
        return true;
    }

    /// <summary>⌈100 − percentage of <paramref name="a"/>'s usable frames within 31 bits of a frame of <paramref name="b"/>⌉.</summary>
    public int Distance(string a, string b) => VpdqBruteMatcher.Match(Parse(a), Parse(b), _options).Distance;

    public ISignalIndex<string> CreateIndex() => new ParsingIndex<IReadOnlyList<VpdqFeature>>(new VpdqIndex(_options), Parse);

    /// <summary>The frames of a valid value in either accepted form.</summary>
    /// <exception cref="FormatException">The value is invalid; the message says why.</exception>
    public List<VpdqFeature> Parse(string value) =>
        TryParse(value, out var features, out var reason) ? features : throw new FormatException($"Invalid {Name} value: {reason}");

    private static bool TryParse(string? value, [NotNullWhen(true)] out List<VpdqFeature>? features, [NotNullWhen(false)] out string? reason)
    {
        features = null;
        if (value is null)
        {
            reason = "A vPDQ value is missing.";
            return false;
        }

        var text = value.Trim();
        bool parsed = text.StartsWith('[')
            ? VpdqJson.TryParse(text, out features, out reason)
            : VpdqReferenceText.TryParse(text, out features, out reason);
        if (!parsed)
        {
            reason = $"A vPDQ value is a JSON array of \"hash,quality,timestamp\" strings (or the reference's frameNumber,quality,hash,timestamp lines): {reason}.";
            return false;
        }

        if (features!.Count == 0)
        {
            features = null;
            reason = "A vPDQ value lists at least one frame.";
            return false;
        }

        if (features.Count > MaxFrames)
        {
            reason = $"A vPDQ value lists at most {MaxFrames:N0} frames; got {features.Count:N0}.";
            features = null;
            return false;
        }

        return true;
    }
}
