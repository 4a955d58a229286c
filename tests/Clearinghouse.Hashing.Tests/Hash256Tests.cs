using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clearinghouse.Hashing.Tests;

public sealed class Hash256Tests
{
    private static Arbitrary<Hash256> Hashes =>
        ArbMap.Default.GeneratorFor<ulong>().Four()
            .Select(w => new Hash256(w.Item1, w.Item2, w.Item3, w.Item4))
            .ToArbitrary();

    [Property]
    public Property Hex_form_round_trips() =>
        Prop.ForAll(Hashes, h => Hash256.Parse(h.ToString()) == h && h.ToString().Length == 64);

    [Property]
    public Property Parsing_accepts_upper_case_and_prints_lower_case() =>
        Prop.ForAll(Hashes, h => Hash256.Parse(h.ToString().ToUpperInvariant()) == h && !h.ToString().Any(char.IsUpper));

    [Property]
    public Property Utf8_parse_and_format_agree_with_text() =>
        Prop.ForAll(Hashes, h =>
        {
            var utf8 = new byte[64];
            Assert.True(h.TryFormat(utf8, out int written, default, null));
            return written == 64 && System.Text.Encoding.ASCII.GetString(utf8) == h.ToString() && Hash256.Parse(utf8.AsSpan()) == h;
        });

    [Property]
    public Property Bytes_round_trip_in_hex_order() =>
        Prop.ForAll(Hashes, h =>
        {
            var bytes = new byte[32];
            h.WriteBytes(bytes);
            return Hash256.ReadBytes(bytes) == h && Convert.ToHexStringLower(bytes) == h.ToString();
        });

    [Property]
    public Property Distance_is_a_metric_and_counts_differing_bits() =>
        Prop.ForAll(Hashes, Hashes, Hashes, (a, b, c) =>
        {
            int ab = Hash256.Distance(a, b);
            var naive = 0;
            for (int i = 0; i < 256; i++)
            {
                naive += a[i] != b[i] ? 1 : 0;
            }

            return ab == naive
                && ab == Hash256.Distance(b, a)
                && Hash256.Distance(a, a) == 0
                && Hash256.Distance(a, c) <= ab + Hash256.Distance(b, c);
        });

    [Property]
    public Property Flipping_k_distinct_bits_moves_the_hash_k_away() =>
        Prop.ForAll(Hashes, Gen.Choose(0, 255).ListOf().ToArbitrary(), (h, bits) =>
        {
            var distinct = bits.Distinct().ToList();
            var flipped = h;
            foreach (var bit in distinct)
            {
                flipped = flipped.FlipBit(bit);
            }

            return Hash256.Distance(h, flipped) == distinct.Count;
        });

    [Fact]
    public void Bit_k_is_bit_k_of_the_big_endian_integer_the_hex_spells()
    {
        // Bit 0 is the last hex digit's low bit; bit 255 the first digit's high bit.
        Assert.Equal(new string('0', 63) + "1", Hash256.Zero.FlipBit(0).ToString());
        Assert.Equal("8" + new string('0', 63), Hash256.Zero.FlipBit(255).ToString());
        Assert.Equal(new string('0', 47) + "1" + new string('0', 16), Hash256.Zero.FlipBit(64).ToString());
        var h = Hash256.Parse("000000000000000000000000000000000000000000000000000000000000000" + "2");
        Assert.True(h[1]);
        Assert.Equal(1, h.PopCount);
    }

    [Fact]
    public void All_ones_and_zero_are_256_apart()
    {
        Assert.Equal(256, Hash256.Distance(Hash256.Zero, Hash256.AllOnes));
        Assert.Equal(new string('f', 64), Hash256.AllOnes.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b2")]
    [InlineData("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b222")]
    [InlineData("g8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")]
    [InlineData(" d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b2")]
    [InlineData("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b2 ")]
    [InlineData("0xf8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")]
    [InlineData("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b2\n")]
    [InlineData("d8f8f0cee0f4a84f-637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")]
    public void Anything_but_exactly_64_hex_digits_is_rejected_with_a_reason(string text)
    {
        Assert.False(Hash256.TryParse(text, out _));
        Assert.False(Hash256.TryParse(System.Text.Encoding.UTF8.GetBytes(text), out _));
        var error = Assert.Throws<FormatException>(() => Hash256.Parse(text));
        Assert.Contains("64 hex digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_hex_failure_names_the_offending_character()
    {
        var error = Assert.Throws<FormatException>(() => Hash256.Parse("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9bz2"));
        Assert.Contains("character 63 ('z')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Distance_equals_popcount_of_xor_on_a_known_pair()
    {
        var a = Hash256.Parse("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22");
        var b = Hash256.Parse("d8f8f0cee0f4a84f0637022a038f67f0b36e2ed596631e1d33e6339c4e9c9b22");
        var x = BigInteger.Parse("0" + a.ToString(), System.Globalization.NumberStyles.HexNumber)
              ^ BigInteger.Parse("0" + b.ToString(), System.Globalization.NumberStyles.HexNumber);
        int expected = x.ToByteArray().Sum(v => BitOperations.PopCount(v));
        Assert.Equal(expected, Hash256.Distance(a, b));
        Assert.Equal(2, expected);
    }
}
