using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Media.Images;
using Clearinghouse.Tests;

namespace Clearinghouse.Media.Tests;

/// <summary>
/// Our decoder + hasher against the reference's own output on its own test images
/// (<c>shared/testdata/pdq/expected*.tsv</c>, never edited). Every file must match bit for bit.
/// </summary>
public sealed class PdqGoldenTests
{
    public static TheoryData<string, string, int> ExpectedHashes()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var line in File.ReadLines(TestData.PathOf("pdq", "expected.tsv")))
        {
            var f = line.Split('\t');
            data.Add(f[0], f[1], int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture));
        }

        return data;
    }

    public static TheoryData<string, string[]> ExpectedDihedral()
    {
        var data = new TheoryData<string, string[]>();
        foreach (var line in File.ReadLines(TestData.PathOf("pdq", "expected_dihedral.tsv")))
        {
            var f = line.Split('\t');
            data.Add(f[0], f[1..]);
        }

        return data;
    }

    [Fact]
    public void The_reference_lists_cover_all_49_images()
    {
        Assert.Equal(49, ExpectedHashes().Count);
        Assert.Equal(49, ExpectedDihedral().Count);
    }

    [Theory]
    [MemberData(nameof(ExpectedHashes))]
    public void Hash_and_quality_equal_the_reference_bit_for_bit(string path, string expectedHash, int expectedQuality)
    {
        // Both JPEG back ends (the system's libjpeg-turbo and Skia's) must reproduce the reference.
        foreach (bool systemJpeg in new[] { true, false })
        {
            using var image = new ImageDecoder(null, systemJpeg).DecodeFile(TestData.PathOf("pdq", "images", path));
            var result = new PdqHasher().Hash(image.Pixels);

            Assert.Equal(expectedHash, result.Hash.ToString());
            Assert.Equal(expectedQuality, result.Quality);
        }
    }

    [Fact]
    public void The_system_libjpeg_turbo_is_installed_and_gives_skias_pixels_on_every_reference_jpeg()
    {
        Assert.True(ImageDecoder.JpegBackend == "libjpeg-turbo", "libturbojpeg0 must be installed (scripts/test.sh installs it)");
        int compared = 0;
        foreach (var file in Directory.EnumerateFiles(TestData.PathOf("pdq", "images"), "*.jpg", SearchOption.AllDirectories))
        {
            using var turbo = new ImageDecoder(null, preferSystemJpeg: true).DecodeFile(file);
            using var skia = new ImageDecoder(null, preferSystemJpeg: false).DecodeFile(file);
            Assert.Equal((skia.Width, skia.Height, skia.Layout), (turbo.Width, turbo.Height, turbo.Layout));
            for (int y = 0; y < skia.Height; y++)
            {
                var a = skia.Pixels.Row(y);
                var b = turbo.Pixels.Row(y);
                for (int x = 0; x < skia.Width; x++)
                {
                    // Colour channels only: the fourth byte is alpha (Skia) or filler (TurboJPEG).
                    Assert.True(a.Slice(x * 4, 3).SequenceEqual(b.Slice(x * 4, 3)), $"{file}: pixel ({x}, {y}) differs");
                }
            }

            compared++;
        }

        Assert.Equal(37, compared);
    }

    [Theory]
    [MemberData(nameof(ExpectedDihedral))]
    public void All_eight_dihedral_hashes_equal_the_reference(string path, string[] expected)
    {
        using var image = new ImageDecoder().DecodeFile(TestData.PathOf("pdq", "images", path));
        var result = new PdqHasher().HashDihedral(image.Pixels);

        var actual = result.ToArray().Select(h => h.ToString()).ToArray();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("bridge-2-rotate-90.jpg", DihedralTransform.Rotate90)]
    [InlineData("bridge-3-rotate-180.jpg", DihedralTransform.Rotate180)]
    [InlineData("bridge-4-rotate-270.jpg", DihedralTransform.Rotate270)]
    [InlineData("bridge-5-flipx.jpg", DihedralTransform.FlipX)]
    [InlineData("bridge-6-flipy.jpg", DihedralTransform.FlipY)]
    [InlineData("bridge-7-flip-plus-1.jpg", DihedralTransform.FlipPlus1)]
    [InlineData("bridge-8-flip-minus-1.jpg", DihedralTransform.FlipMinus1)]
    public void A_dihedral_hash_of_the_original_finds_the_actually_transformed_file(string file, DihedralTransform transform)
    {
        var decoder = new ImageDecoder();
        using var original = decoder.DecodeFile(TestData.PathOf("pdq", "images", "reg-test-input", "dih", "bridge-1-original.jpg"));
        using var transformed = decoder.DecodeFile(TestData.PathOf("pdq", "images", "reg-test-input", "dih", file));
        var variants = new PdqHasher().HashDihedral(original.Pixels);
        var direct = new PdqHasher().Hash(transformed.Pixels).Hash;

        int distance = Hash256.Distance(direct, variants[transform]);
        Assert.True(distance <= 31, $"{file}: {distance} bits from the {transform} variant");
        Assert.True(Hash256.Distance(direct, variants.Original) > 31, "the transform must matter for this test to mean anything");
    }

    [Fact]
    public void The_upstream_hash_lists_have_exactly_250_pairs_within_31_by_brute_force()
    {
        var needles = File.ReadLines(TestData.PathOf("pdq", "hashlists", "needles.txt")).Select(Hash256.Parse).ToArray();
        var haystack = File.ReadLines(TestData.PathOf("pdq", "hashlists", "haystack.txt")).Select(Hash256.Parse).ToArray();
        Assert.Equal(100, needles.Length);
        Assert.Equal(1350, haystack.Length);

        int within31 = 0;
        int within32 = 0;
        foreach (var n in needles)
        {
            foreach (var h in haystack)
            {
                int d = Hash256.Distance(n, h);
                within31 += d <= 31 ? 1 : 0;
                within32 += d <= 32 ? 1 : 0;
            }
        }

        Assert.Equal(250, within31);
        Assert.Equal(250, within32);
    }
}
