using Clearinghouse.Hashing.Digests;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Hashing.Tlsh;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Media.Images;
using Clearinghouse.Media.Text;
using Clearinghouse.Media.Video;
using Clearinghouse.Signals;

namespace Clearinghouse.Server.Hashing;

/// <summary>One signal computed from content: its type, canonical value and (for PDQ) quality.</summary>
public sealed record ContentHash(string SignalType, string Value, int? Quality = null);

/// <summary>Computes the signals of one content type from uploaded bytes.</summary>
public interface IContentHasher
{
    ContentType ContentType { get; }

    /// <summary>The signal types this hasher produces.</summary>
    IReadOnlyList<string> SignalTypes { get; }

    /// <summary>Hashes the first <paramref name="length"/> bytes of <paramref name="data"/> into the <paramref name="wanted"/> types.</summary>
    /// <exception cref="ImageDecodeException">(and other content errors) The bytes are not valid content of this type.</exception>
    void Hash(byte[] data, int length, IReadOnlySet<string> wanted, List<ContentHash> results);
}

/// <summary>Photos: PDQ (with its quality) from the decoded pixels.</summary>
internal sealed class PhotoHasher(ImageDecodeOptions decodeOptions) : IContentHasher
{
    [ThreadStatic]
    private static PdqHasher? t_pdq;

    private readonly ImageDecoder _decoder = new(decodeOptions);

    public ContentType ContentType => ContentType.Photo;

    public IReadOnlyList<string> SignalTypes { get; } = ["pdq"];

    public void Hash(byte[] data, int length, IReadOnlySet<string> wanted, List<ContentHash> results)
    {
        if (!wanted.Contains("pdq"))
        {
            return;
        }

        using var image = _decoder.Decode(data, length);
        var pdq = (t_pdq ??= new PdqHasher()).Hash(image.Pixels);
        results.Add(new ContentHash("pdq", pdq.Hash.ToString(), pdq.Quality));
    }
}

/// <summary>Any file: MD5 and SHA-256 of its bytes.</summary>
internal sealed class FileDigestHasher : IContentHasher
{
    public ContentType ContentType => ContentType.File;

    public IReadOnlyList<string> SignalTypes { get; } = ["md5", "sha256"];

    public void Hash(byte[] data, int length, IReadOnlySet<string> wanted, List<ContentHash> results)
    {
        var kinds = (wanted.Contains("md5") ? DigestKinds.Md5 : DigestKinds.None) | (wanted.Contains("sha256") ? DigestKinds.Sha256 : DigestKinds.None);
        if (kinds == DigestKinds.None)
        {
            return;
        }

        using var digester = new FileDigester(kinds);
        digester.Append(data.AsSpan(0, length));
        var digests = digester.Finish();
        if (digests.Md5 is not null)
        {
            results.Add(new ContentHash("md5", digests.Md5));
        }

        if (digests.Sha256 is not null)
        {
            results.Add(new ContentHash("sha256", digests.Sha256));
        }
    }
}

/// <summary>Text: TLSH of its bytes (text_tlsh; UTF-8 text as python-threatexchange hashes it); a PDF is hashed by the text of its pages.</summary>
internal sealed class TextHasher : IContentHasher
{
    public ContentType ContentType => ContentType.Text;

    public IReadOnlyList<string> SignalTypes { get; } = ["text_tlsh"];

    public void Hash(byte[] data, int length, IReadOnlySet<string> wanted, List<ContentHash> results)
    {
        if (!wanted.Contains("text_tlsh"))
        {
            return;
        }

        var bytes = data.AsSpan(0, length);
        TlshResult tlsh;
        if (PdfText.IsPdf(bytes))
        {
            using var stream = new MemoryStream(data, 0, length, writable: false);
            tlsh = TlshHasher.HashText(PdfText.Extract(stream));
        }
        else
        {
            // The bytes as they are, whatever their encoding: the digest the reference tlsh tool gives the file.
            tlsh = TlshHasher.Hash(bytes);
        }

        if (!tlsh.Ok)
        {
            throw new TextExtractionException($"the text has no TLSH digest: {tlsh.Reason}");
        }

        results.Add(new ContentHash("text_tlsh", tlsh.Hash.ToString()));
    }
}

/// <summary>
/// Videos: vPDQ, one frame per second as <c>clearinghouse hash --type vpdq</c> hashes by default, decoded by FFmpeg.
/// FFmpeg reads files, so the upload is written to a private temporary file first and deleted after.
/// </summary>
internal sealed class VideoHasher(VideoDecodeOptions decodeOptions) : IContentHasher
{
    /// <summary>Seconds between hashed frames: the CLI's default, so uploads and CLI hashes of one video agree.</summary>
    public const double SecondsPerHash = 1;

    private readonly VideoDecoder _decoder = new(decodeOptions);

    public ContentType ContentType => ContentType.Video;

    public IReadOnlyList<string> SignalTypes { get; } = ["vpdq"];

    public void Hash(byte[] data, int length, IReadOnlySet<string> wanted, List<ContentHash> results)
    {
        if (!wanted.Contains("vpdq"))
        {
            return;
        }

        string path = Path.Combine(Path.GetTempPath(), $"clearinghouse-upload-{Guid.NewGuid():N}.video");
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.None))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                file.Write(data, 0, length);
            }

            List<VpdqFeature> frames;
            using (var reader = _decoder.Open(path))
            {
                reader.Start(new VideoFrameRequest(0, VpdqHasher.FrameInterval(SecondsPerHash, reader.FrameRate)));
                if (reader.FrameWidth < 5 || reader.FrameHeight < 5)
                {
                    throw new VideoDecodeException($"frames of {reader.FrameWidth}x{reader.FrameHeight} are too small for vPDQ (at least 5x5)");
                }

                frames = new VpdqHasher(SecondsPerHash).HashVideo(reader);
            }

            results.Add(new ContentHash("vpdq", VpdqJson.Format(frames)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
