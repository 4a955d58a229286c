using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Tiles in a directory, for the auditor's offline state: one file per tile level (<c>level-L.tiles</c>) of
/// fixed-size slots, tile N in slot N: a 4-byte little-endian bottom width (0 = absent), then the tile's packed rows.
/// </summary>
/// <remarks>
/// A batch is written with positional writes (rows first, the width last) and flushed to disk before
/// <see cref="WriteTiles"/> returns. Tiles only grow and a rewrite puts the same hashes in the same place, so a batch
/// torn by a crash leaves at worst hashes beyond the size the caller last recorded as verified, which nothing reads
/// and the next batch overwrites; the caller records the verified size (its checkpoint) only after this returns.
/// </remarks>
public sealed class FileTileStore : ITileStore, IDisposable
{
    /// <summary>Bytes per slot: the width and a full tile's rows.</summary>
    public const int SlotBytes = 4 + (TileLayout.FullTileHashes * MerkleHash.Size);

    private readonly string _directory;
    private readonly List<SafeFileHandle?> _files = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    public FileTileStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        _directory = directory;
    }

    public void ReadTiles(ReadOnlySpan<TileRead> requests, Span<Tile> results)
    {
        Span<byte> header = stackalloc byte[4];
        for (int i = 0; i < requests.Length; i++)
        {
            TileRead request = requests[i];
            SafeFileHandle? file = File(request.Tile.Level, create: false);
            long offset = request.Tile.Index * SlotBytes;
            int width = 0;
            if (file is not null && ReadFully(file, header, offset))
            {
                width = BinaryPrimitives.ReadInt32LittleEndian(header);
            }

            if (width < request.MinimumWidth || width > TileLayout.Width)
            {
                throw new TileNotFoundException(request.Tile, request.MinimumWidth, Math.Clamp(width, 0, TileLayout.Width));
            }

            var rows = new byte[TileLayout.TileHashes(width) * MerkleHash.Size];
            if (!ReadFully(file!, rows, offset + 4))
            {
                throw new TileNotFoundException(request.Tile, request.MinimumWidth, 0);
            }

            results[i] = new Tile(request.Tile, width, rows);
        }
    }

    public void WriteTiles(IReadOnlyList<Tile> tiles)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        var touched = new HashSet<int>();
        Span<byte> header = stackalloc byte[4];
        foreach (var tile in tiles)
        {
            SafeFileHandle file = File(tile.Id.Level, create: true)!;
            long offset = tile.Id.Index * SlotBytes;
            RandomAccess.Write(file, tile.Rows.Span, offset + 4);
            BinaryPrimitives.WriteInt32LittleEndian(header, tile.Width);
            RandomAccess.Write(file, header, offset);
            touched.Add(tile.Id.Level);
        }

        foreach (int level in touched)
        {
            RandomAccess.FlushToDisk(File(level, create: false)!);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var file in _files)
            {
                file?.Dispose();
            }
        }
    }

    private static bool ReadFully(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = RandomAccess.Read(file, buffer[read..], offset + read);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private SafeFileHandle? File(int level, bool create)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (level < _files.Count && _files[level] is { } open)
            {
                return open;
            }

            string path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"level-{level}.tiles"));
            if (!create && !System.IO.File.Exists(path))
            {
                return null;
            }

            var handle = System.IO.File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            while (_files.Count <= level)
            {
                _files.Add(null);
            }

            _files[level] = handle;
            return handle;
        }
    }
}
