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
            Sha256(input[..(entry.Length + 1)], destination);
            return;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(entry.Length + 1);
        try
        {
            rented[0] = LeafPrefix;
            entry.CopyTo(rented.AsSpan(1));
            Sha256(rented.AsSpan(0, entry.Length + 1), destination);
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
        Sha256(input, digest);
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
        Sha256(input, destination);
    }

    /// <summary>
    /// SHA-256 through one reused digest per thread: the one-shot API sets up a native digest context on every call,
    /// which costs more than hashing a 65-byte node.
    /// </summary>
    private static void Sha256(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        IncrementalHash digest = _threadDigest ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        digest.AppendData(input);
        digest.GetHashAndReset(destination);
    }

    [ThreadStatic]
    private static IncrementalHash? _threadDigest;

    /// <summary>k, the largest power of two smaller than <paramref name="n"/> (n ≥ 2): where MTH splits.</summary>
    public static long SplitPoint(long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        return 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));
    }
}
