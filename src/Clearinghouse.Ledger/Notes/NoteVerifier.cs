using System.Globalization;
using Clearinghouse.Ledger.Merkle;
using NSec.Cryptography;

namespace Clearinghouse.Ledger.Notes;

/// <summary>
/// A known Ed25519 key that can check note signatures, parsed from a C2SP verifier key
/// <c>name+hex(keyid)+base64(0x01 ‖ public key)</c> (the form golang.org/x/mod/sumdb/note reads and writes).
/// </summary>
public sealed class NoteVerifier
{
    private readonly PublicKey _publicKey;

    private NoteVerifier(string name, uint keyId, PublicKey publicKey, string encoded)
    {
        Name = name;
        KeyId = keyId;
        _publicKey = publicKey;
        VerifierKey = encoded;
    }

    public string Name { get; }

    public uint KeyId { get; }

    /// <summary>The verifier key string, canonical (lowercase hex).</summary>
    public string VerifierKey { get; }

    /// <summary>The 32-byte Ed25519 public key.</summary>
    public byte[] PublicKeyBytes => _publicKey.Export(KeyBlobFormat.RawPublicKey);

    /// <summary>Parses a verifier key; a precise <see cref="FormatException"/> for anything malformed.</summary>
    public static NoteVerifier Parse(string verifierKey)
    {
        ArgumentNullException.ThrowIfNull(verifierKey);
        string[] parts = verifierKey.Split('+', 3);
        if (parts.Length != 3)
        {
            throw new FormatException("a verifier key is name+keyid+key: it needs two '+' separators");
        }

        (string name, string hex, string key64) = (parts[0], parts[1], parts[2]);
        if (NoteKeyName.Problem(name) is { } problem)
        {
            throw new FormatException($"malformed verifier key: {problem}");
        }

        uint keyId = ParseKeyId(hex);
        byte[] key = StrictBase64.Decode(key64, requireCanonical: false)
            ?? throw new FormatException("malformed verifier key: the key is not base64");
        if (key.Length == 0 || key[0] != NoteKeyName.Ed25519Type)
        {
            throw new FormatException($"unsupported verifier key algorithm {(key.Length == 0 ? "(none)" : key[0].ToString(CultureInfo.InvariantCulture))}: only Ed25519 (1) is supported");
        }

        if (key.Length != 33)
        {
            throw new FormatException($"malformed verifier key: an Ed25519 key is 32 bytes, not {key.Length - 1}");
        }

        if (NoteKeyName.KeyId(name, NoteKeyName.Ed25519Type, key.AsSpan(1)) != keyId)
        {
            throw new FormatException($"malformed verifier key: key id {hex} does not match the name and key");
        }

        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, key.AsSpan(1), KeyBlobFormat.RawPublicKey, out PublicKey? publicKey))
        {
            throw new FormatException("malformed verifier key: not an Ed25519 public key");
        }

        return new NoteVerifier(name, keyId, publicKey!, Format(name, keyId, key.AsSpan(1)));
    }

    /// <summary>A verifier for a raw 32-byte Ed25519 public key under <paramref name="name"/>.</summary>
    public static NoteVerifier FromPublicKey(string name, ReadOnlySpan<byte> publicKey)
    {
        if (NoteKeyName.Problem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        if (publicKey.Length != 32 || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out PublicKey? key))
        {
            throw new ArgumentException("an Ed25519 public key is 32 bytes", nameof(publicKey));
        }

        uint keyId = NoteKeyName.KeyId(name, NoteKeyName.Ed25519Type, publicKey);
        return new NoteVerifier(name, keyId, key!, Format(name, keyId, publicKey));
    }

    /// <summary>Whether <paramref name="signature"/> (without the key id) is this key's signature of <paramref name="message"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureAlgorithm.Ed25519.SignatureSize
        && SignatureAlgorithm.Ed25519.Verify(_publicKey, message, signature);

    public override string ToString() => VerifierKey;

    internal static string Format(string name, uint keyId, ReadOnlySpan<byte> publicKey)
    {
        var key = new byte[33];
        key[0] = NoteKeyName.Ed25519Type;
        publicKey.CopyTo(key.AsSpan(1));
        return string.Create(CultureInfo.InvariantCulture, $"{name}+{keyId:x8}+{Convert.ToBase64String(key)}");
    }

    internal static uint ParseKeyId(string hex)
    {
        if (hex.Length != 8 || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint keyId))
        {
            throw new FormatException($"malformed key: the key id must be 8 hex digits, not '{hex}'");
        }

        return keyId;
    }
}
