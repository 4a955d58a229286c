using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Clearinghouse.Hashing;

namespace Clearinghouse.Matching.Pdq;

/// <summary>Saving and loading.</summary>
/// <remarks>
/// <para>File format (little-endian), version 1:</para>
/// <code>
///   0  8 bytes  magic "CHPDQIX1"
///   8  u32      format version (1)
///  12  u32      reserved (0)
///  16  i64      n, the number of entries
///  24  n × 32   hashes, each as its four 64-bit words W0..W3 (the in-memory layout, so loading is a block read)
///      n × 8    ids (i64), in the same order
///      u64      checksum (<see cref="Checksum64"/>) of everything before it
/// </code>
/// <para>Only hashes and ids are stored (40 bytes per hash); the MIH segments are rebuilt on load by a counting
/// sort, which takes about as long as reading the 48 bytes per hash of postings would and means a damaged file can
/// never yield a silently wrong index: anything that fails the length, checksum or duplicate-id checks is an
/// <see cref="InvalidDataException"/> naming the problem.</para>
/// </remarks>
public sealed partial class PdqIndex
{
    private const int HeaderLength = 24;
    private const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "CHPDQIX1"u8;

    /// <summary>Whether <paramref name="prefix"/> (the first bytes of a file) starts like a saved PDQ index.</summary>
    public static bool LooksLikeIndexFile(ReadOnlySpan<byte> prefix) => prefix.StartsWith(Magic);

    /// <summary>Saves the live entries to <paramref name="path"/> (written to a temporary file, then moved into place).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Save(stream);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes the live entries to <paramref name="stream"/>. Writers wait meanwhile; readers do not.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_writeLock)
        {
            var store = _store;
            var view = store.View();
            int count = store.Count;
            var checksum = Checksum64.Create();

            Span<byte> header = stackalloc byte[HeaderLength];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], FormatVersion);
            BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], _live);
            Write(stream, header, ref checksum);

            // Live entries only, as runs between dead slots, straight from the chunks.
            Hash256[] hashBuffer = new Hash256[Math.Min(store.ChunkSize, 1 << 14)];
            long[] idBuffer = new long[hashBuffer.Length];
            for (int pass = 0; pass < 2; pass++)
            {
                int buffered = 0;
                for (int slot = 0; slot < count; slot++)
                {
                    if (view.IsDead(slot))
                    {
                        continue;
                    }

                    if (pass == 0)
                    {
                        hashBuffer[buffered++] = view.HashAt(slot);
                    }
                    else
                    {
                        idBuffer[buffered++] = view.IdAt(slot);
                    }

                    if (buffered == hashBuffer.Length)
                    {
                        Flush(stream, pass, hashBuffer, idBuffer, buffered, ref checksum);
                        buffered = 0;
                    }
                }

                Flush(stream, pass, hashBuffer, idBuffer, buffered, ref checksum);
            }

            Span<byte> trailer = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(trailer, checksum.Final());
            stream.Write(trailer);
            stream.Flush();
        }

        static void Flush(Stream stream, int pass, Hash256[] hashes, long[] ids, int count, ref Checksum64 checksum)
        {
            var bytes = pass == 0
                ? MemoryMarshal.AsBytes(hashes.AsSpan(0, count))
                : MemoryMarshal.AsBytes(ids.AsSpan(0, count));
            Write(stream, bytes, ref checksum);
        }

        static void Write(Stream stream, ReadOnlySpan<byte> bytes, ref Checksum64 checksum)
        {
            checksum.Append(bytes);
            stream.Write(bytes);
        }
    }

    /// <summary>Loads an index saved by <see cref="Save(string)"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a PDQ index, is truncated, or is corrupt.</exception>
    public static PdqIndex Load(string path, PdqIndexOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return Load(stream, options);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Loads an index from <paramref name="stream"/>, which must hold exactly one saved index.</summary>
    /// <exception cref="InvalidDataException">The data is not a PDQ index, is truncated, or is corrupt.</exception>
    public static PdqIndex Load(Stream stream, PdqIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var index = new PdqIndex(options ?? PdqIndexOptions.Default);
        var checksum = Checksum64.Create();

        Span<byte> header = stackalloc byte[HeaderLength];
        int got = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        if (got < Magic.Length || !header.StartsWith(Magic))
        {
            throw new InvalidDataException("Not a Clearinghouse PDQ index (the file does not start with \"CHPDQIX1\").");
        }

        if (got < HeaderLength)
        {
            throw new InvalidDataException($"Truncated PDQ index: the header is {HeaderLength} bytes, the file has {got}.");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Unsupported PDQ index format version {version} (this build reads version {FormatVersion}).");
        }

        long count = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        if (count < 0 || count > Array.MaxLength)
        {
            throw new InvalidDataException($"Corrupt PDQ index: entry count {count} is out of range.");
        }

        long expected = HeaderLength + (count * (32 + sizeof(long))) + sizeof(ulong);
        if (stream.CanSeek)
        {
            // Checked before allocating, so a damaged count cannot make us reserve gigabytes.
            long actual = stream.Length;
            if (actual < expected)
            {
                throw new InvalidDataException($"Truncated PDQ index: {count} entries need {expected} bytes, the file has {actual}.");
            }

            if (actual > expected)
            {
                throw new InvalidDataException($"Corrupt PDQ index: {count} entries need {expected} bytes, the file has {actual} (trailing data).");
            }
        }

        checksum.Append(header);
        var store = new Store(index._options.ChunkBits);
        int n = (int)count;
        store.AllocateChunks(n);
        for (int pass = 0; pass < 2; pass++)
        {
            for (int slot = 0; slot < n;)
            {
                int chunk = slot >> store.ChunkBits;
                int len = Math.Min(store.ChunkSize, n - slot);
                var bytes = pass == 0
                    ? MemoryMarshal.AsBytes(store.Hashes[chunk].AsSpan(0, len))
                    : MemoryMarshal.AsBytes(store.Ids[chunk].AsSpan(0, len));
                ReadExactly(stream, bytes, expected);
                checksum.Append(bytes);
                slot += len;
            }
        }

        Span<byte> trailer = stackalloc byte[8];
        ReadExactly(stream, trailer, expected);
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(trailer);
        ulong computed = checksum.Final();
        if (stored != computed)
        {
            throw new InvalidDataException($"Corrupt PDQ index: checksum mismatch (stored {stored:x16}, computed {computed:x16}).");
        }

        if (!stream.CanSeek && stream.ReadByte() != -1)
        {
            throw new InvalidDataException($"Corrupt PDQ index: trailing data after {expected} bytes.");
        }

        index.Finish(store, n, id => new InvalidDataException($"Corrupt PDQ index: id {id} occurs twice."));
        return index;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, long expected)
    {
        int got = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (got < buffer.Length)
        {
            throw new InvalidDataException($"Truncated PDQ index: the header promises {expected} bytes, the data ends early.");
        }
    }
}
