using System.Collections.Concurrent;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Media.Video;

namespace Clearinghouse.Cli.FileHashing;

/// <summary>The vPDQ part of a file's result: every hashed frame, and where the reference-format file went.</summary>
internal sealed record VpdqOutcome(IReadOnlyList<VpdqFeature> Frames, double FrameRate, int Width, int Height, string? ReferenceFile)
{
    /// <summary>The signal value (python-threatexchange's serialisation).</summary>
    public string Value => VpdqJson.Format(Frames);

    /// <summary>Distinct hashes of frames of quality ≥ 50: the frames that take part in matching.</summary>
    public int UsableFrames => Frames.Where(f => f.Quality >= VpdqFeature.MinimumUsefulQuality).Select(f => f.Hash).Distinct().Count();
}

/// <summary>How <c>clearinghouse hash</c> hashes videos (the reference's -r and -s, FFmpeg, limits, output folder).</summary>
internal sealed record VideoHashOptions(double SecondsPerHash, int Downscale, VideoDecodeOptions Decode, string? ReferenceOutputDirectory);

/// <summary>
/// Hashes one video file with vPDQ: FFmpeg decodes (<see cref="VideoDecoder"/>), <see cref="VpdqHasher"/> hashes
/// the selected frames. Optionally writes the reference's per-frame text file to a folder, under the input's base
/// name as <c>vpdq-hash-video -d</c> names it, atomically (a temporary file renamed into place). Thread-safe.
/// </summary>
internal sealed class VideoFileHasher
{
    private readonly VideoHashOptions _options;
    private readonly VideoDecoder _decoder;
    private readonly ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);

    public VideoFileHasher(VideoHashOptions options)
    {
        _options = options;
        _decoder = new VideoDecoder(options.Decode);
    }

    /// <exception cref="VideoDecodeException">The video cannot be decoded or hashed; the message says why.</exception>
    public VpdqOutcome Hash(string path)
    {
        string? output = null;
        if (_options.ReferenceOutputDirectory is { } directory)
        {
            // Checked first so that a clash costs no decoding.
            output = Path.Combine(directory, Path.GetFileNameWithoutExtension(path) + ".txt");
            string owner = _written.GetOrAdd(output, path);
            if (owner != path)
            {
                throw new VideoDecodeException($"its reference file {output} would overwrite the one of {owner} (same base name)");
            }
        }

        List<VpdqFeature> frames;
        double frameRate;
        int width, height;
        using (var reader = _decoder.Open(path))
        {
            var request = new VideoFrameRequest(_options.Downscale, VpdqHasher.FrameInterval(_options.SecondsPerHash, reader.FrameRate));
            reader.Start(request);
            (frameRate, width, height) = (reader.FrameRate, reader.FrameWidth, reader.FrameHeight);
            if (width < 5 || height < 5)
            {
                throw new VideoDecodeException($"frames of {width}x{height} are too small for vPDQ (at least 5x5)");
            }

            frames = new VpdqHasher(_options.SecondsPerHash).HashVideo(reader);
        }

        if (output is not null)
        {
            WriteAtomically(output, frames);
        }

        return new VpdqOutcome(frames, frameRate, width, height, output);
    }

    private static void WriteAtomically(string path, List<VpdqFeature> frames)
    {
        string temporary = path + $".{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
            {
                VpdqReferenceText.Write(writer, frames);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
