namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Where the tree's tiles live. The Merkle log keeps only the right edge in memory and reads everything else here,
/// so a store can be a table in the node's database, written in the same transaction as the entries.
/// </summary>
/// <remarks>
/// <para>Semantics an implementation must keep:</para>
/// <list type="bullet">
/// <item><see cref="WriteTiles"/> stores every tile of the batch or none; a tile written again (the partial right
/// edge grows, or a full tile replaces its partial form) replaces the earlier content. A batch never shrinks a tile.</item>
/// <item><see cref="ReadTiles"/> returns, for each request, the tile's hashes from its start, at least
/// <see cref="TileRead.MinimumWidth"/> of them (a wider stored tile may be returned whole), and throws
/// <see cref="TileNotFoundException"/> when a tile is missing or narrower.</item>
/// <item>Reads may run concurrently with each other and with a write.</item>
/// </list>
/// </remarks>
public interface ITileStore
{
    /// <summary>Reads the requested tiles into <paramref name="results"/> (same positions).</summary>
    void ReadTiles(ReadOnlySpan<TileRead> requests, Span<ReadOnlyMemory<byte>> results);

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
