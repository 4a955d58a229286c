using System.Collections.Concurrent;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Media.Video;
using Clearinghouse.Tests;

namespace Clearinghouse.Media.Tests;

/// <summary>Decoder + vPDQ hasher over the sample videos, each (video, size, interval) hashed once per test run.</summary>
internal static class VideoHashing
{
    private static readonly ConcurrentDictionary<(string, int, double), Lazy<List<VpdqFeature>>> Cache = new();

    public static readonly string[] Videos = ["doorknob-hd-no-bar", "pattern-hd-no-bar", "pattern-sd-grey-bar", "test-padded-dimensions"];

    public static string VideoPath(string name) => TestData.PathOf("vpdq", "videos", name + ".mp4");

    public static List<VpdqFeature> Hash(string name, int size = 0, double secondsPerHash = 0) =>
        Cache.GetOrAdd((name, size, secondsPerHash), key => new Lazy<List<VpdqFeature>>(() => HashFile(VideoPath(key.Item1), key.Item2, key.Item3))).Value;

    public static List<VpdqFeature> HashFile(string path, int size = 0, double secondsPerHash = 0, VideoDecodeOptions? options = null)
    {
        using var reader = new VideoDecoder(options).Open(path);
        reader.Start(new VideoFrameRequest(size, VpdqHasher.FrameInterval(secondsPerHash, reader.FrameRate)));
        return new VpdqHasher(secondsPerHash).HashVideo(reader);
    }
}
