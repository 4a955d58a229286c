using Clearinghouse.Hashing.Urls;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.Hashing.Tests;

public sealed class UrlCanonicalizerTests
{
    [Theory]
    // Scheme and host case, default ports, empty path, fragments.
    [InlineData("HTTPS://Example.COM", "https://example.com/")]
    [InlineData("https://example.com/", "https://example.com/")]
    [InlineData("https://example.com:443/a", "https://example.com/a")]
    [InlineData("http://example.com:80/a", "http://example.com/a")]
    [InlineData("http://example.com:443/a", "http://example.com:443/a")]
    [InlineData("https://example.com:8443/a", "https://example.com:8443/a")]
    [InlineData("https://example.com:008443/a", "https://example.com:8443/a")]
    [InlineData("https://example.com:/a", "https://example.com/a")]
    [InlineData("https://example.com/a#section-2", "https://example.com/a")]
    [InlineData("https://example.com/a?#x", "https://example.com/a")]
    [InlineData("https://example.com/a#x?y=1", "https://example.com/a")]
    [InlineData("https://example.com/Path/To/Page", "https://example.com/Path/To/Page")]
    // Trailing dot of the host.
    [InlineData("https://example.com./a", "https://example.com/a")]
    [InlineData("https://WWW.Example.Com.:443", "https://www.example.com/")]
    // Userinfo is dropped.
    [InlineData("https://user:secret@example.com/a", "https://example.com/a")]
    [InlineData("https://a@b@example.com/", "https://example.com/")]
    [InlineData("https://@example.com/", "https://example.com/")]
    // Unicode hosts to Punycode; A-labels and U-labels agree; other full stops separate labels.
    [InlineData("https://bücher.example/", "https://xn--bcher-kva.example/")]
    [InlineData("https://BÜCHER.example/", "https://xn--bcher-kva.example/")]
    [InlineData("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/")]
    [InlineData("https://XN--BCHER-KVA.example/", "https://xn--bcher-kva.example/")]
    [InlineData("https://例え.テスト/", "https://xn--r8jz45g.xn--zckzah/")]
    [InlineData("https://例え。テスト/", "https://xn--r8jz45g.xn--zckzah/")]
    [InlineData("https://b%C3%BCcher.example/", "https://xn--bcher-kva.example/")]
    [InlineData("https://%65xample.com/", "https://example.com/")]
    [InlineData("https://my_host.example.com/", "https://my_host.example.com/")]
    // IPv4 in the forms browsers accept.
    [InlineData("http://127.0.0.1/", "http://127.0.0.1/")]
    [InlineData("http://2130706433/", "http://127.0.0.1/")]
    [InlineData("http://0x7f.1/", "http://127.0.0.1/")]
    [InlineData("http://0177.0.0.01/", "http://127.0.0.1/")]
    [InlineData("http://127.1/", "http://127.0.0.1/")]
    [InlineData("http://192.168.257/", "http://192.168.1.1/")]
    // IPv6 literals in RFC 5952 form.
    [InlineData("http://[2001:0DB8:0000:0000:0000:0000:0000:0001]/", "http://[2001:db8::1]/")]
    [InlineData("http://[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x")]
    [InlineData("http://[2001:db8::1]:80/x", "http://[2001:db8::1]/x")]
    [InlineData("http://[::FFFF:1.2.3.4]/", "http://[::ffff:1.2.3.4]/")]
    [InlineData("http://[::1]/", "http://[::1]/")]
    // Percent-encoding: unreserved decoded, others uppercase, %2F kept, raw specials encoded.
    [InlineData("https://example.com/%7euser/%61bc", "https://example.com/~user/abc")]
    [InlineData("https://example.com/a%2fb", "https://example.com/a%2Fb")]
    [InlineData("https://example.com/a%2Fb/../c", "https://example.com/c")]
    [InlineData("https://example.com/a%3a%c3%a9", "https://example.com/a%3A%C3%A9")]
    [InlineData("https://example.com/a b", "https://example.com/a%20b")]
    [InlineData("https://example.com/café", "https://example.com/caf%C3%A9")]
    [InlineData("https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9")]
    [InlineData("https://example.com/<x>\"{|}^`", "https://example.com/%3Cx%3E%22%7B%7C%7D%5E%60")]
    [InlineData("https://example.com/a:b@c!$&'()*+,;=", "https://example.com/a:b@c!$&'()*+,;=")]
    // Dot segments.
    [InlineData("https://example.com/a/b/../c/./d", "https://example.com/a/c/d")]
    [InlineData("https://example.com/../../a", "https://example.com/a")]
    [InlineData("https://example.com/a/..", "https://example.com/")]
    [InlineData("https://example.com/a/.", "https://example.com/a/")]
    [InlineData("https://example.com/a/%2e%2E/b", "https://example.com/b")]
    [InlineData("https://example.com/a/.../b", "https://example.com/a/.../b")]
    [InlineData("https://example.com//a//b", "https://example.com//a//b")]
    // Backslashes as slashes; tabs and line breaks ignored; surrounding spaces trimmed.
    [InlineData("https:\\\\example.com\\a\\b", "https://example.com/a/b")]
    [InlineData("  https://exa\tmple.com/a\n ", "https://example.com/a")]
    // Query: tracking removed, sorted (stable), empty pieces dropped, encoding normalised.
    [InlineData("https://example.com/?b=2&a=1", "https://example.com/?a=1&b=2")]
    [InlineData("https://example.com/?a=2&b=1&a=1", "https://example.com/?a=2&a=1&b=1")]
    [InlineData("https://example.com/?a=1&a=1", "https://example.com/?a=1&a=1")]
    [InlineData("https://example.com/?utm_source=x&id=5&UTM_Medium=y&fbclid=abc&gclid=1", "https://example.com/?id=5")]
    [InlineData("https://example.com/?utm_source=x", "https://example.com/")]
    [InlineData("https://example.com/?%75tm_source=x&v=1", "https://example.com/?v=1")]
    [InlineData("https://example.com/?&&a=1&&", "https://example.com/?a=1")]
    [InlineData("https://example.com/?q=a%2bb&r=%7e", "https://example.com/?q=a%2Bb&r=~")]
    [InlineData("https://example.com/?q=a%26b%3Dc", "https://example.com/?q=a%26b%3Dc")]
    [InlineData("https://example.com/?flag&a=", "https://example.com/?a=&flag")]
    [InlineData("https://example.com/?q=hello world", "https://example.com/?q=hello%20world")]
    [InlineData("https://example.com/?q=/path?x", "https://example.com/?q=/path?x")]
    public void Canonical_forms(string input, string expected)
    {
        Assert.True(UrlCanonicalizer.TryCanonicalize(input, out var url, out var reason), reason);
        Assert.Equal(expected, url.ToString());
        Assert.Equal(expected, UrlCanonicalizer.Canonicalize(expected));
    }

    [Theory]
    [InlineData("", "the URL is empty")]
    [InlineData("   ", "the URL is empty")]
    [InlineData("example.com/a", "no scheme")]
    [InlineData("//example.com/a", "no scheme")]
    [InlineData("ftp://example.com/a", "only http and https URLs are accepted; this one's scheme is 'ftp'")]
    [InlineData("javascript:alert(1)", "scheme is 'javascript'")]
    [InlineData("mailto:a@example.com", "scheme is 'mailto'")]
    [InlineData("https:example.com", "expected '//' and a host after 'https:'")]
    [InlineData("https://", "the URL has no host")]
    [InlineData("https:///a", "the URL has no host")]
    [InlineData("https://user@/a", "the URL has no host")]
    [InlineData("https://./a", "the URL has no host")]
    [InlineData("https://example.com:99999/", "the port '99999' is not a number from 0 to 65535")]
    [InlineData("https://example.com:8o/", "the port '8o' is not a number")]
    [InlineData("https://exa mple.com/", "the host contains ' '")]
    [InlineData("https://exa<mple.com/", "the host contains '<'")]
    [InlineData("https://a..b.com/", "empty label")]
    [InlineData("https://.example.com/", "empty label")]
    [InlineData("https://example.com/a%zzb", "invalid percent escape at character 22")]
    [InlineData("https://example.com/a%2", "invalid percent escape at character 22")]
    [InlineData("https://example.com/?q=%", "invalid percent escape at character 24")]
    [InlineData("https://exa%zzmple.com/", "invalid percent escape at character 12")]
    [InlineData("https://exa%FFmple.com/", "not valid UTF-8")]
    [InlineData("https://xn--zz.com/", "not a valid internationalised domain name label")]
    [InlineData("http://1.2.3.4.5/", "looks like an IPv4 address but is not one")]
    [InlineData("http://256.1.1.1/", "looks like an IPv4 address but is not one")]
    [InlineData("http://1.2.3.09/", "looks like an IPv4 address but is not one")]
    [InlineData("http://4294967296/", "looks like an IPv4 address but is not one")]
    [InlineData("http://[2001:db8::1/", "enclosed in '[' and ']'")]
    [InlineData("http://[2001:db8::g]/", "is not a valid IPv6 literal")]
    [InlineData("http://[1.2.3.4]/", "is not a valid IPv6 literal")]
    [InlineData("http://[fe80::1%25eth0]/", "zone identifier")]
    [InlineData("http://[::1]x/", "unexpected 'x' after the IPv6 literal")]
    [InlineData("https://example.com/\u0001", "control character (U+0001)")]
    public void Invalid_urls_are_rejected_with_the_reason(string input, string reason)
    {
        Assert.False(UrlCanonicalizer.TryCanonicalize(input, out var url, out var actual));
        Assert.Null(url);
        Assert.Contains(reason, actual, StringComparison.Ordinal);
        Assert.Contains(reason, Assert.Throws<FormatException>(() => UrlCanonicalizer.Canonicalize(input)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_labels_names_and_urls_are_refused()
    {
        Assert.Contains("DNS allows 63", Reason("https://" + new string('a', 64) + ".com/"));
        Assert.True(UrlCanonicalizer.TryCanonicalize("https://" + new string('a', 63) + ".com/", out _, out _));
        string longName = string.Join('.', Enumerable.Repeat(new string('a', 50), 6));
        Assert.Contains("DNS allows 253", Reason("https://" + longName + "/"));
        Assert.Contains("at most 16,384", Reason("https://example.com/" + new string('a', 17_000)));
    }

    [Fact]
    public void Parts_are_exposed_for_matching()
    {
        Assert.True(UrlCanonicalizer.TryCanonicalize("HTTPS://user@Sub.Example.com:8443/a/../b?z=1&y=2#f", out var url, out _));
        Assert.Equal("https", url.Scheme);
        Assert.Equal("sub.example.com", url.Host);
        Assert.Equal(HostKind.Name, url.HostKind);
        Assert.Equal(8443, url.Port);
        Assert.Equal("/b", url.Path);
        Assert.Equal("y=2&z=1", url.Query);
        Assert.Equal("https://sub.example.com:8443", url.Origin);
    }

    [Property(MaxTest = 1000)]
    public Property Canonicalisation_is_idempotent_and_total_on_random_urls() =>
        Prop.ForAll(
            RandomUrls().ToArbitrary(),
            input =>
            {
                // Never throws; a canonical form canonicalises to itself; a refusal has a reason.
                if (!UrlCanonicalizer.TryCanonicalize(input, out var url, out var reason))
                {
                    return !string.IsNullOrEmpty(reason);
                }

                string once = url.ToString();
                return UrlCanonicalizer.TryCanonicalize(once, out var again, out _) && again.ToString() == once && again == url;
            });

    private static Gen<string> RandomUrls()
    {
        var pieces = Gen.Elements(
            "http://", "https://", "HTTP://", "ftp://", "//", "user:pw@", "@", "example.com", "EXAMPLE.com", "bücher", "xn--bcher-kva",
            ".", "..", "/", "\\", ":", ":80", ":443", ":8080", "[::1]", "[2001:DB8::1]", "127.0.0.1", "0x7f.1", "%", "%2F", "%2f",
            "%41", "%e2%82%ac", "%zz", "?", "&", "=", "#", "a", "B", "~", " ", "é", "utm_source=x", "a=1", "b=2", "%2e%2e", "./", "../",
            "\t", "例", "。", "-", "_", "!", "'", "(", "*", "[", "]", "@x");
        return Gen.Elements("http://", "https://", "HTTPS://", string.Empty)
            .SelectMany(scheme => pieces.ArrayOf().Select(p => scheme + string.Concat(p)));
    }

    private static string Reason(string input)
    {
        Assert.False(UrlCanonicalizer.TryCanonicalize(input, out _, out var reason));
        return reason;
    }
}
