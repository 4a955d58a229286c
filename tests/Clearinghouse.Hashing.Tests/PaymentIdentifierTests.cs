using System.Security.Cryptography;
using System.Text;
using Clearinghouse.Hashing.Payments;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.Hashing.Tests;

public sealed class PaymentIdentifierTests
{
    // ---- Keccak-256 ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    public void Keccak256_gives_the_known_digests(string text, string expected) =>
        Assert.Equal(expected, Convert.ToHexStringLower(Keccak256.Hash(Encoding.ASCII.GetBytes(text))));

    [Property(MaxTest = 200)]
    public Property The_sponge_with_sha3_padding_equals_the_platform_sha3_256() =>
        Prop.ForAll(
            Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().ToArbitrary(),
            data =>
            {
                if (!SHA3_256.IsSupported)
                {
                    return true;
                }

                var ours = new byte[32];
                Keccak256.Sponge(data, ours, 0x06);
                return ours.AsSpan().SequenceEqual(SHA3_256.HashData(data));
            });

    [Fact]
    public void Sha3_256_is_available_here_so_the_sponge_property_is_checked() => Assert.True(SHA3_256.IsSupported);

    // ---- Bech32 / Bech32m string vectors (BIP-173, BIP-350) ----------------------------------------------------------

    [Theory]
    [InlineData("A12UEL5L", Bech32Variant.Bech32)]
    [InlineData("a12uel5l", Bech32Variant.Bech32)]
    [InlineData("an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs", Bech32Variant.Bech32)]
    [InlineData("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", Bech32Variant.Bech32)]
    [InlineData("11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j", Bech32Variant.Bech32)]
    [InlineData("split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", Bech32Variant.Bech32)]
    [InlineData("?1ezyfcl", Bech32Variant.Bech32)]
    [InlineData("A1LQFN3A", Bech32Variant.Bech32m)]
    [InlineData("a1lqfn3a", Bech32Variant.Bech32m)]
    [InlineData("an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6", Bech32Variant.Bech32m)]
    [InlineData("abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx", Bech32Variant.Bech32m)]
    [InlineData("11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8", Bech32Variant.Bech32m)]
    [InlineData("split1checkupstagehandshakeupstreamerranterredcaperredlc445v", Bech32Variant.Bech32m)]
    [InlineData("?1v759aa", Bech32Variant.Bech32m)]
    public void Valid_bech32_strings_decode_with_their_variant(string text, Bech32Variant variant)
    {
        Assert.True(Bech32.TryDecode(text, out var decoded, out var reason), reason);
        Assert.Equal(variant, decoded.Variant);
    }

    [Theory]
    [InlineData("\u00201nwldj5", "outside printable US-ASCII")]
    [InlineData("\u007F1axkwrx", "outside printable US-ASCII")]
    [InlineData("\u00801eym55h", "outside printable US-ASCII")]
    [InlineData("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", "at most 90")]
    [InlineData("pzry9x0s0muk", "no '1'")]
    [InlineData("1pzry9x0s0muk", "human-readable part (before the last '1') is empty")]
    [InlineData("x1b4n0q5v", "not a Bech32 data character")]
    [InlineData("li1dgmt3", "shorter than the 6-character checksum")]
    [InlineData("de1lg7wt\u00FF", "outside printable US-ASCII")]
    [InlineData("A1G7SGD8", "checksum does not match")]
    [InlineData("10a06t8", "is empty")]
    [InlineData("1qzzfhee", "is empty")]
    [InlineData("\u00201xj0phk", "outside printable US-ASCII")]
    [InlineData("\u007F1g6xzxy", "outside printable US-ASCII")]
    [InlineData("\u00801vctc34", "outside printable US-ASCII")]
    [InlineData("an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4", "at most 90")]
    [InlineData("qyrz8wqd2c9m", "no '1'")]
    [InlineData("1qyrz8wqd2c9m", "is empty")]
    [InlineData("y1b0jsk6g", "not a Bech32 data character")]
    [InlineData("lt1igcx5c0", "not a Bech32 data character")]
    [InlineData("in1muywd", "shorter than the 6-character checksum")]
    [InlineData("mm1crxm3i", "not a Bech32 data character")]
    [InlineData("au1s5cgom", "not a Bech32 data character")]
    [InlineData("M1VUXWEZ", "checksum does not match")]
    [InlineData("16plkw9", "is empty")]
    [InlineData("1p2gdwpf", "is empty")]
    public void Invalid_bech32_strings_are_rejected_with_the_reason(string text, string reason)
    {
        Assert.False(Bech32.TryDecode(text, out _, out var actual));
        Assert.Contains(reason, actual, StringComparison.Ordinal);
    }

    // ---- SegWit addresses (BIP-350's list, which supersedes BIP-173's for v1+) ----------------------------------------

    [Theory]
    [InlineData("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6")]
    [InlineData("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262")]
    [InlineData("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6")]
    [InlineData("BC1SW50QGDZ25J", "6002751e")]
    [InlineData("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323")]
    [InlineData("tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433")]
    [InlineData("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433")]
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")]
    public void Valid_segwit_addresses_decode_to_their_script_and_canonicalise_to_lower_case(string address, string scriptPubKey)
    {
        string hrp = address[..2].ToLowerInvariant();
        Assert.True(Bech32.TryDecodeSegwit(address, hrp, out int version, out var program, out var reason), reason);
        byte op = (byte)(version == 0 ? 0 : 0x50 + version);
        Assert.Equal(scriptPubKey, Convert.ToHexStringLower([op, (byte)program.Length, .. program]));
        var id = PaymentIdentifier.Parse(address);
        Assert.Equal("btc:" + address.ToLowerInvariant(), id.ToString());
        Assert.Equal(id, PaymentIdentifier.Parse("btc:" + address.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", "human-readable part is 'tc'")]
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "witness version 1 must use the Bech32m checksum; this address uses Bech32")]
    [InlineData("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", "witness version 2 must use the Bech32m checksum")]
    [InlineData("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "witness version 16 must use the Bech32m checksum")]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "witness version 0 must use the Bech32 checksum; this address uses Bech32m")]
    [InlineData("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", "witness version 0 must use the Bech32 checksum")]
    [InlineData("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "not a Bech32 data character")]
    [InlineData("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "witness version 17 does not exist")]
    [InlineData("bc1pw5dgrnzv", "witness program is 1 bytes")]
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", "witness program is 41 bytes")]
    [InlineData("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "version 0 witness program is 20 or 32 bytes")]
    [InlineData("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "mixes upper and lower case")]
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "bits of padding")]
    [InlineData("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", "padding bits at the end of the data are not zero")]
    [InlineData("bc1gmk9yu", "data section is empty")]
    // BIP-173's own invalid list.
    [InlineData("tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", "human-readable part is 'tc'")]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "checksum does not match")]
    [InlineData("bc1rw5uspcuh", "witness program is 1 bytes")]
    [InlineData("bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "bits of padding")]
    [InlineData("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", "padding bits at the end of the data are not zero")]
    public void Invalid_segwit_addresses_are_rejected_with_the_reason(string address, string reason)
    {
        string hrp = address.StartsWith("tb", StringComparison.OrdinalIgnoreCase) ? "tb" : "bc";
        Assert.False(Bech32.TryDecodeSegwit(address, hrp, out _, out _, out var actual));
        Assert.Contains(reason, actual, StringComparison.Ordinal);
        if (address.StartsWith(hrp, StringComparison.OrdinalIgnoreCase))
        {
            Assert.False(PaymentIdentifier.TryParse("btc:" + address, out _, out var viaType));
            Assert.Contains(reason, viaType, StringComparison.Ordinal);
        }
    }

    // ---- Base58Check ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")]
    [InlineData("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")]
    public void Known_base58_addresses_are_valid_and_kept_as_written(string address)
    {
        Assert.Equal("btc:" + address, PaymentIdentifier.Parse(address).ToString());
        Assert.Equal("btc:" + address, PaymentIdentifier.Parse("bitcoin:" + address + "?amount=0.1&label=x").ToString());
        Assert.Equal("btc:" + address, PaymentIdentifier.Parse(" BTC:" + address + " ").ToString());
    }

    [Property(MaxTest = 300)]
    public Property Base58check_addresses_of_each_version_are_accepted_and_any_one_character_change_is_caught() =>
        Prop.ForAll(
            Gen.Elements((byte)0x00, (byte)0x05, (byte)0x6F, (byte)0xC4)
                .SelectMany(v => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(20).Select(h => (v, h)))
                .SelectMany(t => Gen.Choose(0, 1000).Select(pos => (t.v, t.h, pos)))
                .ToArbitrary(),
            t =>
            {
                string address = EncodeBase58Check([t.v, .. t.h]);
                bool valid = PaymentIdentifier.TryParse("btc:" + address, out var id, out _) && id.Identifier == address;
                int i = t.pos % address.Length;
                char replacement = Base58Alphabet[(Base58Alphabet.IndexOf(address[i], StringComparison.Ordinal) + 1 + (t.pos % 57)) % 58];
                string altered = address[..i] + replacement + address[(i + 1)..];
                return valid && !PaymentIdentifier.TryParse("btc:" + altered, out _, out _);
            });

    [Theory]
    [InlineData("btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "Base58Check checksum does not match")]
    [InlineData("btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a", "character 33 ('0') is not in the Base58 alphabet")]
    [InlineData("btc:1111", "too few for a payload")]
    public void Invalid_base58_addresses_are_rejected_with_the_reason(string value, string reason)
    {
        Assert.False(PaymentIdentifier.TryParse(value, out _, out var actual));
        Assert.Contains(reason, actual, StringComparison.Ordinal);
    }

    [Fact]
    public void Base58_addresses_of_other_versions_are_not_bitcoin()
    {
        Assert.Contains("version byte 0x30", Reason("btc:" + EncodeBase58Check([0x30, .. new byte[20]])));
        Assert.Contains("payload is 22 bytes", Reason("btc:" + EncodeBase58Check([0x00, .. new byte[21]])));
    }

    // ---- Ethereum (EIP-55) ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("0x8617E340B3D01FA5F11F306F4090FD50E238070D")]
    [InlineData("0xde709f2102306220921060314715629080e2fb77")]
    [InlineData("0x27b1fdb04752bbc536007a920d24acb045561c26")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Eip55_examples_are_valid_and_canonically_lower_case(string address)
    {
        var id = PaymentIdentifier.Parse(address);
        Assert.Equal("eth:" + address.ToLowerInvariant(), id.ToString());
        Assert.Equal(id, PaymentIdentifier.Parse("ethereum:" + address + "@1?value=1e18"));
        Assert.Equal(id, PaymentIdentifier.Parse("ETH:" + address.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)));
        if (address.Any(char.IsAsciiLetterLower) && address[2..].Any(char.IsAsciiLetterUpper))
        {
            Assert.Equal(address[2..], EthereumScheme.ChecksumCase(address[2..].ToLowerInvariant()));
        }
    }

    [Theory]
    [InlineData("eth:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "EIP-55 checksum does not match")]
    [InlineData("eth:0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "EIP-55 checksum does not match")]
    [InlineData("eth:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "got 41 characters")]
    [InlineData("eth:5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00", "0x and 40 hex digits")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", "character 42 ('g') is not a hex digit")]
    public void Invalid_ethereum_addresses_are_rejected_with_the_reason(string value, string reason) =>
        Assert.Contains(reason, Reason(value), StringComparison.Ordinal);

    // ---- TRON, Monero, IBAN, handles, generic --------------------------------------------------------------------

    [Fact]
    public void Tron_and_monero_addresses_are_checked()
    {
        Assert.Equal("trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", PaymentIdentifier.Parse("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").ToString());
        Assert.Contains("checksum does not match", Reason("trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"), StringComparison.Ordinal);
        Assert.Contains("version byte 0x41", Reason("trx:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"), StringComparison.Ordinal);

        const string monero = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
        Assert.Equal("xmr:" + monero, PaymentIdentifier.Parse(monero).ToString());
        Assert.Equal("xmr:" + monero, PaymentIdentifier.Parse("monero:" + monero + "?tx_amount=1").ToString());
        Assert.Contains("Monero checksum does not match", Reason("xmr:" + monero[..^1] + "B"), StringComparison.Ordinal);
        Assert.Contains("95 characters", Reason("xmr:" + monero[..^1]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("iban:GB82 WEST 1234 5698 7654 32", "iban:GB82WEST12345698765432")]
    [InlineData("iban:de89370400440532013000", "iban:DE89370400440532013000")]
    [InlineData("paypal:@Some.Handle", "paypal:some.handle")]
    [InlineData("CashApp:$Donate_Now", "cashapp:donate_now")]
    [InlineData("cash.app:$x1", "cashapp:x1")]
    [InlineData("ko-fi:SomeOne", "kofi:someone")]
    [InlineData("LTC:LbTjMGN7gELw4KbeyQf6cTCq859hD18guE", "ltc:LbTjMGN7gELw4KbeyQf6cTCq859hD18guE")]
    [InlineData("wise:P12345-ABC", "wise:P12345-ABC")]
    public void Other_schemes_are_normalised(string value, string canonical) =>
        Assert.Equal(canonical, PaymentIdentifier.Parse(value).ToString());

    [Theory]
    [InlineData("iban:GB82 WEST 1234 5698 7654 33", "IBAN check digits do not match")]
    [InlineData("iban:GB82", "15 to 34")]
    [InlineData("iban:1282WEST12345698765432", "two-letter country code")]
    [InlineData("paypal:some handle", "' ' is not allowed")]
    [InlineData("paypal:@", "1 to 64 characters")]
    [InlineData("wise:has space", "whitespace")]
    [InlineData("btc:", "identifier after ':' is empty")]
    [InlineData("", "the value is empty")]
    [InlineData("https://paypal.me/x", "use the url signal type")]
    [InlineData("hello", "not recognised as a Bitcoin, Ethereum, TRON or Monero address")]
    public void Invalid_identifiers_are_rejected_with_the_reason(string value, string reason) =>
        Assert.Contains(reason, Reason(value), StringComparison.Ordinal);

    [Property(MaxTest = 1000)]
    public Property Parsing_is_total_and_canonical_forms_are_fixed_points() =>
        Prop.ForAll(
            Gen.Elements("btc:", "eth:", "trx:", "xmr:", "iban:", "paypal:", "x:", "bitcoin:", "ethereum:", "", "0x", "bc1", "tb1", "1", "3", "T")
                .SelectMany(p => Gen.Elements("qpzry9x8gf2tvdw0s3jn54khce6mua7l0123456789abcdefABCDEF?@/: $".ToCharArray()).ArrayOf().Select(c => p + new string(c)))
                .ToArbitrary(),
            value =>
            {
                if (!PaymentIdentifier.TryParse(value, out var id, out var reason))
                {
                    return !string.IsNullOrEmpty(reason);
                }

                return PaymentIdentifier.TryParse(id.ToString(), out var again, out _) && again == id;
            });

    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static string Reason(string value)
    {
        Assert.False(PaymentIdentifier.TryParse(value, out _, out var reason));
        return reason;
    }

    /// <summary>A plain Base58Check encoder (the production code only decodes).</summary>
    private static string EncodeBase58Check(byte[] payload)
    {
        byte[] data = [.. payload, .. SHA256.HashData(SHA256.HashData(payload))[..4]];
        var number = new System.Numerics.BigInteger(data, isUnsigned: true, isBigEndian: true);
        var text = new StringBuilder();
        while (number > 0)
        {
            text.Insert(0, Base58Alphabet[(int)(number % 58)]);
            number /= 58;
        }

        foreach (byte b in data)
        {
            if (b != 0)
            {
                break;
            }

            text.Insert(0, '1');
        }

        return text.ToString();
    }
}
