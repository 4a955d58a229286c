using System.Buffers;
using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Digests;
using Clearinghouse.Hashing.Pdq;
using Clearinghouse.Media.Images;
using Clearinghouse.Media.Video;

namespace Clearinghouse.Cli.FileHashing;

/// <summary>The PDQ part of a file's result.</summary>
internal sealed record PdqOutcome(Hash256 Hash, int Quality, Hash256[]? Dihedral);

/// <summary>Everything computed for one file, or why it failed.</summary>
internal sealed partial record FileHashResult(string Path, PdqOutcome? Pdq, string? Md5, string? Sha256, string? Error)
{
    public static FileHashResult Failed(string path, string error) => new(path, null, null, null, error);
}

/// <summary>
/// Hashes one file: reads it once, feeding the exact digests chunk by chunk and (for PDQ) keeping the bytes
/// for the decoder. Thread-safe; each thread gets its own PDQ scratch buffers.
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

    /// <summary>Whether the file starts like an image format the photo decoder reads (then PDQ, not vPDQ, hashes it).</summary>
    private static bool StartsLikeImage(Stream stream)
    {
        Span<byte> header = stackalloc byte[ImageFormatSniffer.HeaderLength];
        int n = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        return ImageFormatSniffer.Sniff(header[..n]) != ImageFormat.Unknown;
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
        if (asPhoto && length > _decoder.Options.MaxBytes)
        {
            return FileHashResult.Failed(path, $"the file is {length:N0} bytes, over the limit of {_decoder.Options.MaxBytes:N0} (raise it with --max-bytes)");
        }

        using var digester = new FileDigester(_digests);
        if (!asPhoto && _digests == DigestKinds.None)
        {
            // vPDQ only: FFmpeg reads the file itself.
            return new FileHashResult(path, null, null, null, null) { Vpdq = _video?.Hash(path) };
        }

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

            var only = digester.Finish();
            return new FileHashResult(path, null, only.Md5, only.Sha256, null) { Vpdq = asVideo ? _video!.Hash(path) : null };
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

            var digests = digester.Finish();
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

            return new FileHashResult(path, pdq, digests.Md5, digests.Sha256, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
