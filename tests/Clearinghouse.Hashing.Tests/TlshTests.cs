using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Clearinghouse.Hashing.Tlsh;
using Clearinghouse.Hashing.Tlsh.Reference;
using TestData = Clearinghouse.Tests.TestData;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.Hashing.Tests;

public sealed class TlshTests
{
    private const string Anchor = "example_data/website_course_descriptors06-07.txt";

    private static string Tlsh(params string[] parts) => TestData.PathOf(["tlsh", .. parts]);

    /// <summary>Reference lines "digest-or-score TAB path" (out_EXP) or "path TAB path TAB score" (scores_EXP).</summary>
    private static string[][] Lines(string file) =>
        [.. File.ReadLines(Tlsh("exp", file)).Where(l => l.Length > 0).Select(l => l.Split('\t'))];

    public static TheoryData<string, string> ReferenceDigests()
    {
        var data = new TheoryData<string, string>();
        foreach (var f in Lines("example_data.128.1.len.out_EXP"))
        {
            data.Add(f[1], f[0]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceDigests))]
    public void Every_reference_file_gives_the_reference_digest(string path, string expected)
    {
        var bytes = File.ReadAllBytes(Tlsh(path));
        var result = TlshHasher.Hash(bytes);
        Assert.True(result.Ok, result.Reason);
        Assert.Equal(expected, result.Hash.ToString());
        Assert.Equal(expected, ScalarReferenceTlsh.Hash(bytes));
    }

    [Fact]
    public void The_reference_covers_every_example_file()
    {
        var listed = Lines("example_data.128.1.len.out_EXP").Select(f => f[1]).Order(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(Tlsh("example_data")).Select(p => "example_data/" + Path.GetFileName(p)).Order(StringComparer.Ordinal);
        Assert.Equal(files, listed);
        Assert.Equal(80, listed.Count());
    }

    [Theory]
    [InlineData("example_data.128.1.len.scores_EXP", true)]
    [InlineData("example_data.128.1.xlen.scores_EXP", false)]
    public void Distances_to_the_anchor_equal_the_reference_scores(string file, bool includeLength)
    {
        var anchor = TlshHasher.Hash(File.ReadAllBytes(Tlsh(Anchor))).Hash;
        var lines = Lines(file);
        Assert.Equal(80, lines.Length);
        foreach (var f in lines)
        {
            Assert.Equal(Anchor, f[0]);
            var other = TlshHasher.Hash(File.ReadAllBytes(Tlsh(f[1]))).Hash;
            int expected = int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(expected, TlshHash.Distance(anchor, other, includeLength));
            Assert.Equal(expected, TlshHash.Distance(other, anchor, includeLength));
        }
    }

    [Fact]
    public void Reference_digests_parse_and_print_back_identically()
    {
        foreach (var f in Lines("example_data.128.1.len.out_EXP"))
        {
            var hash = TlshHash.Parse(f[0]);
            Assert.Equal(f[0], hash.ToString());
            Assert.Equal(hash, TlshHash.Parse(f[0].ToLowerInvariant()));
            Assert.Equal(hash, TlshHash.Parse(f[0][2..]));
            Assert.Equal(0, TlshHash.Distance(hash, hash));
        }
    }

    [Fact]
    public void Digest_fields_are_decoded_from_the_printed_form()
    {
        // small.txt is 60 bytes: length code 10 (57 < 60 <= 86), printed nibble-swapped as "A0".
        var hash = TlshHash.Parse("T1F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AAC");
        Assert.Equal(0x8F, hash.Checksum);
        Assert.Equal(10, hash.LengthCode);
        Assert.Equal(2, hash.Q1Ratio);
        Assert.Equal(2, hash.Q2Ratio);
        Assert.Equal(10, TlshHasher.LengthCode(60));
        Assert.Equal(0, TlshHasher.LengthCode(1));
        Assert.Equal(169, TlshHasher.LengthCode(4224281216));
    }

    [Theory]
    [InlineData(0, TlshFailure.TooShort, "too short: 0 bytes; TLSH needs at least 50")]
    [InlineData(49, TlshFailure.TooShort, "too short: 49 bytes; TLSH needs at least 50")]
    public void Inputs_under_50_bytes_are_too_short(int length, TlshFailure failure, string reason)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        var result = TlshHasher.Hash(bytes);
        Assert.Equal(failure, result.Failure);
        Assert.Equal(reason, result.Reason);
        Assert.Null(ScalarReferenceTlsh.Hash(bytes));
    }

    [Fact]
    public void Uniform_and_low_variety_inputs_have_no_digest_with_the_reason()
    {
        // One repeated byte fills six buckets at most: the third quartile is zero.
        var zeros = TlshHasher.Hash(new byte[10_000]);
        Assert.Equal(TlshFailure.TooUniform, zeros.Failure);
        Assert.Contains("three quarters", zeros.Reason, StringComparison.Ordinal);

        // A short cycle uses more than a quarter of the buckets but not more than half.
        TlshResult? lowVariety = null;
        for (int period = 2; period < 40 && lowVariety is null; period++)
        {
            var cycle = new byte[5000];
            for (int i = 0; i < cycle.Length; i++)
            {
                cycle[i] = (byte)('a' + (i % period));
            }

            var r = TlshHasher.Hash(cycle);
            if (r.Failure == TlshFailure.TooFewBuckets)
            {
                lowVariety = r;
                Assert.Null(ScalarReferenceTlsh.Hash(cycle));
            }
        }

        Assert.NotNull(lowVariety);
        Assert.Matches("^too little variety: only [0-9]+ of TLSH's 128 buckets are used; it needs more than 64$", lowVariety.Value.Reason);
    }

    [Fact]
    public void The_digest_does_not_depend_on_how_the_input_is_split()
    {
        var bytes = File.ReadAllBytes(Tlsh("example_data", "0Alice.txt"));
        string expected = TlshHasher.Hash(bytes).Hash.ToString();
        var hasher = new TlshHasher();
        foreach (int chunk in new[] { 1, 2, 3, 4, 5, 7, 64, 4096 })
        {
            for (int i = 0; i < bytes.Length; i += chunk)
            {
                hasher.Update(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
            }

            Assert.Equal(bytes.Length, hasher.Length);
            var result = hasher.Final();
            Assert.Equal(expected, result.Hash.ToString());
            Assert.Equal(0, hasher.Length);
        }
    }

    [Property(MaxTest = 300)]
    public Property Optimised_hasher_equals_the_plain_one_on_any_input_and_any_split() =>
        Prop.ForAll(
            Gen.Choose(0, 3000).SelectMany(n => Gen.Choose(0, 255).ArrayOf(n))
                .SelectMany(data => Gen.Choose(1, Math.Max(1, data.Length)).ArrayOf().Select(cuts => (data, cuts)))
                .Select(t => (data: t.data.Select(b => (byte)(b % (1 + (t.data.Length % 97)))).ToArray(), t.cuts))
                .ToArbitrary(),
            t =>
            {
                var hasher = new TlshHasher();
                int at = 0;
                foreach (int cut in t.cuts)
                {
                    int n = Math.Min(cut, t.data.Length - at);
                    hasher.Update(t.data.AsSpan(at, n));
                    at += n;
                }

                hasher.Update(t.data.AsSpan(at));
                var result = hasher.Final();
                return (result.Ok ? result.Hash.ToString() : null) == ScalarReferenceTlsh.Hash(t.data);
            });

    [Property(MaxTest = 200)]
    public Property Text_is_hashed_as_its_utf8_bytes() =>
        Prop.ForAll(
            Gen.Elements("word ", "mot ", "слово ", "词", "😀", "\n", "\uD800", "a", "ü").ArrayOf().Select(string.Concat).ToArbitrary(),
            text =>
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(text);
                var a = TlshHasher.HashText(text);
                var b = TlshHasher.Hash(bytes);
                return a.Failure == b.Failure && a.Hash == b.Hash;
            });

    [Property(MaxTest = 500)]
    public Property Vector_body_distance_equals_the_table_and_is_a_symmetric_premetric() =>
        Prop.ForAll(
            Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf(32).Two().ToArbitrary(),
            t =>
            {
                var (a, b) = t;
                int table = TlshBodyDistance.ComputeScalar(a, b);
                bool vector = !Avx2.IsSupported || TlshBodyDistance.ComputeAvx2(Vector256.Create(a), Vector256.Create(b)) == table;
                return vector && table == TlshBodyDistance.ComputeScalar(b, a) && TlshBodyDistance.ComputeScalar(a, a) == 0 && (table == 0) == a.AsSpan().SequenceEqual(b);
            });

    [Fact]
    public void Body_distance_weights_one_two_and_six()
    {
        var zero = new byte[32];
        var one = new byte[32];
        one[0] = 0b01;
        var two = new byte[32];
        two[0] = 0b10;
        var six = new byte[32];
        six[5] = 0b1100_0000;
        Assert.Equal(1, TlshBodyDistance.Compute(zero, one));
        Assert.Equal(2, TlshBodyDistance.Compute(zero, two));
        Assert.Equal(6, TlshBodyDistance.Compute(zero, six));
        Assert.Equal(6 * 128, TlshBodyDistance.Compute(zero, Enumerable.Repeat((byte)0xFF, 32).ToArray()));
    }

    [Fact]
    public void Header_distance_uses_the_circles_and_the_reference_weights()
    {
        Assert.Equal(0, TlshHash.LengthCost(0));
        Assert.Equal(1, TlshHash.LengthCost(1));
        Assert.Equal(24, TlshHash.LengthCost(2));
        Assert.Equal(12, TlshHash.RatioCost(2));
        Assert.Equal(1, TlshHash.CircularDifference(0, 255, 256));
        Assert.Equal(2, TlshHash.CircularDifference(15, 1, 16));
        Assert.Equal(1 + 12 + 0, TlshHash.HeaderDistance(10, 0, 3, 11, 14, 3, includeLength: true));
        Assert.Equal(12, TlshHash.HeaderDistance(10, 0, 3, 11, 14, 3, includeLength: false));
    }

    [Theory]
    [InlineData("", "got 0 characters")]
    [InlineData("T1F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AA", "got 71 characters")]
    [InlineData("T1F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AACC", "got 73 characters")]
    [InlineData("T2F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AAC", "starts with T1")]
    [InlineData("T1F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AAG", "character 72 ('G') is not a hex digit")]
    [InlineData("F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AA-", "character 70 ('-') is not a hex digit")]
    public void Malformed_digests_are_rejected_with_the_reason(string text, string reason)
    {
        Assert.False(TlshHash.TryParse(text, out _, out var actual));
        Assert.Contains(reason, actual, StringComparison.Ordinal);
        Assert.Contains(reason, Assert.Throws<FormatException>(() => TlshHash.Parse(text)).Message, StringComparison.Ordinal);
    }
}
