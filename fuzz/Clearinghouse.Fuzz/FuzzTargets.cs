using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Pdq;
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
    };

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
