namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Where the tree's tiles live. The Merkle log keeps only the right edge in memory and reads everything else here,
/// so a store can be a table <c>(level, index) → (width, rows)</c> in the node's database, written in the same
/// transaction as the entries.
/// </summary>
/// <remarks>
/// <para>Semantics an implementation must keep:</para>
/// <list type="bullet">
/// <item><see cref="WriteTiles"/> stores every tile of the batch or none; a tile written again (the partial right
/// edge grows, or a full tile replaces its partial form) replaces the earlier one.</item>
/// <item><see cref="ReadTiles"/> returns, for each request, the stored tile if it is at least
/// <see cref="TileRead.MinimumWidth"/> wide (a wider one is fine: the log reads only what it asked for), and throws
/// <see cref="TileNotFoundException"/> when a tile is missing or narrower.</item>
/// <item>Reads may run concurrently with each other and with a write.</item>
/// </list>
/// </remarks>
public interface ITileStore
{
    /// <summary>Reads the requested tiles into <paramref name="results"/> (same positions).</summary>
    void ReadTiles(ReadOnlySpan<TileRead> requests, Span<Tile> results);

    /// <summary>Writes one batch of tiles atomically.</summary>
    void WriteTiles(IReadOnlyList<Tile> tiles);
}

/// <summary>A tile the tree needs is missing from the store or narrower than the tree size implies.</summary>
public sealed class TileNotFoundException : Exception
{
    public TileNotFoundException(TileId tile, int neededWidth, int storedWidth)
        : base($"tile {tile.Path(neededWidth)} is needed with {neededWidth} hashes but the store has {(storedWidth == 0 ? "none" : storedWidth.ToString(System.Globalization.CultureInfo.InvariantCulture))}: the store is behind the tree size or was truncated")
    {
    }

    public TileNotFoundException()
    {
    }

    public TileNotFoundException(string message)
        : base(message)
    {
    }

    public TileNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
