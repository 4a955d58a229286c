using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>Tiles in memory: one list per tile level. For tests, benchmarks and nodes that rebuild on start.</summary>
public sealed class InMemoryTileStore : ITileStore
{
    private readonly List<List<byte[]>> _levels = [];
    private readonly Lock _gate = new();

    /// <summary>Number of tiles held (full and partial).</summary>
    public long TileCount
    {
        get
        {
            lock (_gate)
            {
                long count = 0;
                foreach (var level in _levels)
                {
                    count += level.Count;
                }

                return count;
            }
        }
    }

    public void ReadTiles(ReadOnlySpan<TileRead> requests, Span<ReadOnlyMemory<byte>> results)
    {
        lock (_gate)
        {
            for (int i = 0; i < requests.Length; i++)
            {
                TileRead request = requests[i];
                byte[]? tile = request.Tile.Level < _levels.Count && request.Tile.Index < _levels[request.Tile.Level].Count
                    ? _levels[request.Tile.Level][(int)request.Tile.Index]
                    : null;
                int width = tile is null ? 0 : tile.Length / MerkleHash.Size;
                if (width < request.MinimumWidth)
                {
                    throw new TileNotFoundException(request.Tile, request.MinimumWidth, width);
                }

                results[i] = tile;
            }
        }
    }

    public void WriteTiles(IReadOnlyList<Tile> tiles)
    {
        ArgumentNullException.ThrowIfNull(tiles);

        // Check the whole batch first (tiles in batch order may extend a level one by one) so that a bad tile leaves
        // the store as it was.
        lock (_gate)
        {
            var counts = new List<long>(_levels.Count + 4);
            foreach (var level in _levels)
            {
                counts.Add(level.Count);
            }

            foreach (var tile in tiles)
            {
                if (tile.Id.Level < 0 || tile.Id.Level > counts.Count || tile.Id.Index < 0)
                {
                    throw new ArgumentException($"tile {tile} is out of place: the store has {counts.Count} tile levels");
                }

                if (tile.Id.Level == counts.Count)
                {
                    counts.Add(0);
                }

                long count = counts[tile.Id.Level];
                if (tile.Id.Index > count)
                {
                    throw new ArgumentException($"tile {tile} would leave a gap: tile level {tile.Id.Level} has {count} tiles");
                }

                if (tile.Id.Index < _levels.ElementAtOrDefault(tile.Id.Level)?.Count
                    && _levels[tile.Id.Level][(int)tile.Id.Index].Length > tile.Hashes.Length)
                {
                    throw new ArgumentException($"tile {tile} would shrink a stored tile");
                }

                counts[tile.Id.Level] = Math.Max(count, tile.Id.Index + 1);
            }

            foreach (var tile in tiles)
            {
                if (tile.Id.Level == _levels.Count)
                {
                    _levels.Add([]);
                }

                var level = _levels[tile.Id.Level];
                byte[] copy = tile.Hashes.ToArray();
                if (tile.Id.Index == level.Count)
                {
                    level.Add(copy);
                }
                else
                {
                    level[(int)tile.Id.Index] = copy;
                }
            }
        }
    }
}
