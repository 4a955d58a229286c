using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Clearinghouse.Cli.FileHashing;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Media.Video;

namespace Clearinghouse.Cli.Bench;

/// <summary>Options of <c>clearinghouse bench vpdq</c>.</summary>
internal sealed record VpdqBenchOptions(IReadOnlyList<string> Paths, int Repeat, bool Json, VideoDecodeOptions Decode);

/// <summary>
/// Times vPDQ on every frame of the given videos, at their own size and at 64x64 (the reference's figures: 4.8 ms
/// per frame native, 0.44 ms at 64 px, on an Apple M1 Pro). Each size runs twice per repeat: FFmpeg decoding alone
/// (frames read and dropped), then decoding and hashing, where the time spent inside the hasher is measured apart
/// (FFmpeg decodes in its own process meanwhile, so end-to-end is roughly the slower of the two, not their sum).
/// On a busy machine wall-clock times include waiting for a core; <c>cpu_ms_per_frame</c>, this process's CPU time
/// per frame in the end-to-end pass (hashing plus reading the pipe), does not.
/// </summary>
internal static class VpdqBenchmark
{
    private static readonly (string Name, int Size)[] Sizes = [("native", 0), ("s64", 64)];

    public static int Run(VpdqBenchOptions options, TextWriter stdout, TextWriter stderr)
    {
        if (InputWalker.FilesOrReport(options.Paths, stderr, "bench vpdq") is not { } files)
        {
            return ExitCodes.BadInput;
        }

        var decoder = new VideoDecoder(options.Decode);
        var results = new List<(string Name, Measurement M)>();
        foreach (var (name, size) in Sizes)
        {
            var total = default(Measurement);
            try
            {
                // One untimed pass warms the JIT and the page cache.
                for (int round = -1; round < options.Repeat; round++)
                {
                    foreach (string path in files)
                    {
                        var m = Measure(decoder, path, size);
                        if (round >= 0)
                        {
                            total += m;
                        }
                    }
                }
            }
            catch (VideoDecodeException ex)
            {
                stderr.WriteLine($"clearinghouse: bench vpdq: {ex.Message}");
                return ExitCodes.SomeInputsFailed;
            }

            results.Add((name, total));
        }

        if (options.Json)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteNumber("files", files.Count);
                w.WriteNumber("repeat", options.Repeat);
                w.WriteNumber("hash_threads", 1);
                foreach (var (name, m) in results)
                {
                    w.WriteStartObject(name);
                    w.WriteNumber("frames", m.Frames);
                    w.WriteNumber("seconds", Math.Round(m.EndToEnd, 6));
                    w.WriteNumber("frames_per_s", Math.Round(m.Frames / m.EndToEnd, 2));
                    w.WriteNumber("hash_s", Math.Round(m.Hash, 6));
                    w.WriteNumber("hash_frames_per_s", Math.Round(m.Frames / m.Hash, 2));
                    w.WriteNumber("hash_ms_per_frame", Math.Round(m.Hash * 1000 / m.Frames, 4));
                    w.WriteNumber("cpu_ms_per_frame", Math.Round(m.ProcessCpu * 1000 / m.Frames, 4));
                    w.WriteNumber("decode_only_s", Math.Round(m.DecodeOnly, 6));
                    w.WriteNumber("decode_only_frames_per_s", Math.Round(m.Frames / m.DecodeOnly, 2));
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
        else
        {
            var c = CultureInfo.InvariantCulture;
            foreach (var (name, m) in results)
            {
                stdout.WriteLine(string.Format(c, "{0,-6} {1} frames: {2:F1} frames/s end to end; hashing {3:F1} frames/s ({4:F3} ms each); FFmpeg decoding alone {5:F1} frames/s", name, m.Frames, m.Frames / m.EndToEnd, m.Frames / m.Hash, m.Hash * 1000 / m.Frames, m.Frames / m.DecodeOnly));
            }
        }

        return ExitCodes.Success;
    }

    private static Measurement Measure(VideoDecoder decoder, string path, int size)
    {
        long t0 = Stopwatch.GetTimestamp();
        using (var reader = decoder.Open(path))
        {
            reader.Start(new VideoFrameRequest(size));
            while (reader.TryReadFrame(out _, out _))
            {
            }
        }

        long t1 = Stopwatch.GetTimestamp();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        long hashTicks = 0;
        int frames = 0;
        using (var reader = decoder.Open(path))
        {
            reader.Start(new VideoFrameRequest(size));
            var hasher = new VpdqHasher();
            while (reader.TryReadFrame(out int number, out var pixels))
            {
                long h0 = Stopwatch.GetTimestamp();
                hasher.HashFrame(pixels, number, reader.FrameRate);
                hashTicks += Stopwatch.GetTimestamp() - h0;
                frames++;
            }
        }

        long t2 = Stopwatch.GetTimestamp();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        return new Measurement(frames, Seconds(t2 - t1), Seconds(hashTicks), Seconds(t1 - t0), cpu.TotalSeconds);
    }

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    /// <param name="ProcessCpu">CPU time of this process (hashing, pipe reading; FFmpeg is another process) in the end-to-end pass.</param>
    private readonly record struct Measurement(int Frames, double EndToEnd, double Hash, double DecodeOnly, double ProcessCpu)
    {
        public static Measurement operator +(Measurement a, Measurement b) =>
            new(a.Frames + b.Frames, a.EndToEnd + b.EndToEnd, a.Hash + b.Hash, a.DecodeOnly + b.DecodeOnly, a.ProcessCpu + b.ProcessCpu);
    }
}
