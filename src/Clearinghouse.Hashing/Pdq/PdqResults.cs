using System.Runtime.CompilerServices;

namespace Clearinghouse.Hashing.Pdq;

/// <summary>A PDQ hash with its quality score (0..100; hashes under 50 are not used for matching).</summary>
public readonly record struct PdqHash(Hash256 Hash, int Quality)
{
    /// <summary>Quality below which python-threatexchange and HMA discard a hash.</summary>
    public const int MinimumUsefulQuality = 50;
}

/// <summary>The eight dihedral transforms of an image, in the reference's output order.</summary>
public enum DihedralTransform
{
    Original = 0,
    Rotate90 = 1,
    Rotate180 = 2,
    Rotate270 = 3,
    FlipX = 4,
    FlipY = 5,
    FlipPlus1 = 6,
    FlipMinus1 = 7,
}

/// <summary>
/// The PDQ hashes of an image and of its seven rotations and flips, all derived from one DCT as the
/// reference does, plus the (shared) quality.
/// </summary>
public readonly struct PdqDihedralHashes
{
    /// <summary>Number of dihedral variants.</summary>
    public const int Count = 8;

    private readonly Hashes8 _hashes;

    internal PdqDihedralHashes(in Hashes8 hashes, int quality)
    {
        _hashes = hashes;
        Quality = quality;
    }

    /// <summary>Quality of the image (the same for every variant).</summary>
    public int Quality { get; }

    /// <summary>The hash of one transform.</summary>
    public Hash256 this[DihedralTransform transform] => _hashes[(int)transform];

    /// <summary>The hash of the untransformed image.</summary>
    public Hash256 Original => _hashes[0];

    /// <summary>All eight, in the reference's order (original, rot90, rot180, rot270, flipx, flipy, flipplus1, flipminus1).</summary>
    public Hash256[] ToArray()
    {
        var result = new Hash256[Count];
        for (int i = 0; i < Count; i++)
        {
            result[i] = _hashes[i];
        }

        return result;
    }

    [InlineArray(Count)]
    internal struct Hashes8
    {
        private Hash256 _element0;
    }
}
