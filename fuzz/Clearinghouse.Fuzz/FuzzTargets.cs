using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Payments;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Hashing.Tlsh;
using Clearinghouse.Hashing.Urls;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Media.Images;

namespace Clearinghouse.Fuzz;

/// <summary>
/// Each target feeds arbitrary bytes to a parser or decoder. The documented failure (a FormatException from a
/// parser, an ImageDecodeException from a decoder) is the correct answer to bad input; any other exception, a
/// hang or a crash is a finding.
/// </summary>
internal static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>
    {
        ["image-decode"] = DecodeAndHash,
        ["hash-parse"] = ParseHash,
        ["vpdq-parse"] = ParseVpdq,
        ["url-canonicalize"] = CanonicalizeUrl,
        ["payment-parse"] = ParsePayment,
        ["tlsh"] = HashAndParseTlsh,
    };

    /// <summary>A canonical URL or pattern must canonicalise to itself; a refusal must carry a reason.</summary>
    private static void CanonicalizeUrl(byte[] input)
    {
        string text = System.Text.Encoding.UTF8.GetString(input);
        if (!UrlPattern.TryParse(text, out var pattern, out var reason))
        {
            Require(!string.IsNullOrEmpty(reason), "a refused URL has no reason");
            return;
        }

        Require(UrlPattern.TryParse(pattern.Canonical, out var again, out _) && again.Canonical == pattern.Canonical, $"canonical URL is not a fixed point: {pattern.Canonical}");
        if (pattern.Url is { } url)
        {
            Require(pattern.Kind != UrlPatternKind.Url || pattern.Covers(url), "a URL does not match itself");
        }
    }

    /// <summary>A canonical payment identifier must parse to itself; a refusal must carry a reason.</summary>
    private static void ParsePayment(byte[] input)
    {
        string text = System.Text.Encoding.UTF8.GetString(input);
        if (!PaymentIdentifier.TryParse(text, out var id, out var reason))
        {
            Require(!string.IsNullOrEmpty(reason), "a refused identifier has no reason");
            return;
        }

        Require(PaymentIdentifier.TryParse(id.ToString(), out var again, out _) && again == id, $"canonical identifier is not a fixed point: {id}");
    }

    /// <summary>TLSH of any bytes (whole and split in two), and the digest's text round trip.</summary>
    private static void HashAndParseTlsh(byte[] input)
    {
        var whole = TlshHasher.Hash(input);
        var split = new TlshHasher();
        split.Update(input.AsSpan(0, input.Length / 3));
        split.Update(input.AsSpan(input.Length / 3));
        var parts = split.Final();
        Require(whole.Failure == parts.Failure && whole.Hash == parts.Hash, "TLSH depends on how the input is split");
        if (whole.Ok)
        {
            Require(TlshHash.Parse(whole.Hash.ToString()) == whole.Hash && TlshHash.Distance(whole.Hash, whole.Hash) == 0, "TLSH text round trip failed");
        }

        if (TlshHash.TryParse(System.Text.Encoding.Latin1.GetString(input), out var parsed, out _))
        {
            Require(TlshHash.Parse(parsed.ToString()) == parsed, "TLSH parse round trip failed");
        }
    }

    private static void Require(bool condition, string finding)
    {
        if (!condition)
        {
            throw new InvalidOperationException(finding);
        }
    }

    // Created on first use: instrumented code must not run before SharpFuzz has set up AFL's shared memory.
    // Small limits keep each run fast and bounded; the limits themselves are part of what is tested.
    private static ImageDecoder? s_decoder;

    private static void DecodeAndHash(byte[] input)
    {
        try
        {
            s_decoder ??= new ImageDecoder(new ImageDecodeOptions { MaxPixels = 4_000_000, MaxBytes = 1 << 20 });
            using var image = s_decoder.Decode(input, input.Length);
            _ = new PdqHasher().Hash(image.Pixels);
        }
        catch (ImageDecodeException)
        {
        }
    }

    private static void ParseHash(byte[] input)
    {
        if (Hash256.TryParse(input, out var hash))
        {
            var again = Hash256.Parse(hash.ToString());
            if (again != hash || !hash.ToString().Equals(System.Text.Encoding.ASCII.GetString(input), StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException("hex round trip changed the hash");
            }
        }
    }

    /// <summary>Both vPDQ text forms; whatever parses must format and re-parse to the same value.</summary>
    private static void ParseVpdq(byte[] input)
    {
        string text = System.Text.Encoding.UTF8.GetString(input);
        if (VpdqJson.TryParse(text, out var features, out _) || VpdqReferenceText.TryParse(text, out features, out _))
        {
            string json = VpdqJson.Format(features);
            if (!VpdqJson.TryParse(json, out var again, out string? reason) || VpdqJson.Format(again) != json)
            {
                throw new InvalidOperationException($"vPDQ JSON round trip failed: {reason}");
            }

            var lines = new StringWriter();
            VpdqReferenceText.Write(lines, features);
            if (!VpdqReferenceText.TryParse(lines.ToString(), out var back, out reason) || back.Count != features.Count)
            {
                throw new InvalidOperationException($"vPDQ reference-text round trip failed: {reason}");
            }
        }
    }
}
