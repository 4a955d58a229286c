using System.Numerics;

namespace Clearinghouse.Ledger.Merkle;

/// <summary>
/// The right edge of an RFC 6962 tree without its leaves: one hash per complete subtree the size decomposes into
/// (one per set bit, the largest first). Enough to append leaves and compute the root, so a reader that has checked
/// a tree of n entries can check a larger one by hashing only the new entries (no proof per entry).
/// </summary>
public sealed class MerkleFrontier
{
    private readonly List<MerkleHash> _subtrees;

    private MerkleFrontier(long size, List<MerkleHash> subtrees)
    {
        Size = size;
        _subtrees = subtrees;
    }

    /// <summary>The empty tree's frontier.</summary>
    public static MerkleFrontier Empty() => new(0, []);

    /// <summary>The number of leaves appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>The root of the tree of <see cref="Size"/> leaves (the empty-tree hash for none).</summary>
    public MerkleHash Root
    {
        get
        {
            if (_subtrees.Count == 0)
            {
                return Rfc6962.EmptyTreeHash;
            }

            MerkleHash hash = _subtrees[^1];
            for (int i = _subtrees.Count - 2; i >= 0; i--)
            {
                hash = Rfc6962.HashChildren(_subtrees[i], hash);
            }

            return hash;
        }
    }

    /// <summary>Appends one leaf hash (SHA-256(0x00 ‖ entry)).</summary>
    public void Append(in MerkleHash leafHash)
    {
        MerkleHash hash = leafHash;

        // Each set low bit of the size is a complete subtree of the same height as the one being carried: merge them.
        for (long size = Size; (size & 1) == 1; size >>= 1)
        {
            hash = Rfc6962.HashChildren(_subtrees[^1], hash);
            _subtrees.RemoveAt(_subtrees.Count - 1);
        }

        _subtrees.Add(hash);
        Size++;
    }

    /// <summary>A copy to append to without changing this one.</summary>
    public MerkleFrontier Clone() => new(Size, [.. _subtrees]);

    /// <summary>The subtree hashes, concatenated (32 bytes each, largest subtree first): what a reader stores.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[_subtrees.Count * MerkleHash.Size];
        for (int i = 0; i < _subtrees.Count; i++)
        {
            _subtrees[i].CopyTo(bytes.AsSpan(i * MerkleHash.Size, MerkleHash.Size));
        }

        return bytes;
    }

    /// <summary>Restores a frontier saved by <see cref="ToBytes"/> for a tree of <paramref name="size"/> leaves.</summary>
    /// <exception cref="FormatException">The bytes are not one hash per set bit of the size.</exception>
    public static MerkleFrontier FromBytes(long size, ReadOnlySpan<byte> bytes)
    {
        if (size < 0)
        {
            throw new FormatException($"a tree size cannot be negative ({size})");
        }

        int expected = BitOperations.PopCount((ulong)size);
        if (bytes.Length != expected * MerkleHash.Size)
        {
            throw new FormatException($"a frontier of a tree of {size} leaves has {expected} hashes ({expected * MerkleHash.Size} bytes), not {bytes.Length} bytes");
        }

        var subtrees = new List<MerkleHash>(expected + 1);
        for (int i = 0; i < expected; i++)
        {
            subtrees.Add(MerkleHash.FromBytes(bytes.Slice(i * MerkleHash.Size, MerkleHash.Size)));
        }

        return new MerkleFrontier(size, subtrees);
    }
}
