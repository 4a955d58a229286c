using Clearinghouse.Hashing.Tlsh;
using Clearinghouse.Matching;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TestData = Clearinghouse.Tests.TestData;

namespace Clearinghouse.Signals.Tests;

public sealed class TextUrlPaymentSignalTypeTests
{
    private static readonly SignalTypeRegistry Registry = SignalTypeRegistry.CreateDefault();

    [Theory]
    [InlineData("text_tlsh", 30, false, ContentType.Text)]
    [InlineData("url", 0, false, ContentType.Url)]
    [InlineData("payment", 0, true, ContentType.PaymentIdentifier)]
    public void Types_have_their_threshold_and_content_type(string name, int threshold, bool exact, ContentType content)
    {
        var type = Registry.Get(name);
        Assert.Equal(threshold, type.DefaultThreshold);
        Assert.Equal(exact, type.IsExact);
        Assert.Equal([content], type.ContentTypes);
    }

    [Theory]
    [InlineData("text_tlsh")]
    [InlineData("url")]
    [InlineData("payment")]
    public void Examples_are_canonical_distinct_and_at_distance_zero_from_themselves(string name)
    {
        var type = Registry.Get(name);
        Assert.True(type.Examples.Count >= 2);
        foreach (string example in type.Examples)
        {
            Assert.True(type.TryCanonicalize(example, out var canonical, out var reason), reason);
            Assert.Equal(example, canonical);
            Assert.Equal(0, type.Distance(example, example));
        }

        Assert.True(type.Distance(type.Examples[0], type.Examples[1]) > 0);
    }

    [Theory]
    [InlineData("text_tlsh", "t1f8a0220c0f8c0023cb880800ca33e88b8f0c022ab302c2008a030300300e8a00c83aac", "T1F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AAC")]
    [InlineData("text_tlsh", "F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AAC", "T1F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AAC")]
    [InlineData("url", "HTTPS://user@Example.COM:443/a/./b/../c?utm_source=x&b=2&a=1#top", "https://example.com/a/c?a=1&b=2")]
    [InlineData("url", "Domain:WWW.Bücher.Example.", "domain:www.xn--bcher-kva.example")]
    [InlineData("url", "prefix:https://Example.com/channel/x/..", "prefix:https://example.com/channel/")]
    [InlineData("payment", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")]
    [InlineData("payment", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")]
    [InlineData("payment", "PayPal:@SomeOne", "paypal:someone")]
    public void Values_are_canonicalised(string name, string value, string canonical) =>
        Assert.Equal(canonical, Registry.Get(name).Canonicalize(value));

    [Theory]
    [InlineData("text_tlsh", "T1F8A0", "A TLSH digest is T1 and 70 hex digits")]
    [InlineData("text_tlsh", "T1F8A0220C0F8C0023CB880800CA33E88B8F0C022AB302C2008A030300300E8A00C83AAX", "character 72 ('X') is not a hex digit")]
    [InlineData("url", "ftp://example.com/", "Only http and https URLs are accepted")]
    [InlineData("url", "https://example.com/%zz", "Invalid percent escape at character 21")]
    [InlineData("url", "domain:*.example.com", "Write domain:example.com")]
    [InlineData("url", "domain:https://example.com/", "a host alone")]
    [InlineData("url", "domain:example.com:8080", "a host alone")]
    [InlineData("url", "prefix:https://example.com/a?x=1", "cannot have a query")]
    [InlineData("payment", "btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "checksum does not match")]
    [InlineData("payment", "eth:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "EIP-55 checksum does not match")]
    [InlineData("payment", "hello", "Not recognised")]
    public void Invalid_values_are_rejected_with_the_reason_and_never_indexed(string name, string value, string reason)
    {
        var type = Registry.Get(name);
        Assert.False(type.TryCanonicalize(value, out var canonical, out var actual));
        Assert.Null(canonical);
        Assert.Contains(reason, actual, StringComparison.Ordinal);
        var e = Assert.Throws<FormatException>(() => type.CreateIndex().Add(1, value));
        Assert.Contains($"Invalid {name} value", e.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => type.Distance(value, type.Examples[0]));
    }

    // ---- text_tlsh ------------------------------------------------------------------------------------------------

    [Fact]
    public void Tlsh_distance_is_the_reference_distance_without_the_length_as_python_threatexchange()
    {
        var type = Registry.Get("text_tlsh");
        var anchor = File.ReadLines(TestData.PathOf("tlsh", "exp", "example_data.128.1.len.out_EXP")).Select(l => l.Split('\t')).ToDictionary(f => f[1], f => f[0]);
        foreach (var f in File.ReadLines(TestData.PathOf("tlsh", "exp", "example_data.128.1.xlen.scores_EXP")).Select(l => l.Split('\t')))
        {
            Assert.Equal(int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), type.Distance(anchor[f[0]], anchor[f[1]]));
        }
    }

    [Fact]
    public void Tlsh_index_over_the_reference_digests_equals_brute_force()
    {
        var type = Registry.Get("text_tlsh");
        var digests = File.ReadLines(TestData.PathOf("tlsh", "exp", "example_data.128.1.len.out_EXP")).Select(l => l.Split('\t')[0]).ToArray();
        var index = type.CreateIndex();
        for (int i = 0; i < digests.Length; i++)
        {
            index.Add(i, digests[i].ToLowerInvariant());
        }

        int matched = 0;
        foreach (int threshold in new[] { 0, 30, 100, 200, 400 })
        {
            foreach (string query in digests)
            {
                var expected = Enumerable.Range(0, digests.Length)
                    .Select(i => new IndexMatch(i, type.Distance(query, digests[i])))
                    .Where(m => m.Distance <= threshold).OrderBy(m => m.Id);
                var actual = index.Query(query, threshold).OrderBy(m => m.Id);
                Assert.Equal(expected, actual);
                matched += actual.Count();
            }
        }

        Assert.True(matched > 80 * 6, $"only {matched} matches: the thresholds do not exercise the index");
    }

    [Property(MaxTest = 60)]
    public Property Tlsh_index_equals_brute_force_with_adds_removes_and_replacements() =>
        Prop.ForAll(
            TlshWorld().ToArbitrary(),
            world =>
            {
                var type = Registry.Get("text_tlsh");
                var index = type.CreateIndex();
                var live = new Dictionary<long, string>();
                foreach (var (id, value, remove) in world.Operations)
                {
                    if (remove)
                    {
                        Assert.Equal(live.Remove(id), index.Remove(id));
                    }
                    else
                    {
                        index.Add(id, value);
                        live[id] = value;
                    }
                }

                Assert.Equal(live.Count, index.Count);
                foreach (string query in world.Queries)
                {
                    var expected = live.Select(kv => new IndexMatch(kv.Key, type.Distance(query, kv.Value)))
                        .Where(m => m.Distance <= world.Threshold).OrderBy(m => m.Id).ToList();
                    var actual = index.Query(query, world.Threshold).OrderBy(m => m.Id).ToList();
                    if (!expected.SequenceEqual(actual))
                    {
                        return false;
                    }
                }

                return true;
            });

    private sealed record TlshWorldData(List<(long Id, string Value, bool Remove)> Operations, List<string> Queries, int Threshold);

    /// <summary>Digests clustered around a few seeds (so that thresholds of tens find something), adds and removes.</summary>
    private static Gen<TlshWorldData> TlshWorld()
    {
        var seed = Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(TlshHash.ByteLength);
        return seed.ArrayOf(3).SelectMany(seeds =>
        {
            var near = Gen.Elements(seeds).SelectMany(s => Gen.Choose(0, 34).ArrayOf(4).SelectMany(positions => Gen.Choose(0, 255).ArrayOf(4).Select(values =>
            {
                var copy = (byte[])s.Clone();
                for (int k = 0; k < positions.Length; k++)
                {
                    // Mostly small changes: one bit of one body byte, or a step of a header nibble.
                    copy[positions[k]] ^= (byte)(1 << (values[k] % 8));
                }

                return TlshHash.FromBytes(copy).ToString();
            })));
            var operation = Gen.Choose(0, 30).SelectMany(id => near.SelectMany(v => Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true))).Select(r => ((long)id, v, r))));
            return operation.ListOf().SelectMany(ops => near.ListOf().SelectMany(queries => Gen.Elements(0, 1, 12, 30, 60, 150, 1000).Select(t => new TlshWorldData([.. ops], [.. queries], t))));
        });
    }

    // ---- url ----------------------------------------------------------------------------------------------------

    [Fact]
    public void Url_index_matches_exact_urls_domains_and_prefixes()
    {
        var type = Registry.Get("url");
        var index = type.CreateIndex();
        index.Add(1, "https://example.com/videos/attack.mp4");
        index.Add(2, "domain:example.org");
        index.Add(3, "prefix:https://example.net/channel/");
        index.Add(4, "prefix:https://example.net/user/abc");
        index.Add(5, "domain:203.0.113.7");
        index.Add(6, "prefix:http://example.net/");

        Assert.Equal([1L], Ids(index, "HTTPS://EXAMPLE.com/videos/attack.mp4?utm_campaign=x#t=10"));
        Assert.Empty(Ids(index, "https://example.com/videos/attack.mp4?v=2"));
        Assert.Equal([2L], Ids(index, "http://example.org:8080/anything"));
        Assert.Equal([2L], Ids(index, "https://cdn.media.example.org/x"));
        Assert.Empty(Ids(index, "https://notexample.org/x"));
        Assert.Empty(Ids(index, "https://example.org.evil.com/x"));
        Assert.Equal([3L], Ids(index, "https://example.net/channel/"));
        Assert.Equal([3L], Ids(index, "https://example.net/channel/video/1"));
        Assert.Empty(Ids(index, "https://example.net/channel"));
        Assert.Empty(Ids(index, "https://example.net:8443/channel/x"));
        Assert.Equal([4L], Ids(index, "https://example.net/user/abc"));
        Assert.Equal([4L], Ids(index, "https://example.net/user/abc/posts"));
        Assert.Empty(Ids(index, "https://example.net/user/abcdef"));
        Assert.Equal([5L], Ids(index, "http://0xcb.0.113.7/"));
        Assert.Equal([6L], Ids(index, "http://example.net/user/abc"));

        // A pattern as the query finds the equal pattern and the URLs it covers.
        index.Add(7, "https://www.example.org/a");
        Assert.Equal([2L, 7L], Ids(index, "domain:example.org"));
        Assert.Equal([7L], Ids(index, "prefix:https://www.example.org/"));
        Assert.Equal(0, type.Distance("domain:example.org", "https://www.example.org/a"));
        Assert.Equal(0, type.Distance("https://www.example.org/a", "domain:example.org"));
        Assert.Equal(1, type.Distance("domain:example.org", "domain:www.example.org"));

        Assert.True(index.Remove(2));
        Assert.Empty(Ids(index, "http://example.org/anything"));
        index.Add(3, "https://example.org/moved");
        Assert.Empty(Ids(index, "https://example.net/channel/video/1"));
        Assert.Equal([3L], Ids(index, "https://example.org/moved"));
        Assert.Equal(6, index.Count);
    }

    [Property(MaxTest = 150)]
    public Property Url_index_equals_brute_force() =>
        Prop.ForAll(
            UrlValue().Select(v => v).ListOf().SelectMany(stored => Gen.Choose(0, 1).ArrayOf(stored.Count).SelectMany(removals => UrlValue().ListOf().Select(queries => (stored, removals, queries)))).ToArbitrary(),
            t =>
            {
                var type = Registry.Get("url");
                var index = type.CreateIndex();
                var live = new Dictionary<long, string>();
                for (int i = 0; i < t.stored.Count; i++)
                {
                    long id = i % 7; // ids repeat: replacements
                    index.Add(id, t.stored[i]);
                    live[id] = t.stored[i];
                    if (t.removals[i] == 1 && i % 3 == 0)
                    {
                        index.Remove(id);
                        live.Remove(id);
                    }
                }

                foreach (string query in t.queries)
                {
                    var expected = live.Where(kv => type.Distance(query, kv.Value) == 0).Select(kv => kv.Key).Order().ToList();
                    var actual = index.Query(query, 0).Select(m => m.Id).Order().ToList();
                    Assert.True(
                        expected.SequenceEqual(actual) && index.Query(query, 0).All(m => m.Distance == 0),
                        $"query {query}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}] over {string.Join(" | ", live.Select(kv => $"{kv.Key}={type.Canonicalize(kv.Value)}"))}");
                }

                return index.Count == live.Count;
            });

    private static Gen<string> UrlValue()
    {
        var host = Gen.Elements("example.com", "a.example.com", "b.a.example.com", "example.org", "EXAMPLE.com.", "10.0.0.1", "[::1]");
        var path = Gen.Elements("a", "b", "a%2Fb", "..", ".").ArrayOf().Select(p => "/" + string.Join('/', p));
        var slash = Gen.Elements(string.Empty, "/");
        var scheme = Gen.Elements("http://", "https://");
        var port = Gen.Elements(string.Empty, string.Empty, ":8080", ":443");
        var url = scheme.SelectMany(s => host.SelectMany(h => port.SelectMany(p => path.SelectMany(pa => slash.Select(sl => s + h + p + pa + sl)))));
        return Gen.Frequency(
            (5, url),
            (2, host.Where(h => !h.StartsWith('[')).Select(h => "domain:" + h)),
            (2, url.Select(u => "prefix:" + u)));
    }

    // ---- payment ------------------------------------------------------------------------------------------------

    [Fact]
    public void Payment_index_matches_any_spelling_of_an_identifier()
    {
        var type = Registry.Get("payment");
        var index = type.CreateIndex();
        index.Add(1, "bitcoin:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4?amount=1");
        index.Add(2, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
        Assert.Equal([1L], Ids(index, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"));
        Assert.Equal([2L], Ids(index, "eth:0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"));
        Assert.Empty(Ids(index, "btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));
    }

    private static List<long> Ids(ISignalIndex<string> index, string query) =>
        [.. index.Query(query, 0).Select(m => m.Id).Order()];
}
