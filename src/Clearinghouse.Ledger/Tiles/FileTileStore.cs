using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Tiles in a directory, for the auditor's offline state: one file per tile level (<c>level-L.hashes</c>) holding
/// that level's hashes end to end, so tile N is the 8 KiB at offset N·8192 and a partial tile is a shorter tail.
/// </summary>
/// <remarks>
/// A batch is written with positional writes and flushed to disk before <see cref="WriteTiles"/> returns. Tiles only
/// grow and rewriting a tile rewrites the same bytes at the same place, so a batch torn by a crash leaves at worst
/// hashes beyond the size the caller last recorded as verified, which nothing reads and the next batch overwrites;
/// the caller records the verified size (its checkpoint) only after this returns.
/// </remarks>
public sealed class FileTileStore : ITileStore, IDisposable
{
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

    public void ReadTiles(ReadOnlySpan<TileRead> requests, Span<ReadOnlyMemory<byte>> results)
    {
        for (int i = 0; i < requests.Length; i++)
        {
            TileRead request = requests[i];
            SafeFileHandle? file = File(request.Tile.Level, create: false);
            long offset = request.Tile.Index * TileLayout.FullTileBytes;
            long available = file is null ? 0 : (RandomAccess.GetLength(file) - offset) / MerkleHash.Size;
            int width = (int)Math.Clamp(available, 0, TileLayout.Width);
            if (width < request.MinimumWidth || file is null)
            {
                throw new TileNotFoundException(request.Tile, request.MinimumWidth, width);
            }

            var buffer = new byte[width * MerkleHash.Size];
            int read = 0;
            while (read < buffer.Length)
            {
                int n = RandomAccess.Read(file, buffer.AsSpan(read), offset + read);
                if (n == 0)
                {
                    throw new TileNotFoundException(request.Tile, request.MinimumWidth, read / MerkleHash.Size);
                }

                read += n;
            }

            results[i] = buffer;
        }
    }

    public void WriteTiles(IReadOnlyList<Tile> tiles)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        var touched = new HashSet<int>();
        foreach (var tile in tiles)
        {
            SafeFileHandle file = File(tile.Id.Level, create: true)!;
            RandomAccess.Write(file, tile.Hashes.Span, tile.Id.Index * TileLayout.FullTileBytes);
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

    private SafeFileHandle? File(int level, bool create)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (level < _files.Count && _files[level] is { } open)
            {
                return open;
            }

            string path = Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"level-{level}.hashes"));
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
