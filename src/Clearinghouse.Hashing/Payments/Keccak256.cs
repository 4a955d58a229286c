using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Clearinghouse.Hashing.Payments;

/// <summary>
/// Keccak-256 as Ethereum and Monero use it: the Keccak-f[1600] sponge with rate 136 bytes and the original Keccak
/// padding (0x01 … 0x80). FIPS 202 SHA3-256 is the same sponge with the padding byte 0x06, which is why .NET's
/// <c>SHA3_256</c> gives different digests and cannot be used for EIP-55 checksums.
/// </summary>
[SkipLocalsInit]
public static class Keccak256
{
    /// <summary>Digest length in bytes.</summary>
    public const int HashLength = 32;

    private const int Rate = 136;

    private static ReadOnlySpan<ulong> RoundConstants =>
    [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ];

    // Rotation of lane (x, y), indexed x + 5y.
    private static ReadOnlySpan<byte> Rotations =>
    [
        0, 1, 62, 28, 27,
        36, 44, 6, 55, 20,
        3, 10, 43, 25, 39,
        41, 45, 15, 21, 8,
        18, 2, 61, 56, 14,
    ];

    /// <summary>Keccak-256 of <paramref name="data"/> into <paramref name="destination"/> (32 bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination) => Sponge(data, destination, 0x01);

    /// <summary>Keccak-256 of <paramref name="data"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new byte[HashLength];
        Hash(data, digest);
        return digest;
    }

    /// <summary>The same sponge with another domain padding byte (0x06 gives SHA3-256; for the tests).</summary>
    internal static void Sponge(ReadOnlySpan<byte> data, Span<byte> destination, byte padding)
    {
        if (destination.Length < HashLength)
        {
            throw new ArgumentException("Need 32 bytes.", nameof(destination));
        }

        Span<ulong> state = stackalloc ulong[25];
        state.Clear();
        while (data.Length >= Rate)
        {
            Absorb(state, data[..Rate]);
            data = data[Rate..];
        }

        Span<byte> last = stackalloc byte[Rate];
        last.Clear();
        data.CopyTo(last);
        last[data.Length] ^= padding;
        last[Rate - 1] ^= 0x80;
        Absorb(state, last);

        for (int i = 0; i < HashLength / 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(8 * i)..], state[i]);
        }
    }

    private static void Absorb(Span<ulong> state, ReadOnlySpan<byte> block)
    {
        for (int i = 0; i < Rate / 8; i++)
        {
            state[i] ^= BinaryPrimitives.ReadUInt64LittleEndian(block[(8 * i)..]);
        }

        Permute(state);
    }

    private static void Permute(Span<ulong> a)
    {
        Span<ulong> c = stackalloc ulong[5];
        Span<ulong> b = stackalloc ulong[25];
        for (int round = 0; round < 24; round++)
        {
            // θ: each lane absorbs the parities of two neighbouring columns.
            for (int x = 0; x < 5; x++)
            {
                c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
            }

            for (int x = 0; x < 5; x++)
            {
                ulong d = c[(x + 4) % 5] ^ BitOperations.RotateLeft(c[(x + 1) % 5], 1);
                for (int y = 0; y < 25; y += 5)
                {
                    a[x + y] ^= d;
                }
            }

            // ρ and π: rotate each lane and move (x, y) to (y, 2x + 3y).
            for (int x = 0; x < 5; x++)
            {
                for (int y = 0; y < 5; y++)
                {
                    b[y + (5 * (((2 * x) + (3 * y)) % 5))] = BitOperations.RotateLeft(a[x + (5 * y)], Rotations[x + (5 * y)]);
                }
            }

            // χ: the only non-linear step, along rows.
            for (int y = 0; y < 25; y += 5)
            {
                for (int x = 0; x < 5; x++)
                {
                    a[x + y] = b[x + y] ^ (~b[((x + 1) % 5) + y] & b[((x + 2) % 5) + y]);
                }
            }

            // ι
            a[0] ^= RoundConstants[round];
        }
    }
}
