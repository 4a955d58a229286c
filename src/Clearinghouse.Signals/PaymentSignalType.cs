using System.Diagnostics.CodeAnalysis;
using Clearinghouse.Hashing.Payments;
using Clearinghouse.Matching;

namespace Clearinghouse.Signals;

/// <summary>
/// Payment identifiers (terrorist fundraising): <c>scheme:identifier</c>, validated by the scheme's checksum where it
/// has one — <c>btc:</c> (Base58Check, Bech32, Bech32m), <c>eth:</c> (EIP-55), <c>trx:</c>, <c>xmr:</c>, <c>iban:</c>
/// (mod 97) — and normalised (handles such as <c>paypal:</c> lower-cased); any other scheme is kept as written
/// without whitespace. Exact matching; threshold 0. Rules: docs/signals.md.
/// </summary>
public sealed class PaymentSignalType : ISignalType
{
    public string Name => "payment";

    public IReadOnlyList<ContentType> ContentTypes { get; } = [ContentType.PaymentIdentifier];

    public int DefaultThreshold => 0;

    public bool IsExact => true;

    public IReadOnlyList<string> Examples { get; } =
    [
        "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    ];

    public bool TryCanonicalize(string value, [NotNullWhen(true)] out string? canonical, [NotNullWhen(false)] out string? reason)
    {
        canonical = null;
        if (value is null)
        {
            reason = "A payment identifier is missing.";
            return false;
        }

        if (!PaymentIdentifier.TryParse(value, out var identifier, out reason))
        {
            reason = char.ToUpperInvariant(reason[0]) + reason[1..] + ".";
            return false;
        }

        canonical = identifier.ToString();
        return true;
    }

    public int Distance(string a, string b)
    {
        var self = (ISignalType)this;
        return self.Canonicalize(a) == self.Canonicalize(b) ? 0 : 1;
    }

    /// <summary>An exact index over canonical values.</summary>
    public ISignalIndex<string> CreateIndex() => new CanonicalIndex(this, new ExactIndex<string>(StringComparer.Ordinal));
}
