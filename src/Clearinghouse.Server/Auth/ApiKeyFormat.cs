using System.Buffers.Text;
using System.Security.Cryptography;

namespace Clearinghouse.Server.Auth;

/// <summary>
/// The API key format <c>chk_&lt;keyid&gt;_&lt;secret&gt;</c>: a 12-character public key id (letters and digits, so the
/// separators stay unambiguous) and a 32-byte random secret in unpadded base64url (43 characters).
/// </summary>
/// <remarks>
/// The store keeps only a random salt and SHA-256(salt ‖ secret). A slow password KDF (PBKDF2, Argon2) is not
/// needed: it exists to make guessing low-entropy human passwords expensive, and a 256-bit random secret cannot be
/// guessed whatever the hash speed. A fast hash also keeps verification cheap enough to run on every request.
/// </remarks>
public static class ApiKeyFormat
{
    public const string Prefix = "chk_";
    public const int KeyIdLength = 12;
    public const int SecretBytes = 32;
    public const int SaltBytes = 16;

    /// <summary>Unpadded base64url length of the secret.</summary>
    public const int SecretLength = 43;

    /// <summary>Total length of a key: prefix, key id, separator, secret.</summary>
    public const int KeyLength = 4 + KeyIdLength + 1 + SecretLength;

    private const string KeyIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new random key id.</summary>
    public static string NewKeyId() => RandomNumberGenerator.GetString(KeyIdAlphabet, KeyIdLength);

    /// <summary>A new random secret.</summary>
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    /// <summary>A new random salt.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltBytes);

    /// <summary>The key text a member is given once.</summary>
    public static string Format(string keyId, ReadOnlySpan<byte> secret) =>
        string.Concat(Prefix, keyId, "_", Base64Url.EncodeToString(secret));

    /// <summary>SHA-256(salt ‖ secret), what the store keeps.</summary>
    public static byte[] HashSecret(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> secret)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        HashSecret(salt, secret, hash);
        return hash;
    }

    /// <summary>SHA-256(salt ‖ secret) into <paramref name="destination"/> (32 bytes), allocation-free.</summary>
    public static void HashSecret(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> secret, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[salt.Length + secret.Length];
        salt.CopyTo(input);
        secret.CopyTo(input[salt.Length..]);
        SHA256.HashData(input, destination);
    }

    /// <summary>
    /// Splits a presented key into its key id and secret; false when it does not have the key format (then no
    /// store lookup is needed to refuse it).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> key, out ReadOnlySpan<char> keyId, Span<byte> secret)
    {
        keyId = default;
        if (key.Length != KeyLength || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[4 + KeyIdLength] != '_')
        {
            return false;
        }

        var id = key.Slice(4, KeyIdLength);
        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        var encoded = key[(4 + KeyIdLength + 1)..];
        if (secret.Length != SecretBytes
            || Base64Url.DecodeFromChars(encoded, secret, out int consumed, out int written) != System.Buffers.OperationStatus.Done
            || consumed != SecretLength
            || written != SecretBytes)
        {
            return false;
        }

        keyId = id;
        return true;
    }
}
