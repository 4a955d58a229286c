using System.Buffers;

namespace Clearinghouse.Media;

/// <summary>A whole file read into a buffer rented from the shared pool; dispose it to give the buffer back.</summary>
public sealed class RentedFile : IDisposable
{
    private byte[]? _buffer;

    private RentedFile(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    /// <summary>The rented array; only the first <see cref="Length"/> bytes are the file.</summary>
    public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(RentedFile));

    public int Length { get; }

    /// <summary>
    /// Reads <paramref name="path"/>, refusing it before reading anything when it is larger than
    /// <paramref name="maxBytes"/> (an <see cref="Images.ImageDecodeException"/> naming the limit).
    /// </summary>
    public static RentedFile Read(string path, long maxBytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        long size = stream.Length;
        if (size > maxBytes || size > Array.MaxLength)
        {
            throw new Images.ImageDecodeException(Images.ImageDecodeFailure.TooLarge, $"the file is {size:N0} bytes, over the limit of {maxBytes:N0} (raise it with --max-bytes)");
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(size, 1));
        try
        {
            int length = stream.ReadAtLeast(buffer.AsSpan(0, (int)size), (int)size, throwOnEndOfStream: false);
            return new RentedFile(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
