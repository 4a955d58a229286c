using System.CommandLine;
using System.Globalization;
using Clearinghouse.Cli.FileHashing;
using Clearinghouse.Media.Video;

namespace Clearinghouse.Cli.Commands;

/// <summary>The video (vPDQ) options of <c>clearinghouse hash</c> and <c>bench vpdq</c>.</summary>
internal sealed class VideoHashCommandOptions
{
    /// <summary>python-threatexchange's and HMA's default: one hash per second.</summary>
    public const double DefaultSecondsPerHash = 1;

    public static VideoHashOptions Defaults { get; } = new(DefaultSecondsPerHash, 0, VideoDecodeOptions.Default, null);

    public Option<float> SecondsPerHash { get; } = new("--seconds-per-hash")
    {
        Description = "vPDQ: seconds between hashed frames, 0 for every frame (the reference's -r; default 1, as python-threatexchange and HMA hash)",
        DefaultValueFactory = _ => (float)DefaultSecondsPerHash,
        Validators = { r => Check(r, r.GetValueOrDefault<float>() is >= 0 and < 1e6f, "--seconds-per-hash must be a number of seconds from 0 (every frame) to 1000000") },
    };

    public Option<int> Downscale { get; } = new("--downscale")
    {
        Description = "vPDQ: scale frames to SxS pixels before hashing (the reference's -s; default 0 = the video's own size)",
        DefaultValueFactory = _ => 0,
        Validators = { r => Check(r, r.GetValueOrDefault<int>() is 0 or (>= 5 and <= 16384), "--downscale must be 0 (no scaling) or a size from 5 to 16384") },
    };

    public Option<string?> ReferenceOutput { get; } = new("--vpdq-out")
    {
        Description = "vPDQ: also write each video's frames in the reference's text format (frameNumber,quality,hash,timestamp) to DIR/<name>.txt",
    };

    public Option<string> Ffmpeg { get; } = new("--ffmpeg")
    {
        Description = "vPDQ: the ffmpeg program (ffprobe is taken from beside it)",
        DefaultValueFactory = _ => "ffmpeg",
    };

    public Option<double> MaxDuration { get; } = new("--max-duration")
    {
        Description = "vPDQ: refuse videos longer than this many seconds (default 6 hours)",
        DefaultValueFactory = _ => VideoDecodeOptions.Default.MaxDuration.TotalSeconds,
        Validators = { r => Check(r, r.GetValueOrDefault<double>() is > 0 and <= 1e7, "--max-duration must be a number of seconds above 0") },
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "vPDQ: stop decoding a video after this many seconds (default 1 hour)",
        DefaultValueFactory = _ => VideoDecodeOptions.Default.Timeout.TotalSeconds,
        Validators = { r => Check(r, r.GetValueOrDefault<double>() is > 0 and <= 1e7, "--timeout must be a number of seconds above 0") },
    };

    public Option<long> MaxFramePixels { get; } = new("--max-frame-pixels")
    {
        Description = "vPDQ: refuse videos whose frames have more pixels than this (suffixes k, M, G allowed; default 36M)",
        DefaultValueFactory = _ => VideoDecodeOptions.DefaultMaxPixels,
        CustomParser = r => DecodeLimitOptions.ParseSize(r.Tokens.Count == 0 ? string.Empty : r.Tokens[0].Value, r),
    };

    public void AddTo(Command command, bool withReferenceOutput)
    {
        command.Options.Add(SecondsPerHash);
        command.Options.Add(Downscale);
        if (withReferenceOutput)
        {
            command.Options.Add(ReferenceOutput);
        }

        command.Options.Add(Ffmpeg);
        command.Options.Add(MaxDuration);
        command.Options.Add(Timeout);
        command.Options.Add(MaxFramePixels);
    }

    public VideoDecodeOptions ReadDecode(ParseResult parse) => new()
    {
        FfmpegPath = parse.GetValue(Ffmpeg)!,
        MaxDuration = TimeSpan.FromSeconds(parse.GetValue(MaxDuration)),
        Timeout = TimeSpan.FromSeconds(parse.GetValue(Timeout)),
        MaxPixels = parse.GetValue(MaxFramePixels),
    };

    /// <summary>The options; the output folder must exist (checked here, before any hashing).</summary>
    public VideoHashOptions Read(ParseResult parse)
    {
        string? directory = parse.GetValue(ReferenceOutput);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new UsageException($"--vpdq-out: no such directory '{directory}'");
        }

        // Seconds are read as a float, as the reference's std::stof reads -r, so the frame interval is the same.
        return new VideoHashOptions(parse.GetValue(SecondsPerHash), parse.GetValue(Downscale), ReadDecode(parse), directory);
    }

    private static void Check(System.CommandLine.Parsing.OptionResult result, bool ok, string message)
    {
        if (!ok)
        {
            result.AddError(message + string.Create(CultureInfo.InvariantCulture, $" (got {(result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty)})."));
        }
    }
}
