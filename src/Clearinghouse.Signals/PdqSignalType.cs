using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Hashing;
using Clearinghouse.Matching;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Signals;

/// <summary>
/// PDQ, Meta's 256-bit perceptual photo hash: 64 hex digits, Hamming distance, a match at distance ≤ 31.
/// (Hashes of quality below 50 are not used; quality belongs to hashing, not to the value.)
/// </summary>
public sealed class PdqSignalType : ISignalType
{
    public string Name => "pdq";

    public IReadOnlyList<ContentType> ContentTypes { get; } = [ContentType.Photo];

    public int DefaultThreshold => PdqIndex.DefaultRadius;

    public bool IsExact => false;

    public IReadOnlyList<string> Examples { get; } =
    [
        "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95",
        "b062eb9d2ab170c0567fcb672d9a5548c5612982dd5e374a7424ebbc8b135cb5",
    ];

    public bool TryCanonicalize(string value, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason) =>
        Hex.TryCanonicalize(value, Hash256.HexLength, "A PDQ hash", out canonical, out reason);

    public int Distance(string a, string b) => Hash256.Distance(Parse(a), Parse(b));

    public ISignalIndex<string> CreateIndex() => new ParsingIndex<Hash256>(new PdqIndex(), Parse);

    internal Hash256 Parse(string value) =>
        Hash256.Parse(((ISignalType)this).Canonicalize(value));
}
