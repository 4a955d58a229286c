using System.Globalization;
using System.Text;
using Clearinghouse.Ledger.Merkle;

namespace Clearinghouse.Ledger.Tiles;

/// <summary>
/// Where a tile sits: tile level <see cref="Level"/> holds hashes of tree level 8·Level, and tile
/// <see cref="Index"/> holds those numbered 256·Index … 256·Index + 255 (C2SP tlog-tiles).
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

/// <summary>The tiling: 256 hashes per tile, tile levels 8 tree levels apart.</summary>
public static class TileLayout
{
    /// <summary>Tree levels per tile level.</summary>
    public const int Height = 8;

    /// <summary>Hashes in a full tile (2^<see cref="Height"/>).</summary>
    public const int Width = 1 << Height;

    /// <summary>Bytes in a full tile.</summary>
    public const int FullTileBytes = Width * MerkleHash.Size;

    /// <summary>How many hashes of tree level 8·<paramref name="tileLevel"/> a tree of <paramref name="treeSize"/>
    /// leaves has (complete subtrees of that height).</summary>
    public static long StoredHashCount(int tileLevel, long treeSize) =>
        tileLevel * Height >= 63 ? 0 : treeSize >> (tileLevel * Height);

    /// <summary>The width of tile <paramref name="tile"/> in a tree of <paramref name="treeSize"/> leaves (0 if
    /// the tile does not exist yet).</summary>
    public static int WidthAt(TileId tile, long treeSize)
    {
        long remaining = StoredHashCount(tile.Level, treeSize) - (tile.Index * Width);
        return remaining <= 0 ? 0 : (int)Math.Min(remaining, Width);
    }
}

/// <summary>A tile's content: <see cref="Width"/> hashes packed 32 bytes each (a partial tile has fewer than 256).</summary>
public sealed class Tile
{
    public Tile(TileId id, ReadOnlyMemory<byte> hashes)
    {
        if (hashes.Length == 0 || hashes.Length % MerkleHash.Size != 0 || hashes.Length > TileLayout.FullTileBytes)
        {
            throw new ArgumentException($"A tile holds 1 to {TileLayout.Width} hashes of {MerkleHash.Size} bytes, not {hashes.Length} bytes.", nameof(hashes));
        }

        Id = id;
        Hashes = hashes;
    }

    public TileId Id { get; }

    /// <summary>The packed hashes.</summary>
    public ReadOnlyMemory<byte> Hashes { get; }

    /// <summary>Number of hashes (1..256).</summary>
    public int Width => Hashes.Length / MerkleHash.Size;

    public override string ToString() => Id.Path(Width);
}

/// <summary>A request for at least <see cref="MinimumWidth"/> hashes of a tile.</summary>
public readonly record struct TileRead(TileId Tile, int MinimumWidth);
