using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage.Tests;

public sealed class PublicIdTests
{
    private const long CreatedAt = 1_795_000_000_000; // 2026-11-19, in milliseconds since the Unix epoch

    [Fact]
    public void Signal_ids_are_sig_and_26_base32_characters_and_do_not_repeat()
    {
        string[] ids = PublicIds.NewSignalIds(20_000, CreatedAt);
        Assert.All(ids, id => Assert.Matches("^sig_[a-z2-7]{26}$", id));
        Assert.All(ids, id => Assert.True(PublicIds.IsSignalId(id)));
        Assert.Equal(ids.Length, ids.Distinct().Count());

        // The 48-bit time fills the first 9.6 characters; every character of the alphabet turns up in every
        // position after that: all 82 random bits are used.
        for (int position = 4 + 10; position < 30; position++)
        {
            Assert.Equal(32, ids.Select(id => id[position]).Distinct().Count());
        }
    }

    [Fact]
    public void Ids_created_later_sort_after_earlier_ones_and_a_batch_is_not_in_order()
    {
        string[] earlier = PublicIds.NewSignalIds(1000, CreatedAt);
        string[] later = PublicIds.NewSignalIds(1000, CreatedAt + 1);
        string latestEarlier = earlier.Max(StringComparer.Ordinal)!;
        Assert.All(later, id => Assert.True(string.CompareOrdinal(id, latestEarlier) > 0));

        // Within a batch the order is the generator's: it must not leak the rows' order (their values' order).
        Assert.NotEqual(earlier.Order(StringComparer.Ordinal), earlier);
        Assert.Single(earlier.Select(id => id[..13]).Distinct());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sig_")]
    [InlineData("sig_aaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("sig_aaaaaaaaaaaaaaaaaaaaaaaaa1")]
    [InlineData("sig_AAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("abc_aaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Malformed_ids_are_not_signal_ids(string? text) => Assert.False(PublicIds.IsSignalId(text));
}
