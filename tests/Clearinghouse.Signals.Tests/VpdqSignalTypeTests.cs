using Clearinghouse.Matching;
using Clearinghouse.Matching.Vpdq;
using TestData = Clearinghouse.Tests.TestData;

namespace Clearinghouse.Signals.Tests;

public sealed class VpdqSignalTypeTests
{
    private static readonly ISignalType Vpdq = SignalTypeRegistry.CreateDefault().Get("vpdq");

    private static string Reference(string file) => File.ReadAllText(TestData.PathOf("vpdq", "debian12-ffmpeg5.1.9", file));

    [Fact]
    public void Vpdq_is_a_video_type_whose_threshold_is_the_80_percent_rule()
    {
        Assert.Equal([ContentType.Video], Vpdq.ContentTypes);
        Assert.Equal(20, Vpdq.DefaultThreshold);
        Assert.False(Vpdq.IsExact);
    }

    [Fact]
    public void The_reference_text_canonicalises_to_python_threatexchanges_json()
    {
        string canonical = Vpdq.Canonicalize(Reference("doorknob-hd-no-bar-r1.txt"));

        // vpdq_to_json of the same frames, as CPython prints it.
        Assert.Equal(
            "[\"dadb999c25266273529cadac8dcb52c22324ad3bce99726c38668d93c799f06c,100,0.0\", "
            + "\"c8feb0fc73910f830fc6307cf039e7030fc61b9cf8717cf00fce00070003fffe,68,1.0\", "
            + "\"4de4be27bac5c7946af3ac061dea8798275e6abcd1428b8491e4c34ecb5362e8,0,2.0\", "
            + "\"54aa52aa555aaabaaa55ad55aad55555557a54aa55aa554aaaaa5555a955aa95,24,3.0\"]",
            canonical);
        Assert.Equal(canonical, Vpdq.Canonicalize(canonical));
        Assert.Equal(canonical, Vpdq.Canonicalize(canonical.ToUpperInvariant()));
        Assert.Equal(canonical, Vpdq.Canonicalize("[\n  " + canonical[1..^1].Replace(", ", ",\n  ", StringComparison.Ordinal) + "\n]"));
    }

    [Fact]
    public void Python_threatexchanges_example_value_is_canonical()
    {
        // VPDQSignal.get_examples(): the PDQ examples as frames of quality 100, timestamps 0.0, 1.0, …
        Assert.Equal(Vpdq.Examples[0], Vpdq.Canonicalize(Vpdq.Examples[0]));
        Assert.StartsWith("[\"f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95,100,0.0\", ", Vpdq.Examples[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "at least one frame")]
    [InlineData("[]", "at least one frame")]
    [InlineData("[\"nothex,100,0.0\"]", "frame 0:")]
    [InlineData("0,100,zz,0.000", "line 1:")]
    [InlineData("{\"0\": {\"quality\": 100}}", "expected 4 comma-separated fields")]
    public void Invalid_values_are_rejected_with_the_reason(string value, string reason)
    {
        Assert.False(Vpdq.TryCanonicalize(value, out var canonical, out var actual));
        Assert.Null(canonical);
        Assert.Contains(reason, actual, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => Vpdq.CreateIndex().Add(1, value));
    }

    [Fact]
    public void Distance_is_100_minus_the_query_match_percentage_rounded_up()
    {
        string everyFrame = Reference("doorknob-hd-no-bar.txt");
        string perSecond = Reference("doorknob-hd-no-bar-r1.txt");

        Assert.Equal(0, Vpdq.Distance(everyFrame, everyFrame));
        Assert.Equal(0, Vpdq.Distance(perSecond, everyFrame)); // both usable per-second frames are among every frame's
        Assert.Equal(89, Vpdq.Distance(everyFrame, perSecond)); // 7 of 60 usable distinct frames: 11.67 %
        Assert.Equal(12, Vpdq.Distance(everyFrame, Reference("doorknob-hd-no-bar-128x128.txt"))); // 88.33 %
        Assert.Equal(100, Vpdq.Distance(everyFrame, Reference("pattern-hd-no-bar.txt")));
    }

    [Fact]
    public void The_index_returns_the_videos_the_video_rule_matches()
    {
        var index = Vpdq.CreateIndex();
        string[] files = Directory.GetFiles(TestData.PathOf("vpdq", "debian12-ffmpeg5.1.9"), "*.txt").Order(StringComparer.Ordinal).ToArray();
        for (int i = 0; i < files.Length; i++)
        {
            index.Add(i, Vpdq.Canonicalize(File.ReadAllText(files[i])));
        }

        for (int q = 0; q < files.Length; q++)
        {
            string query = File.ReadAllText(files[q]);
            var expected = Enumerable.Range(0, files.Length)
                .Select(i => new IndexMatch(i, Vpdq.Distance(query, File.ReadAllText(files[i]))))
                .Where(m => m.Distance <= Vpdq.DefaultThreshold);
            Assert.Equal(expected, index.Query(query, Vpdq.DefaultThreshold).OrderBy(m => m.Id));
        }

        Assert.True(index.Remove(0));
        Assert.DoesNotContain(index.Query(File.ReadAllText(files[0]), 100), m => m.Id == 0);
    }

    [Fact]
    public void The_indexed_sides_percentage_is_configurable()
    {
        var strict = new VpdqSignalType(new VpdqMatchOptions { IndexMatchPercent = 50 }).CreateIndex();
        strict.Add(1, Reference("doorknob-hd-no-bar.txt"));

        // The per-second hashes match 100 % of themselves but only 11.67 % of the every-frame video.
        Assert.Empty(strict.Query(Reference("doorknob-hd-no-bar-r1.txt"), 20));
        var lenient = Vpdq.CreateIndex();
        lenient.Add(1, Reference("doorknob-hd-no-bar.txt"));
        Assert.Equal([new IndexMatch(1, 0)], lenient.Query(Reference("doorknob-hd-no-bar-r1.txt"), 20));
    }
}
