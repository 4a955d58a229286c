namespace Clearinghouse.Ledger.Tiles;

/// <summary>Tiles in memory: one list per tile level. For tests, benchmarks and nodes that rebuild on start.</summary>
public sealed class InMemoryTileStore : ITileStore
{
    private readonly List<List<Tile>> _levels = [];
    private readonly Lock _gate = new();

    /// <summary>Number of tiles held (full and partial).</summary>
    public long TileCount
    {
        get
        {
            lock (_gate)
            {
                return _levels.Sum(level => (long)level.Count);
            }
        }
    }

    public void ReadTiles(ReadOnlySpan<TileRead> requests, Span<Tile> results)
    {
        lock (_gate)
        {
            for (int i = 0; i < requests.Length; i++)
            {
                TileRead request = requests[i];
                Tile? tile = request.Tile.Level >= 0 && request.Tile.Level < _levels.Count
                    && request.Tile.Index >= 0 && request.Tile.Index < _levels[request.Tile.Level].Count
                    ? _levels[request.Tile.Level][(int)request.Tile.Index]
                    : null;
                int width = tile?.Width ?? 0;
                if (width < request.MinimumWidth)
                {
                    throw new TileNotFoundException(request.Tile, request.MinimumWidth, width);
                }

                results[i] = tile!;
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
            var counts = _levels.Select(level => (long)level.Count).ToList();
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

                if (tile.Id.Index > counts[tile.Id.Level])
                {
                    throw new ArgumentException($"tile {tile} would leave a gap: tile level {tile.Id.Level} has {counts[tile.Id.Level]} tiles");
                }

                counts[tile.Id.Level] = Math.Max(counts[tile.Id.Level], tile.Id.Index + 1);
            }

            foreach (var tile in tiles)
            {
                if (tile.Id.Level == _levels.Count)
                {
                    _levels.Add([]);
                }

                // Tiles are immutable; a copy of the rows keeps the store independent of the caller's buffers.
                var stored = new Tile(tile.Id, tile.Width, tile.Rows.ToArray());
                var level = _levels[tile.Id.Level];
                if (tile.Id.Index == level.Count)
                {
                    level.Add(stored);
                }
                else
                {
                    level[(int)tile.Id.Index] = stored;
                }
            }
        }
    }
}
