using Clearinghouse.Matching;
using TestData = Clearinghouse.Tests.TestData;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.Signals.Tests;

public sealed class SignalTypeTests
{
    private static readonly SignalTypeRegistry Registry = SignalTypeRegistry.CreateDefault();

    [Fact]
    public void Default_registry_has_every_built_in_type_by_name()
    {
        Assert.Equal(["md5", "payment", "pdq", "sha256", "text_tlsh", "url", "vpdq"], Registry.All.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal(31, Registry.Get("pdq").DefaultThreshold);
        Assert.False(Registry.Get("pdq").IsExact);
        Assert.Equal([ContentType.Photo], Registry.Get("pdq").ContentTypes);
        foreach (string exact in new[] { "md5", "sha256" })
        {
            Assert.Equal(0, Registry.Get(exact).DefaultThreshold);
            Assert.True(Registry.Get(exact).IsExact);
            Assert.Equal([ContentType.File], Registry.Get(exact).ContentTypes);
        }

        Assert.False(Registry.TryGet("PDQ", out _));
        var e = Assert.Throws<KeyNotFoundException>(() => Registry.Get("tlsh"));
        Assert.Contains("known types: md5, payment, pdq, sha256, text_tlsh, url, vpdq", e.Message);
    }

    [Fact]
    public void Registering_a_duplicate_or_badly_named_type_fails()
    {
        var registry = SignalTypeRegistry.CreateDefault();
        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => registry.Register(new Md5SignalType())).Message);
        Assert.Contains("lowercase", Assert.Throws<ArgumentException>(() => registry.Register(new NamedType("Bad Name"))).Message);
        registry.Register(new NamedType("url_v2"));
        Assert.True(registry.TryGet("url_v2", out _));
    }

    [Theory]
    [InlineData("pdq")]
    [InlineData("md5")]
    [InlineData("sha256")]
    [InlineData("vpdq")]
    public void Examples_are_canonical_and_at_distance_zero_from_themselves(string name)
    {
        var type = Registry.Get(name);
        Assert.NotEmpty(type.Examples);
        foreach (string example in type.Examples)
        {
            Assert.True(type.TryCanonicalize(example, out var canonical, out var reason), reason);
            Assert.Equal(example, canonical);
            Assert.Equal(0, type.Distance(example, example.ToUpperInvariant()));
        }

        Assert.True(type.Distance(type.Examples[0], type.Examples[1]) > 0);
    }

    [Theory]
    [InlineData("md5", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("pdq", "F162EB9DAAB170C0567FE3632D9A5548C5612982DD5E374A7424EBBC8A835C95", "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95")]
    public void Hex_is_canonicalised_to_lowercase(string name, string value, string canonical) =>
        Assert.Equal(canonical, Registry.Get(name).Canonicalize(value));

    [Theory]
    [InlineData("md5", "d41d8cd98f00b204e9800998ecf8427", "is 32 hex digits; got 31 characters")]
    [InlineData("md5", "d41d8cd98f00b204e9800998ecf8427e0", "is 32 hex digits; got 33 characters")]
    [InlineData("md5", "", "is 32 hex digits; got 0 characters")]
    [InlineData("md5", "d41d8cd98f00b204e9800998ecf8427g", "character 32 ('g') is not a hex digit")]
    [InlineData("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", "is 64 hex digits; got 63 characters")]
    [InlineData("sha256", " e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", "character 1 (' ') is not a hex digit")]
    [InlineData("pdq", "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c9", "is 64 hex digits; got 63 characters")]
    [InlineData("pdq", "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c9x", "character 64 ('x') is not a hex digit")]
    public void Invalid_values_are_rejected_with_the_reason(string name, string value, string reason)
    {
        var type = Registry.Get(name);
        Assert.False(type.TryCanonicalize(value, out var canonical, out var actual));
        Assert.Null(canonical);
        Assert.Contains(reason, actual);
        var e = Assert.Throws<FormatException>(() => type.Canonicalize(value));
        Assert.Contains($"Invalid {name} value", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Throws<FormatException>(() => type.CreateIndex().Add(1, value));
    }

    [Fact]
    public void Pdq_distance_is_hamming_distance()
    {
        var pdq = Registry.Get("pdq");
        Assert.Equal(0, pdq.Distance(new string('0', 64), new string('0', 64)));
        Assert.Equal(256, pdq.Distance(new string('0', 64), new string('f', 64)));
        Assert.Equal(1, pdq.Distance(new string('0', 64), new string('0', 63) + "1"));
        Assert.Equal(4, pdq.Distance(new string('0', 64), "F" + new string('0', 63)));
    }

    [Theory]
    [InlineData("md5")]
    [InlineData("sha256")]
    public void Exact_indexes_match_equal_values_in_any_case(string name)
    {
        var type = Registry.Get(name);
        var index = type.CreateIndex();
        index.Add(1, type.Examples[0]);
        index.Add(2, type.Examples[1].ToUpperInvariant());
        index.Add(3, type.Examples[0].ToUpperInvariant());
        Assert.Equal(3, index.Count);
        Assert.Equal([1L, 3L], index.Query(type.Examples[0].ToUpperInvariant(), type.DefaultThreshold).Select(m => m.Id).Order());
        Assert.All(index.Query(type.Examples[1], 0), m => Assert.Equal(new IndexMatch(2, 0), m));
        Assert.True(index.Remove(1));
        Assert.False(index.Contains(1));
        Assert.Equal([new IndexMatch(3, 0)], index.Query(type.Examples[0], 0));
    }

    [Fact]
    public void Pdq_index_from_the_type_matches_the_reference_needles_and_haystack()
    {
        var pdq = Registry.Get("pdq");
        var index = pdq.CreateIndex();
        var haystack = File.ReadAllLines(TestData.PathOf("pdq", "hashlists", "haystack.txt")).Where(l => l.Length > 0).ToArray();
        for (int i = 0; i < haystack.Length; i++)
        {
            index.Add(i, haystack[i].ToUpperInvariant());
        }

        int pairs = 0;
        foreach (string needle in File.ReadAllLines(TestData.PathOf("pdq", "hashlists", "needles.txt")).Where(l => l.Length > 0))
        {
            var results = index.Query(needle, pdq.DefaultThreshold);
            pairs += results.Count;
            Assert.All(results, m => Assert.Equal(pdq.Distance(needle, haystack[m.Id]), m.Distance));
        }

        Assert.Equal(250, pairs);
    }

    [Property(MaxTest = 200)]
    public Property Canonicalisation_is_idempotent_and_accepts_exactly_hex_of_the_right_length() =>
        Prop.ForAll(
            Gen.Elements("pdq", "md5", "sha256")
                .SelectMany(name => Gen.OneOf(
                        Gen.Elements("0123456789abcdefABCDEFxyz -".ToCharArray()).ArrayOf(),
                        Gen.Elements("0123456789abcdefABCDEFxyz -".ToCharArray()).ArrayOf(name == "md5" ? 32 : 64),
                        Gen.Elements("0123456789abcdefABCDEF".ToCharArray()).ArrayOf(name == "md5" ? 32 : 64),
                        Gen.Elements("0123456789abcdefABCDEF".ToCharArray()).ArrayOf(32),
                        Gen.Elements("0123456789abcdefABCDEF".ToCharArray()).ArrayOf(64))
                    .Select(chars => (name, value: new string(chars))))
                .ToArbitrary(),
            t =>
            {
                var type = Registry.Get(t.name);
                int digits = t.name == "md5" ? 32 : 64;
                bool valid = t.value.Length == digits && t.value.All(char.IsAsciiHexDigit);
                bool ok = type.TryCanonicalize(t.value, out var canonical, out _);
                return ok == valid && (!ok || (string.Equals(canonical, t.value, StringComparison.OrdinalIgnoreCase) && !canonical!.Any(char.IsAsciiLetterUpper) && type.Canonicalize(canonical!) == canonical));
            });

    private sealed class NamedType(string name) : ISignalType
    {
        public string Name => name;

        public IReadOnlyList<ContentType> ContentTypes => [ContentType.Url];

        public int DefaultThreshold => 0;

        public bool IsExact => true;

        public IReadOnlyList<string> Examples => [];

        public bool TryCanonicalize(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? canonical, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
        {
            (canonical, reason) = (value, null);
            return true;
        }

        public int Distance(string a, string b) => a == b ? 0 : 1;

        public ISignalIndex<string> CreateIndex() => new ExactIndex<string>();
    }
}
