using Clearinghouse.Media.Images;
using Clearinghouse.Media.Video;
using Clearinghouse.Server.Api;
using Clearinghouse.Signals;

namespace Clearinghouse.Server.Hashing;

/// <summary>
/// Hashes uploaded content: picks the content type (given, or recognised from the bytes), runs that type's hasher
/// and the whole-file digests, and returns the signals asked for. Only signal types the registry knows are produced.
/// </summary>
public sealed class ContentHashing
{
    private readonly Dictionary<ContentType, IContentHasher> _hashers = [];
    private readonly SignalTypeRegistry _types;

    public ContentHashing(SignalTypeRegistry types, IEnumerable<IContentHasher> hashers)
    {
        ArgumentNullException.ThrowIfNull(hashers);
        _types = types;
        foreach (var hasher in hashers)
        {
            _hashers[hasher.ContentType] = hasher;
        }
    }

    /// <summary>The built-in hashers: photos (PDQ), text and PDF text (TLSH), files (MD5, SHA-256).</summary>
    public static ContentHashing CreateDefault(SignalTypeRegistry types, ImageDecodeOptions decodeOptions) =>
        new(types, [new PhotoHasher(decodeOptions), new TextHasher(), new VideoHasher(VideoDecodeOptions.Default with { MaxBytes = decodeOptions.MaxBytes }), new FileDigestHasher()]);

    /// <summary>Content type names as HMA and python-threatexchange spell them.</summary>
    public static string NameOf(ContentType type) => type switch
    {
        ContentType.PaymentIdentifier => "payment_identifier",
        _ => type.ToString().ToLowerInvariant(),
    };

    public static bool TryParseContentType(string? name, out ContentType type)
    {
        foreach (var candidate in Enum.GetValues<ContentType>())
        {
            if (string.Equals(NameOf(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }

    /// <summary>Whether uploads of <paramref name="type"/> can be hashed here (into at least one known signal type).</summary>
    public bool CanHash(ContentType type) => _hashers.TryGetValue(type, out var hasher) && hasher.SignalTypes.Any(n => _types.TryGet(n, out _));

    /// <summary>The signal types of <paramref name="type"/> itself (HMA's default selection: a photo gives pdq).</summary>
    public IReadOnlyList<string> OwnTypesOf(ContentType type) =>
        _hashers.TryGetValue(type, out var hasher) ? [.. hasher.SignalTypes.Where(n => _types.TryGet(n, out _))] : [];

    /// <summary>Every signal type an upload of <paramref name="type"/> can give: its own, then the whole-file digests.</summary>
    public IReadOnlyList<string> AllTypesOf(ContentType type)
    {
        var own = OwnTypesOf(type);
        return type == ContentType.File ? own : [.. own, .. OwnTypesOf(ContentType.File)];
    }

    /// <summary>
    /// The content type of an upload whose type was not given: a recognised image is a photo, a PDF is text, an MP4,
    /// MOV, Matroska or WebM container a video, anything else a file (plain text cannot be told from other bytes reliably: name it with content_type=text).
    /// </summary>
    public static ContentType Recognise(ReadOnlySpan<byte> data) =>
        ImageFormatSniffer.Sniff(data[..Math.Min(data.Length, ImageFormatSniffer.HeaderLength)]) != ImageFormat.Unknown ? ContentType.Photo
        : Media.Text.PdfText.IsPdf(data) ? ContentType.Text
        : IsVideoContainer(data) ? ContentType.Video
        : ContentType.File;

    /// <summary>An ISO media file (MP4, MOV: <c>ftyp</c> at offset 4) or Matroska/WebM (the EBML magic).</summary>
    private static bool IsVideoContainer(ReadOnlySpan<byte> data) =>
        (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8))
        || (data.Length >= 4 && data[..4].SequenceEqual((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]));

    /// <summary>
    /// Parses a comma-separated selection of signal types for <paramref name="contentType"/> (HMA's <c>types</c>);
    /// null or empty text gives <paramref name="defaults"/>. Unknown or inapplicable names are a 400 problem.
    /// </summary>
    public IReadOnlySet<string> Select(ContentType contentType, string? names, IReadOnlyList<string> defaults)
    {
        if (string.IsNullOrWhiteSpace(names))
        {
            return defaults.ToHashSet(StringComparer.Ordinal);
        }

        var possible = AllTypesOf(contentType);
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!possible.Contains(name))
            {
                throw Problems.BadRequest($"signal type '{name}' cannot be computed from {NameOf(contentType)} content here (possible: {string.Join(", ", possible)}).");
            }

            selected.Add(name);
        }

        if (selected.Count == 0)
        {
            throw Problems.BadRequest("empty signal type selection");
        }

        return selected;
    }

    /// <summary>Hashes content of <paramref name="contentType"/> into the <paramref name="wanted"/> signal types.</summary>
    public IReadOnlyList<ContentHash> Hash(ContentType contentType, byte[] data, int length, IReadOnlySet<string> wanted)
    {
        if (!CanHash(contentType))
        {
            throw Problems.BadRequest($"{NameOf(contentType)} content cannot be hashed by this node (it can hash: {string.Join(", ", _hashers.Keys.Where(CanHash).Select(NameOf))}).");
        }

        if (length == 0)
        {
            throw Problems.BadRequest("The uploaded file is empty.");
        }

        var results = new List<ContentHash>();
        _hashers[contentType].Hash(data, length, wanted, results);
        if (contentType != ContentType.File && _hashers.TryGetValue(ContentType.File, out var files))
        {
            files.Hash(data, length, wanted, results);
        }

        return results;
    }
}
