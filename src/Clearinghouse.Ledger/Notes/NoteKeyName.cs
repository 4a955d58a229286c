using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Clearinghouse.Ledger.Notes;

/// <summary>The C2SP signed-note rules for key names and key ids.</summary>
public static class NoteKeyName
{
    /// <summary>Signature type byte of Ed25519 (C2SP signed-note).</summary>
    public const byte Ed25519Type = 0x01;

    /// <summary>
    /// Whether <paramref name="name"/> may name a key: non-empty, well-formed (no lone surrogates), no Unicode white
    /// space and no '+' — golang.org/x/mod/sumdb/note's rule. Non-ASCII letters are allowed.
    /// </summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('+', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var rune in EnumerateRunesStrict(name))
        {
            if (rune is null || Rune.IsWhiteSpace(rune.Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Why <paramref name="name"/> is not a valid key name, or null.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a key name must not be empty";
        }

        if (name.Contains('+', StringComparison.Ordinal))
        {
            return $"key name '{name}' contains '+'";
        }

        foreach (var rune in EnumerateRunesStrict(name))
        {
            if (rune is null)
            {
                return "key name is not well-formed Unicode";
            }

            if (Rune.IsWhiteSpace(rune.Value))
            {
                return $"key name '{name}' contains white space U+{rune.Value.Value:X4}";
            }
        }

        return null;
    }

    /// <summary>Key id = the first four bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key), big-endian.</summary>
    public static uint KeyId(string name, byte signatureType, ReadOnlySpan<byte> publicKey)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[nameBytes.Length + 2 + publicKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = 0x0A;
        input[nameBytes.Length + 1] = signatureType;
        publicKey.CopyTo(input.AsSpan(nameBytes.Length + 2));
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        return BinaryPrimitives.ReadUInt32BigEndian(digest);
    }

    private static IEnumerable<Rune?> EnumerateRunesStrict(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                yield return null;
                yield break;
            }

            yield return rune;
            i += consumed;
        }
    }
}
