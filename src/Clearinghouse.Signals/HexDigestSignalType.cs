using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Matching;

namespace Clearinghouse.Signals;

/// <summary>Shared validation of fixed-length hexadecimal values (digests and PDQ hashes).</summary>
internal static class Hex
{
    /// <summary>
    /// Lowercase form of <paramref name="value"/> if it is exactly <paramref name="digits"/> hex digits; otherwise
    /// the reason, naming the length or the first bad character and its position.
    /// </summary>
    public static bool TryCanonicalize(string? value, int digits, string what, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        if (value is null)
        {
            reason = $"{what} is missing.";
            return false;
        }

        if (value.Length != digits)
        {
            reason = $"{what} is {digits} hex digits; got {value.Length} characters.";
            return false;
        }

        for (int i = 0; i < value.Length; i++)
        {
            if (!char.IsAsciiHexDigit(value[i]))
            {
                reason = $"{what} is {digits} hex digits; character {i + 1} ('{value[i]}') is not a hex digit.";
                return false;
            }
        }

        canonical = value.ToLowerInvariant();
        reason = null;
        return true;
    }
}

/// <summary>An exact-match digest of a file's bytes (md5, sha256): lowercase hex of a fixed length.</summary>
public abstract class HexDigestSignalType : ISignalType
{
    private readonly int _digits;

    protected HexDigestSignalType(string name, int bits, IReadOnlyList<string> examples)
    {
        Name = name;
        _digits = bits / 4;
        Examples = examples;
    }

    public string Name { get; }

    public IReadOnlyList<ContentType> ContentTypes { get; } = [ContentType.File];

    public int DefaultThreshold => 0;

    public bool IsExact => true;

    public IReadOnlyList<string> Examples { get; }

    public bool TryCanonicalize(string value, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason) =>
        Hex.TryCanonicalize(value, _digits, $"An {Name} digest", out canonical, out reason);

    public int Distance(string a, string b)
    {
        var self = (ISignalType)this;
        return self.Canonicalize(a) == self.Canonicalize(b) ? 0 : 1;
    }

    /// <summary>An exact index over canonical values.</summary>
    public ISignalIndex<string> CreateIndex() => new CanonicalIndex(this, new ExactIndex<string>(StringComparer.Ordinal));
}

/// <summary>MD5 of a file (32 hex digits). Weak as cryptography, still the most shared file-hash format.</summary>
public sealed class Md5SignalType : HexDigestSignalType
{
    public Md5SignalType()
        : base("md5", 128, ["d41d8cd98f00b204e9800998ecf8427e", "9e107d9d372bb6826bd81d3542a419d6"])
    {
    }
}

/// <summary>SHA-256 of a file (64 hex digits).</summary>
public sealed class Sha256SignalType : HexDigestSignalType
{
    public Sha256SignalType()
        : base("sha256", 256, ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"])
    {
    }
}

/// <summary>Canonicalises values (rejecting invalid ones with the type's reason) before an inner index sees them.</summary>
internal sealed class CanonicalIndex(ISignalType type, ISignalIndex<string> inner) : ISignalIndex<string>
{
    public int Count => inner.Count;

    public bool Contains(long id) => inner.Contains(id);

    public bool Remove(long id) => inner.Remove(id);

    public IDisposable BeginBulkLoad() => inner.BeginBulkLoad();

    public void Add(long id, string value) => inner.Add(id, type.Canonicalize(value));

    public void Query(string value, int threshold, List<IndexMatch> results) => inner.Query(type.Canonicalize(value), threshold, results);
}
