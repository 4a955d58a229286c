using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Hashing.Tlsh;
using Clearinghouse.Matching;
using Clearinghouse.Matching.Tlsh;

namespace Clearinghouse.Signals;

/// <summary>
/// TLSH of text (python-threatexchange's <c>text_tlsh</c>): <c>T1</c> and 70 uppercase hex digits, the digest of the
/// text's UTF-8 bytes (python-threatexchange hashes <c>text.encode()</c> without further normalisation, and so does
/// this type); the reference's distance without the length component; a match at distance ≤ 30.
/// </summary>
/// <remarks>
/// python-threatexchange (and so HMA) compares with the reference's <c>diffxlen</c>, without the length component, so
/// this type does too: a threshold of 30 then means the same on both sides and values exchange unchanged. The length
/// component would separate a short excerpt from its whole document, but a member matching an excerpt of a manifesto
/// is the case the signal exists for. <see cref="IncludeLength"/> is the one place that decides it.
/// </remarks>
public sealed class TlshSignalType : ISignalType
{
    /// <summary>Whether distances include the length component.</summary>
    public const bool IncludeLength = false;

    public string Name => "text_tlsh";

    public IReadOnlyList<ContentType> ContentTypes { get; } = [ContentType.Text];

    public int DefaultThreshold => 30;

    public bool IsExact => false;

    public IReadOnlyList<string> Examples { get; } =
    [
        "T145D18407A78523B35A030267671FA2C2F725402973629B25545EB43C3356679477F7FC",
        "T1F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AAC",
    ];

    public bool TryCanonicalize(string value, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        if (value is null)
        {
            reason = "a TLSH digest is missing.";
            return false;
        }

        if (!TlshHash.TryParse(value, out var hash, out reason))
        {
            reason = char.ToUpperInvariant(reason[0]) + reason[1..];
            return false;
        }

        canonical = hash.ToString();
        return true;
    }

    public int Distance(string a, string b) => TlshHash.Distance(Parse(a), Parse(b), IncludeLength);

    public ISignalIndex<string> CreateIndex() => new ParsingIndex<TlshHash>(new TlshIndex(IncludeLength), Parse);

    internal TlshHash Parse(string value) => TlshHash.Parse(((ISignalType)this).Canonicalize(value));
}
