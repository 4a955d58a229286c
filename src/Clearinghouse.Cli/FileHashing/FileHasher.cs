using System.Buffers;
using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Digests;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Hashing.Tlsh;
using Clearinghouse.Media.Images;
using Clearinghouse.Media.Text;
using Clearinghouse.Media.Video;

namespace Clearinghouse.Cli.FileHashing;

/// <summary>The PDQ part of a file's result.</summary>
internal sealed record PdqOutcome(Hash256 Hash, int Quality, Hash256[]? Dihedral);

/// <summary>Everything computed for one file, or why it failed.</summary>
internal sealed record FileHashResult(
    string Path, PdqOutcome? Pdq, VpdqOutcome? Vpdq, string? Md5, string? Sha256, string? TextTlsh, string? Error)
{
    public static FileHashResult Failed(string path, string error) => new(path, null, null, null, null, null, error);
}

/// <summary>The signals computed from a file's bytes as they stream past: the exact digests and TLSH.</summary>
internal sealed class StreamingSignals : IDisposable
{
    private readonly FileDigester _digester;
    private readonly TlshHasher? _tlsh;

    public StreamingSignals(DigestKinds digests, bool tlsh)
    {
        _digester = new FileDigester(digests);
        _tlsh = tlsh ? new TlshHasher() : null;
    }

    public void Append(ReadOnlySpan<byte> chunk)
    {
        _digester.Append(chunk);
        _tlsh?.Update(chunk);
    }

    /// <summary>The digests, and TLSH's digest or its reason for having none (null when TLSH was not asked for).</summary>
    public (FileDigestResult Digests, TlshResult? Tlsh) Finish() => (_digester.Finish(), _tlsh?.Final());

    public void Dispose() => _digester.Dispose();
}

/// <summary>
/// Hashes one file: reads it once, feeding the exact digests and TLSH chunk by chunk and (for PDQ) keeping the bytes
/// for the decoder; a video goes to FFmpeg by its path. Thread-safe; each thread gets its own PDQ scratch buffers.
/// </summary>
internal sealed class FileHasher
{
    private const int ChunkSize = 1 << 20;

    [ThreadStatic]
    private static PdqHasher? t_pdq;

    private readonly HashSelection _selection;
    private readonly ImageDecoder _decoder;
    private readonly bool _dihedral;
    private readonly DigestKinds _digests;
    private readonly VideoFileHasher? _video;

    public FileHasher(HashSelection selection, ImageDecodeOptions decodeOptions, bool dihedral, VideoHashOptions? video = null)
    {
        _selection = selection;
        _video = selection.Vpdq ? new VideoFileHasher(video ?? Commands.VideoHashCommandOptions.Defaults) : null;
        _decoder = new ImageDecoder(decodeOptions);
        _dihedral = dihedral;
        _digests = (selection.Md5 ? DigestKinds.Md5 : DigestKinds.None) | (selection.Sha256 ? DigestKinds.Sha256 : DigestKinds.None);
    }

    public FileHashResult Hash(string path)
    {
        try
        {
            return HashOrThrow(path);
        }
        catch (ImageDecodeException ex)
        {
            return FileHashResult.Failed(path, ex.Message);
        }
        catch (VideoDecodeException ex)
        {
            return FileHashResult.Failed(path, ex.Message);
        }
        catch (TextExtractionException ex)
        {
            return FileHashResult.Failed(path, "text_tlsh: " + ex.Message);
        }
        catch (UnauthorizedAccessException)
        {
            return FileHashResult.Failed(path, "permission denied");
        }
        catch (FileNotFoundException)
        {
            return FileHashResult.Failed(path, "no such file (removed while hashing?)");
        }
        catch (IOException ex)
        {
            return FileHashResult.Failed(path, $"read error: {ex.Message}");
        }
    }

    /// <summary>A file whose text has no TLSH digest (too short, too uniform) fails: the signal asked for cannot be given.</summary>
    private static FileHashResult Result(string path, PdqOutcome? pdq, VpdqOutcome? vpdq, FileDigestResult digests, TlshResult? tlsh) =>
        tlsh is { Ok: false } failed
            ? FileHashResult.Failed(path, "text_tlsh: " + failed.Reason)
            : new FileHashResult(path, pdq, vpdq, digests.Md5, digests.Sha256, tlsh?.Hash.ToString(), null);

    /// <summary>Whether the file starts like an image format the photo decoder reads (then PDQ, not vPDQ, hashes it).</summary>
    private static bool StartsLikeImage(Stream stream)
    {
        Span<byte> header = stackalloc byte[ImageFormatSniffer.HeaderLength];
        int n = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        return ImageFormatSniffer.Sniff(header[..n]) != ImageFormat.Unknown;
    }

    private static bool StartsLikePdf(Stream stream)
    {
        Span<byte> head = stackalloc byte[5];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        return PdfText.IsPdf(head[..n]);
    }

    private FileHashResult HashOrThrow(string path)
    {
        using var stream = UnixFile.OpenForReading(path);
        if (!stream.CanSeek)
        {
            // FIFOs and sockets: they could block forever or never end.
            return FileHashResult.Failed(path, "not a regular file");
        }

        long length = stream.Length;
        bool asVideo = _video is not null && (!_selection.Pdq || !StartsLikeImage(stream));
        bool asPhoto = _selection.Pdq && !asVideo;

        // A PDF's text_tlsh is the TLSH of its text, not of its bytes (PdfPig reads the whole document: the size limit applies).
        bool pdfText = _selection.TextTlsh && !asPhoto && StartsLikePdf(stream);
        if ((asPhoto || pdfText) && length > _decoder.Options.MaxBytes)
        {
            return FileHashResult.Failed(path, $"the file is {length:N0} bytes, over the limit of {_decoder.Options.MaxBytes:N0} (raise it with --max-bytes)");
        }

        if (!asPhoto && _digests == DigestKinds.None && !_selection.TextTlsh)
        {
            // vPDQ only: FFmpeg reads the file itself.
            return new FileHashResult(path, null, _video!.Hash(path), null, null, null, null);
        }

        using var digester = new StreamingSignals(_digests, _selection.TextTlsh && !pdfText);
        if (!asPhoto)
        {
            var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                // Read the size the file had when opened: a device that never ends (or a file that keeps growing)
                // cannot keep the command busy forever.
                long remaining = length;
                int n;
                while (remaining > 0 && (n = stream.Read(chunk, 0, (int)Math.Min(ChunkSize, remaining))) > 0)
                {
                    digester.Append(chunk.AsSpan(0, n));
                    remaining -= n;
                }

                if (remaining > 0)
                {
                    return FileHashResult.Failed(path, "the file shrank while it was being read");
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            var (only, tlsh) = digester.Finish();
            if (pdfText)
            {
                stream.Seek(0, SeekOrigin.Begin);
                tlsh = TlshHasher.HashText(PdfText.Extract(stream));
            }

            // FFmpeg is not started for a file that has already failed on text_tlsh.
            VpdqOutcome? vpdq = null;
            if (asVideo && tlsh is not { Ok: false })
            {
                try
                {
                    vpdq = _video!.Hash(path);
                }
                catch (VideoDecodeException ex) when (ex.Failure == VideoDecodeFailure.NoVideoStream)
                {
                    // Not a video (a text file, say): the file's other signals stand without vPDQ.
                }
            }

            return Result(path, null, vpdq, only, tlsh);
        }

        var bytes = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, length));
        try
        {
            int total = 0;
            while (total < length)
            {
                int n = stream.Read(bytes, total, (int)Math.Min(ChunkSize, length - total));
                if (n == 0)
                {
                    break;
                }

                digester.Append(bytes.AsSpan(total, n));
                total += n;
            }

            var (digests, textTlsh) = digester.Finish();
            using var image = _decoder.Decode(bytes, total);
            var hasher = t_pdq ??= new PdqHasher();
            PdqOutcome pdq;
            if (_dihedral)
            {
                var all = hasher.HashDihedral(image.Pixels);
                pdq = new PdqOutcome(all.Original, all.Quality, all.ToArray());
            }
            else
            {
                var one = hasher.Hash(image.Pixels);
                pdq = new PdqOutcome(one.Hash, one.Quality, null);
            }

            return Result(path, pdq, null, digests, textTlsh);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
