using Clearinghouse.Server.Import;
using Clearinghouse.Signals;

namespace Clearinghouse.Server.Tests;

public sealed class ImportParserTests
{
    private static readonly SignalImportParser Parser = new(SignalTypeRegistry.CreateDefault());

    public static TheoryData<ImportFormat, string> Files => new()
    {
        {
            ImportFormat.LocalFile,
            "# a comment\npdq d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22\nmd5 D35C785545392755E7E4164457657269\n"
            + "pdq nothex\nnope abc\nonlyonefield\nmd5 d35c785545392755e7e4164457657269\n\nurl https://Example.com/a?b=1\n"
        },
        {
            ImportFormat.Csv,
            "signal_type,value,designation\npdq,d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22,un:QDe.115\n"
            + "md5,d35c785545392755e7e4164457657269,bad designation\nmd5,d35c785545392755e7e4164457657269,\nmd5,D35C785545392755E7E4164457657269,\n"
        },
        {
            ImportFormat.JsonLines,
            "{\"signal_type\":\"md5\",\"value\":\"d35c785545392755e7e4164457657269\"}\n{\"signal_type\":\"md5\"}\n[1]\n"
            + "{\"signal_type\":\"md5\",\"value\":\"D35C785545392755E7E4164457657269\",\"metadata\":{\"a\":1}}\n{\"signal_type\":\"sha256\",\"value\":\"" + new string('a', 64) + "\",\"metadata\":[1]}\n"
        },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Streaming_a_file_hands_over_the_same_signals_and_refuses_the_same_lines_as_parsing_it_whole(ImportFormat format, string text)
    {
        ParsedImport whole = Parser.Parse(format, new StringReader(text), null, null);
        var streamed = new List<ParsedSignal>();
        ParsedImport scan = Parser.Scan(format, new StringReader(text), null, null, streamed.Add);

        Assert.Equal(whole.Signals, streamed);
        Assert.Empty(scan.Signals);
        Assert.Equal(whole.Rejections, scan.Rejections);
        Assert.Equal(whole.Lines, scan.Lines);
        Assert.NotEmpty(whole.Signals);
        Assert.NotEmpty(whole.Rejections);
    }

    [Fact]
    public void A_value_repeated_in_another_spelling_is_refused_with_the_line_it_first_appeared_on()
    {
        var streamed = new List<ParsedSignal>();
        ParsedImport scan = Parser.Scan(
            ImportFormat.LocalFile,
            new StringReader("md5 d35c785545392755e7e4164457657269\nsha256 " + new string('d', 64) + "\nmd5 D35C785545392755E7E4164457657269\n"),
            null,
            null,
            streamed.Add);

        Assert.Equal([1, 2], streamed.Select(s => s.Line));
        var duplicate = Assert.Single(scan.Rejections);
        Assert.Equal((3, RejectionCodes.DuplicateInImport), (duplicate.Line, duplicate.Code));
        Assert.Contains("line 1", duplicate.Reason, StringComparison.Ordinal);
    }
}
