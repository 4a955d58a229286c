using System.Globalization;
using System.Text;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Where a tile sits: tile level <see cref="Level"/> covers tree levels 8·Level … 8·Level + 7, and tile
/// <see cref="Index"/> covers the level-8·Level hashes numbered 256·Index … 256·Index + 255 (C2SP tlog-tiles).
/// </summary>
public readonly record struct TileId(int Level, long Index)
{
    /// <summary>The C2SP tlog-tiles path of this tile at <paramref name="width"/> hashes, e.g.
    /// <c>tile/0/x001/x234/067.p/8</c>: the index in zero-padded groups of three digits, all but the last
    /// prefixed with 'x', and <c>.p/W</c> for a partial tile.</summary>
    public string Path(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, TileLayout.Width);
        var path = new StringBuilder("tile/").Append(Level.ToString(CultureInfo.InvariantCulture));
        string digits = Index.ToString(CultureInfo.InvariantCulture);
        digits = digits.PadLeft((digits.Length + 2) / 3 * 3, '0');
        for (int i = 0; i < digits.Length; i += 3)
        {
            path.Append('/');
            if (i + 3 < digits.Length)
            {
                path.Append('x');
            }

            path.Append(digits, i, 3);
        }

        if (width < TileLayout.Width)
        {
            path.Append(".p/").Append(width.ToString(CultureInfo.InvariantCulture));
        }

        return path.ToString();
    }
}

/// <summary>
/// The tiling: 256 bottom hashes per tile, tile levels 8 tree levels apart, and the rows a stored tile carries:
/// row k (0..7) holds the complete nodes of height k above the bottom row, ⌊width / 2^k⌋ of them.
/// </summary>
public static class TileLayout
{
    /// <summary>Tree levels per tile level (rows per tile).</summary>
    public const int Height = 8;

    /// <summary>Bottom hashes in a full tile (2^<see cref="Height"/>).</summary>
    public const int Width = 1 << Height;

    /// <summary>Hashes a full tile stores over all its rows: 256 + 128 + … + 2.</summary>
    public const int FullTileHashes = (2 * Width) - 2;

    /// <summary>How many hashes of tree level 8·<paramref name="tileLevel"/> a tree of <paramref name="treeSize"/>
    /// leaves has (complete subtrees of that height).</summary>
    public static long StoredHashCount(int tileLevel, long treeSize) =>
        tileLevel * Height >= 63 ? 0 : treeSize >> (tileLevel * Height);

    /// <summary>The bottom width of tile <paramref name="tile"/> in a tree of <paramref name="treeSize"/> leaves (0
    /// if the tile does not exist yet).</summary>
    public static int WidthAt(TileId tile, long treeSize)
    {
        long remaining = StoredHashCount(tile.Level, treeSize) - (tile.Index * Width);
        return remaining <= 0 ? 0 : (int)Math.Min(remaining, Width);
    }

    /// <summary>Where row <paramref name="row"/> starts (in hashes) in the rows of a tile of bottom width
    /// <paramref name="width"/>: rows are packed, bottom first.</summary>
    public static int RowOffset(int width, int row)
    {
        int offset = 0;
        for (int k = 0; k < row; k++)
        {
            offset += width >> k;
        }

        return offset;
    }

    /// <summary>Hashes stored for a tile of bottom width <paramref name="width"/> (all rows).</summary>
    public static int TileHashes(int width) => RowOffset(width, Height);
}

/// <summary>
/// A stored tile: its bottom row (the C2SP tlog-tiles tile) and the seven rows of interior nodes above it, packed
/// (<see cref="TileLayout.RowOffset"/>). Storing the interior rows costs twice the bytes of the bottom row alone and
/// means no proof or root ever re-hashes a tile: every complete subtree is one lookup.
/// </summary>
public sealed class Tile
{
    public Tile(TileId id, int width, ReadOnlyMemory<byte> rows)
    {
        if (width < 1 || width > TileLayout.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"a tile is 1 to {TileLayout.Width} hashes wide");
        }

        if (rows.Length != TileLayout.TileHashes(width) * MerkleHash.Size)
        {
            throw new ArgumentException(
                $"a tile of width {width} stores {TileLayout.TileHashes(width)} hashes ({TileLayout.TileHashes(width) * MerkleHash.Size} bytes), not {rows.Length} bytes",
                nameof(rows));
        }

        Id = id;
        Width = width;
        Rows = rows;
    }

    public TileId Id { get; }

    /// <summary>Bottom hashes (1..256): hashes of tree level 8·<see cref="TileId.Level"/>.</summary>
    public int Width { get; }

    /// <summary>All rows, packed, bottom first.</summary>
    public ReadOnlyMemory<byte> Rows { get; }

    /// <summary>The bottom row alone: exactly the C2SP tlog-tiles tile at <see cref="Width"/>.</summary>
    public ReadOnlyMemory<byte> BottomRow => Rows[..(Width * MerkleHash.Size)];

    /// <summary>The node of height <paramref name="row"/> at <paramref name="position"/> in its row.</summary>
    public MerkleHash Node(int row, int position)
    {
        if ((uint)row >= TileLayout.Height || (uint)position >= (uint)(Width >> row))
        {
            throw new ArgumentOutOfRangeException(nameof(position), $"row {row} of tile {this} has {Width >> row} nodes, not {position + 1}");
        }

        return MerkleHash.ReadAt(Rows.Span, TileLayout.RowOffset(Width, row) + position);
    }

    /// <summary>This tile cut to its first <paramref name="width"/> bottom hashes (and the nodes over them).</summary>
    public Tile Truncate(int width)
    {
        if (width == Width)
        {
            return this;
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, Width);
        var rows = new byte[TileLayout.TileHashes(width) * MerkleHash.Size];
        ReadOnlySpan<byte> source = Rows.Span;
        for (int k = 0; k < TileLayout.Height; k++)
        {
            source.Slice(TileLayout.RowOffset(Width, k) * MerkleHash.Size, (width >> k) * MerkleHash.Size)
                .CopyTo(rows.AsSpan(TileLayout.RowOffset(width, k) * MerkleHash.Size));
        }

        return new Tile(Id, width, rows);
    }

    public override string ToString() => Id.Path(Width);
}

/// <summary>A request for a tile at least <see cref="MinimumWidth"/> bottom hashes wide.</summary>
public readonly record struct TileRead(TileId Tile, int MinimumWidth);
