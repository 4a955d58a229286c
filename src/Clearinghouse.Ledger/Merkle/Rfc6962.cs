using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Clearinghouse.Ledger.Merkle;

/// <summary>
/// The Merkle tree hash of RFC 6962 §2.1 / RFC 9162 §2.1 with SHA-256: a leaf hash is SHA-256(0x00 ‖ entry),
/// an interior node SHA-256(0x01 ‖ left ‖ right), the empty tree SHA-256(""), and a tree of n &gt; 1 leaves splits
/// at the largest power of two smaller than n.
/// </summary>
[SkipLocalsInit]
public static class Rfc6962
{
    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    // Entries up to this size are hashed from the stack; larger ones borrow a pooled buffer.
    private const int StackEntryLimit = 1024;

    /// <summary>MTH({}) = SHA-256 of the empty string.</summary>
    public static MerkleHash EmptyTreeHash { get; } = MerkleHash.FromBytes(SHA256.HashData(ReadOnlySpan<byte>.Empty));

    /// <summary>SHA-256(0x00 ‖ entry).</summary>
    public static MerkleHash HashLeaf(ReadOnlySpan<byte> entry)
    {
        Span<byte> digest = stackalloc byte[MerkleHash.Size];
        HashLeaf(entry, digest);
        return MerkleHash.FromBytes(digest);
    }

    /// <summary>SHA-256(0x00 ‖ entry) into <paramref name="destination"/> (32 bytes).</summary>
    public static void HashLeaf(ReadOnlySpan<byte> entry, Span<byte> destination)
    {
        if (entry.Length < StackEntryLimit)
        {
            Span<byte> input = stackalloc byte[StackEntryLimit];
            input[0] = LeafPrefix;
            entry.CopyTo(input[1..]);
            SHA256.HashData(input[..(entry.Length + 1)], destination);
            return;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(entry.Length + 1);
        try
        {
            rented[0] = LeafPrefix;
            entry.CopyTo(rented.AsSpan(1));
            SHA256.HashData(rented.AsSpan(0, entry.Length + 1), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right).</summary>
    public static MerkleHash HashChildren(in MerkleHash left, in MerkleHash right)
    {
        Span<byte> input = stackalloc byte[1 + (2 * MerkleHash.Size)];
        input[0] = NodePrefix;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + MerkleHash.Size)..]);
        Span<byte> digest = stackalloc byte[MerkleHash.Size];
        SHA256.HashData(input, digest);
        return MerkleHash.FromBytes(digest);
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right) over packed 32-byte spans; <paramref name="destination"/> may overlap
    /// either input.</summary>
    internal static void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[1 + (2 * MerkleHash.Size)];
        input[0] = NodePrefix;
        left[..MerkleHash.Size].CopyTo(input[1..]);
        right[..MerkleHash.Size].CopyTo(input[(1 + MerkleHash.Size)..]);
        SHA256.HashData(input, destination);
    }

    /// <summary>
    /// The root of the perfect subtree whose 2^k bottom-row hashes are packed in <paramref name="packed"/>
    /// (<paramref name="count"/> = 2^k hashes), reduced pairwise in <paramref name="scratch"/>.
    /// </summary>
    internal static MerkleHash HashPerfectSubtree(ReadOnlySpan<byte> packed, int count, Span<byte> scratch)
    {
        if (count == 1)
        {
            return MerkleHash.ReadAt(packed, 0);
        }

        // First round reads from the input, later rounds reduce the scratch in place (pair j lands at j).
        for (int j = 0; j < count / 2; j++)
        {
            HashChildren(packed.Slice(2 * j * MerkleHash.Size), packed.Slice(((2 * j) + 1) * MerkleHash.Size), scratch.Slice(j * MerkleHash.Size));
        }

        for (int width = count / 2; width > 1; width /= 2)
        {
            for (int j = 0; j < width / 2; j++)
            {
                HashChildren(scratch.Slice(2 * j * MerkleHash.Size), scratch.Slice(((2 * j) + 1) * MerkleHash.Size), scratch.Slice(j * MerkleHash.Size));
            }
        }

        return MerkleHash.ReadAt(scratch, 0);
    }

    /// <summary>k, the largest power of two smaller than <paramref name="n"/> (n ≥ 2): where MTH splits.</summary>
    public static long SplitPoint(long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        return 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));
    }
}
