using Clearinghouse.Tests;

namespace Clearinghouse.Server.Tests;

/// <summary>Reference images and their reference PDQ hashes (../shared/testdata/pdq).</summary>
internal static class TestImages
{
    public const string Bridge = "bridge-mods/aaa-orig.jpg";

    private static readonly Lazy<Dictionary<string, (string Hash, int Quality)>> Expected = new(() =>
        File.ReadAllLines(TestData.PathOf("pdq", "expected.tsv"))
            .Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => (f[1], int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture))));

    public static byte[] Bytes(string name) => File.ReadAllBytes(TestData.PathOf("pdq", "images", name));

    public static string Pdq(string name) => Expected.Value[name].Hash;

    public static int Quality(string name) => Expected.Value[name].Quality;

    /// <summary>Every reference image with its hash and quality.</summary>
    public static IEnumerable<(string Name, string Hash, int Quality)> All() => Expected.Value.Select(p => (p.Key, p.Value.Hash, p.Value.Quality));
}
