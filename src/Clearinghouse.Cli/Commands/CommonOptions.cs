using System.CommandLine;
using System.Globalization;
using Clearinghouse.Media.Images;

namespace Clearinghouse.Cli.Commands;

/// <summary>Options shared by the commands that decode media.</summary>
internal sealed class DecodeLimitOptions
{
    public Option<long> MaxBytes { get; } = new("--max-bytes")
    {
        Description = "Refuse files larger than this (suffixes k, M, G allowed)",
        DefaultValueFactory = _ => ImageDecodeOptions.DefaultMaxBytes,
        CustomParser = r => ParseSize(r.Tokens.Count == 0 ? string.Empty : r.Tokens[0].Value, r),
    };

    public Option<long> MaxPixels { get; } = new("--max-pixels")
    {
        Description = "Refuse images declaring more pixels than this (suffixes k, M, G allowed)",
        DefaultValueFactory = _ => ImageDecodeOptions.DefaultMaxPixels,
        CustomParser = r => ParseSize(r.Tokens.Count == 0 ? string.Empty : r.Tokens[0].Value, r),
    };

    public Option<bool> ExifOrient { get; } = new("--exif-orient")
    {
        Description = "Rotate images upright by their EXIF orientation before hashing (the PDQ reference does not; hashes then differ from other members')",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(MaxBytes);
        command.Options.Add(MaxPixels);
        command.Options.Add(ExifOrient);
    }

    public ImageDecodeOptions Read(ParseResult parse) => new()
    {
        MaxBytes = parse.GetValue(MaxBytes),
        MaxPixels = parse.GetValue(MaxPixels),
        ApplyExifOrientation = parse.GetValue(ExifOrient),
    };

    /// <summary>Parses "1000", "64k", "256M", "2G" (powers of 1024 for k/M/G).</summary>
    internal static long ParseSize(string text, System.CommandLine.Parsing.ArgumentResult result)
    {
        if (TryParseSize(text, out long value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a positive size (examples: 1000000, 64k, 256M, 2G).");
        return 0;
    }

    internal static bool TryParseSize(string text, out long value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        long multiplier = char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            _ => 1,
        };
        var digits = multiplier == 1 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0 || n > long.MaxValue / multiplier)
        {
            return false;
        }

        value = n * multiplier;
        return true;
    }
}
