using System.Security.Cryptography;

namespace Clearinghouse.Hashing.Digests;

/// <summary>Which exact digests of a file's bytes to compute.</summary>
[Flags]
public enum DigestKinds
{
    None = 0,
    Md5 = 1,
    Sha256 = 2,
}

/// <summary>The exact digests of a byte stream, as lowercase hex.</summary>
public sealed record FileDigestResult(string? Md5, string? Sha256);

/// <summary>
/// Incremental MD5 and SHA-256 over chunks of bytes, so a caller can stream a file of any size through
/// bounded memory. Feeds both digests from one read of each chunk.
/// </summary>
public sealed class FileDigester : IDisposable
{
    private readonly IncrementalHash? _md5;
    private readonly IncrementalHash? _sha256;

    public FileDigester(DigestKinds kinds)
    {
        // MD5 is not used for security here: it is the identifier the hash-sharing programs exchange.
#pragma warning disable CA5351
        _md5 = kinds.HasFlag(DigestKinds.Md5) ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
#pragma warning restore CA5351
        _sha256 = kinds.HasFlag(DigestKinds.Sha256) ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    }

    /// <summary>Adds the next chunk of bytes.</summary>
    public void Append(ReadOnlySpan<byte> chunk)
    {
        _md5?.AppendData(chunk);
        _sha256?.AppendData(chunk);
    }

    /// <summary>Finishes and returns the digests; the digester starts over afterwards.</summary>
    public FileDigestResult Finish()
    {
        Span<byte> buffer = stackalloc byte[32];
        string? md5 = null;
        string? sha256 = null;
        if (_md5 is not null)
        {
            int n = _md5.GetHashAndReset(buffer);
            md5 = Convert.ToHexStringLower(buffer[..n]);
        }

        if (_sha256 is not null)
        {
            int n = _sha256.GetHashAndReset(buffer);
            sha256 = Convert.ToHexStringLower(buffer[..n]);
        }

        return new FileDigestResult(md5, sha256);
    }

    public void Dispose()
    {
        _md5?.Dispose();
        _sha256?.Dispose();
    }
}
