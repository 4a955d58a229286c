using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Pdq;
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
}
