using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Clearinghouse.Cli.FileHashing;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Hashing.Pdq.Reference;
using Clearinghouse.Media;
using Clearinghouse.Media.Images;

namespace Clearinghouse.Cli.Bench;

/// <summary>Options of <c>clearinghouse bench hash</c>.</summary>
internal sealed record HashBenchOptions(IReadOnlyList<string> Paths, int Repeat, bool Json, bool Baseline, ImageDecodeOptions Decode);

/// <summary>
/// Times PDQ hashing end to end (read, decode, hash) on one thread, split by stage, and — as the same-run
/// baseline — the plain scalar transcription of the reference algorithm on the same decoded pixels.
/// </summary>
internal static class HashBenchmark
{
    public static int Run(HashBenchOptions options, TextWriter stdout, TextWriter stderr)
    {
        if (InputWalker.FilesOrReport(options.Paths, stderr, "bench hash") is not { } files)
        {
            return ExitCodes.BadInput;
        }

        var decoder = new ImageDecoder(options.Decode);
        var hasher = new PdqHasher();
        long readTicks = 0, decodeTicks = 0, hashTicks = 0, baselineTicks = 0;
        int images = 0, failed = 0, baselineMismatches = 0;

        // One untimed pass warms the JIT, the decoders and the page cache.
        for (int round = -1; round < options.Repeat; round++)
        {
            foreach (var path in files)
            {
                long t0 = Stopwatch.GetTimestamp();
                RentedFile file;
                try
                {
                    file = RentedFile.Read(path, options.Decode.MaxBytes);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ImageDecodeException)
                {
                    failed += round < 0 ? 1 : 0;
                    stderr.WriteLine($"clearinghouse: {path}: {ex.Message}");
                    continue;
                }

                try
                {
                    long t1 = Stopwatch.GetTimestamp();
                    using var image = decoder.Decode(file.Buffer, file.Length);
                    long t2 = Stopwatch.GetTimestamp();
                    var hash = hasher.Hash(image.Pixels);
                    long t3 = Stopwatch.GetTimestamp();
                    if (round >= 0)
                    {
                        readTicks += t1 - t0;
                        decodeTicks += t2 - t1;
                        hashTicks += t3 - t2;
                        images++;
                        if (options.Baseline)
                        {
                            long b0 = Stopwatch.GetTimestamp();
                            var reference = ScalarReferencePdq.Hash(image.Pixels);
                            baselineTicks += Stopwatch.GetTimestamp() - b0;
                            baselineMismatches += reference == hash ? 0 : 1;
                        }
                    }
                }
                catch (ImageDecodeException ex)
                {
                    if (round < 0)
                    {
                        failed++;
                        stderr.WriteLine($"clearinghouse: {path}: {ex.Message}");
                    }
                }
                finally
                {
                    file.Dispose();
                }
            }
        }

        double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
        double read = Seconds(readTicks), decode = Seconds(decodeTicks), hashing = Seconds(hashTicks), baseline = Seconds(baselineTicks);
        double total = read + decode + hashing;
        if (options.Json)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteNumber("images", images);
                w.WriteNumber("files", files.Count);
                w.WriteNumber("failed", failed);
                w.WriteNumber("repeat", options.Repeat);
                w.WriteNumber("threads", 1);
                w.WriteNumber("seconds", Math.Round(total, 6));
                w.WriteNumber("images_per_s", Math.Round(images / total, 2));
                w.WriteNumber("read_s", Math.Round(read, 6));
                w.WriteNumber("decode_s", Math.Round(decode, 6));
                w.WriteNumber("hash_s", Math.Round(hashing, 6));
                w.WriteNumber("hash_images_per_s", Math.Round(images / hashing, 2));
                w.WriteNumber("hash_ms_per_image", Math.Round(hashing * 1000 / images, 4));
                if (options.Baseline)
                {
                    w.WriteNumber("baseline_hash_s", Math.Round(baseline, 6));
                    w.WriteNumber("baseline_hash_images_per_s", Math.Round(images / baseline, 2));
                    w.WriteNumber("hash_speedup_vs_baseline", Math.Round(baseline / hashing, 2));
                    w.WriteNumber("baseline_mismatches", baselineMismatches);
                }

                w.WriteEndObject();
            }

            stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
        else
        {
            var c = CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Format(c, "{0} images ({1} files x {2}) in {3:F3} s: {4:F1} images/s end to end", images, files.Count, options.Repeat, total, images / total));
            stdout.WriteLine(string.Format(c, "  read   {0,8:F3} s", read));
            stdout.WriteLine(string.Format(c, "  decode {0,8:F3} s", decode));
            stdout.WriteLine(string.Format(c, "  hash   {0,8:F3} s  ({1:F1} images/s, {2:F3} ms each, from pixels)", hashing, images / hashing, hashing * 1000 / images));
            if (options.Baseline)
            {
                stdout.WriteLine(string.Format(c, "  scalar reference port {0:F3} s ({1:F1} images/s): ours is {2:F2}x faster; {3} mismatches", baseline, images / baseline, baseline / hashing, baselineMismatches));
            }
        }

        return baselineMismatches > 0 ? ExitCodes.InternalError : failed > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Success;
    }
}
