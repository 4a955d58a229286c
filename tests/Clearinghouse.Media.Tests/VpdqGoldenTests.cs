using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Tests;

namespace Clearinghouse.Media.Tests;

/// <summary>
/// FFmpeg decoding + vPDQ hashing against the reference's own output (<c>shared/testdata/vpdq</c>, never edited).
/// <c>debian12-ffmpeg5.1.9/</c> was made by the reference C++ against this machine's FFmpeg (Debian 12's 5.1), so
/// every line must be identical (docs/vpdq.md: 1,368 of 1,368). <c>sample-hashes/</c> come from another FFmpeg
/// build; there upstream's own tolerant line-by-line check must give 100 %.
/// </summary>
public sealed class VpdqGoldenTests
{
    public static TheoryData<string, int> SameFfmpeg()
    {
        var data = new TheoryData<string, int>();
        foreach (var video in VideoHashing.Videos)
        {
            data.Add(video, 0);
            data.Add(video, 128);
        }

        return data;
    }

    public static TheoryData<string, int> UpstreamSamples()
    {
        var data = new TheoryData<string, int>();
        foreach (var video in VideoHashing.Videos)
        {
            data.Add(video, 0);
            if (File.Exists(UpstreamPath(video, 128)))
            {
                data.Add(video, 128);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SameFfmpeg))]
    public void Every_line_is_identical_to_the_reference_built_against_the_same_ffmpeg(string video, int size)
    {
        string[] expected = File.ReadAllLines(TestData.PathOf("vpdq", "debian12-ffmpeg5.1.9", FileName(video, size)));
        var actual = VideoHashing.Hash(video, size).Select(f => VpdqReferenceText.FormatLine(f)).ToArray();

        int identical = expected.Zip(actual).Count(p => p.First == p.Second);
        Assert.True(expected.Length == actual.Length && identical == expected.Length, $"{video} -s {size}: {identical} of {expected.Length} lines identical ({actual.Length} hashed)");
    }

    [Fact]
    public void One_hash_per_second_gives_the_references_r1_lines()
    {
        string[] expected = File.ReadAllLines(TestData.PathOf("vpdq", "debian12-ffmpeg5.1.9", "doorknob-hd-no-bar-r1.txt"));
        var actual = VideoHashing.Hash("doorknob-hd-no-bar", 0, secondsPerHash: 1).Select(f => VpdqReferenceText.FormatLine(f));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void One_hash_per_second_is_every_30th_frame_of_the_every_frame_hashes()
    {
        var all = VideoHashing.Hash("pattern-sd-grey-bar", 0);
        var sampled = VideoHashing.HashFile(VideoHashing.VideoPath("pattern-sd-grey-bar"), 0, secondsPerHash: 1);

        Assert.Equal(all.Where(f => f.FrameNumber % 30 == 0), sampled);
    }

    [Theory]
    [MemberData(nameof(UpstreamSamples))]
    public void Upstream_samples_from_another_ffmpeg_pass_upstreams_tolerant_line_by_line_check(string video, int size)
    {
        Assert.True(VpdqReferenceText.TryParse(File.ReadAllText(UpstreamPath(video, size)), out var upstream, out string? reason), reason);
        var ours = VideoHashing.Hash(video, size);
        Assert.Equal(upstream.Count, ours.Count);

        // match-hashes-byline with tolerance 31 and quality 50: line i against line i.
        int compared = 0, matched = 0;
        for (int i = 0; i < ours.Count; i++)
        {
            Assert.Equal(upstream[i].FrameNumber, ours[i].FrameNumber);
            Assert.Equal(upstream[i].Timestamp, ours[i].Timestamp, 0.0005);
            if (upstream[i].Quality < 50 || ours[i].Quality < 50)
            {
                continue;
            }

            compared++;
            matched += Hash256.Distance(upstream[i].Hash, ours[i].Hash) < 31 ? 1 : 0;
        }

        Assert.True(compared > 0);
        Assert.Equal(compared, matched);
    }

    private static string FileName(string video, int size) => size == 0 ? video + ".txt" : $"{video}-{size}x{size}.txt";

    private static string UpstreamPath(string video, int size) => TestData.PathOf("vpdq", "sample-hashes", FileName(video, size));
}
