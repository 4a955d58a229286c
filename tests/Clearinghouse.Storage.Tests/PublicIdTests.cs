using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage.Tests;

public sealed class PublicIdTests
{
    [Fact]
    public void Signal_ids_are_sig_and_26_base32_characters_and_do_not_repeat()
    {
        string[] ids = PublicIds.NewSignalIds(20_000);
        Assert.All(ids, id => Assert.Matches("^sig_[a-z2-7]{26}$", id));
        Assert.All(ids, id => Assert.True(PublicIds.IsSignalId(id)));
        Assert.Equal(ids.Length, ids.Distinct().Count());

        // Every character of the alphabet turns up in every position: the bits are all used.
        for (int position = 4; position < 30; position++)
        {
            Assert.Equal(32, ids.Select(id => id[position]).Distinct().Count());
        }
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
