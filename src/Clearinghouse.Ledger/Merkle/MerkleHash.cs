using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Clearinghouse.Ledger.Merkle;

/// <summary>
/// A SHA-256 value in the Merkle tree: a leaf hash, an interior node hash or a root. A 32-byte value type so that
/// proofs and frontiers are arrays of structs, not arrays of arrays.
/// </summary>
/// <remarks>
/// The four words hold the 32 bytes in memory order (<see cref="MemoryMarshal.Read{T}(ReadOnlySpan{byte})"/>), so
/// equality of words is equality of bytes; the words have no numeric meaning.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly struct MerkleHash : IEquatable<MerkleHash>
{
    /// <summary>Bytes in a hash.</summary>
    public const int Size = 32;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    /// <summary>Reads a hash from exactly <see cref="Size"/> bytes.</summary>
    public static MerkleHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A Merkle hash is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        return MemoryMarshal.Read<MerkleHash>(bytes);
    }

    /// <summary>Reads the hash at position <paramref name="index"/> of a packed run of hashes.</summary>
    internal static MerkleHash ReadAt(ReadOnlySpan<byte> packed, int index) =>
        MemoryMarshal.Read<MerkleHash>(packed.Slice(index * Size, Size));

    /// <summary>Writes the 32 bytes to <paramref name="destination"/> (at least <see cref="Size"/> bytes).</summary>
    public void CopyTo(Span<byte> destination) => MemoryMarshal.Write(destination, in this);

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Standard base64 (RFC 4648 §4), as checkpoints and proofs carry it.</summary>
    public string ToBase64()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>Lowercase hex.</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Parses canonical base64 of exactly 32 bytes; anything else is a <see cref="FormatException"/>.</summary>
    public static MerkleHash ParseBase64(string text) =>
        TryParseBase64(text, out var hash)
            ? hash
            : throw new FormatException($"'{Truncate(text)}' is not the canonical base64 of a {Size}-byte hash.");

    /// <summary>Parses canonical base64 (padded, no whitespace, zero trailing bits) of exactly 32 bytes.</summary>
    public static bool TryParseBase64([NotNullWhen(true)] string? text, out MerkleHash hash)
    {
        hash = default;
        Span<byte> bytes = stackalloc byte[Size];
        if (text is null || !StrictBase64.TryDecode(text, bytes, out int written) || written != Size)
        {
            return false;
        }

        hash = MemoryMarshal.Read<MerkleHash>(bytes);
        return true;
    }

    /// <summary>Parses 64 hex digits.</summary>
    public static MerkleHash ParseHex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length != 2 * Size)
        {
            throw new FormatException($"A hex Merkle hash has {2 * Size} digits, not {text.Length}.");
        }

        Span<byte> bytes = stackalloc byte[Size];
        if (Convert.FromHexString(text, bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != Size)
        {
            throw new FormatException($"'{Truncate(text)}' is not hex.");
        }

        return MemoryMarshal.Read<MerkleHash>(bytes);
    }

    public bool Equals(MerkleHash other) =>
        _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is MerkleHash other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    public static bool operator ==(MerkleHash left, MerkleHash right) => left.Equals(right);

    public static bool operator !=(MerkleHash left, MerkleHash right) => !left.Equals(right);

    /// <summary>The hex form.</summary>
    public override string ToString() => ToHex();

    private static string Truncate(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
}
