using System.Security.Cryptography;
using System.Text;

namespace Clearinghouse.Ledger.Entries;

/// <summary>
/// The salted commitment a public log entry carries instead of a signal's raw value: SHA-256(salt ‖ value) with a
/// random 32-byte salt, in lowercase hex. The log shows nothing an adversary can test evasions against; a member who
/// holds the value and its salt can prove what was listed.
/// </summary>
/// <remarks>The value is the UTF-8 of the signal's canonical text form (as its signal type formats it). The salt has a
/// fixed length, so (salt, value) splits one way only.</remarks>
public static class ValueCommitment
{
    public const int SaltSize = 32;

    /// <summary>A fresh random salt.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltSize);

    /// <summary>SHA-256(salt ‖ UTF-8(value)) in lowercase hex.</summary>
    public static string Compute(ReadOnlySpan<byte> salt, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (salt.Length != SaltSize)
        {
            throw new ArgumentException($"a commitment salt is {SaltSize} bytes, not {salt.Length}", nameof(salt));
        }

        // One-shot hash of salt ‖ value in a stack buffer: most values are short hashes, and the incremental path
        // costs an allocation and a native context per call (this runs once per signal in a bulk import).
        int length = SaltSize + Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > 1024)
        {
            return Compute(salt, Encoding.UTF8.GetBytes(value));
        }

        Span<byte> input = stackalloc byte[length];
        salt.CopyTo(input);
        int written = SaltSize + Encoding.UTF8.GetBytes(value, input[SaltSize..]);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input[..written], digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>SHA-256(salt ‖ value) in lowercase hex.</summary>
    public static string Compute(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> value)
    {
        if (salt.Length != SaltSize)
        {
            throw new ArgumentException($"a commitment salt is {SaltSize} bytes, not {salt.Length}", nameof(salt));
        }

        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        digest.AppendData(salt);
        digest.AppendData(value);
        return Convert.ToHexStringLower(digest.GetHashAndReset());
    }

    /// <summary>Whether <paramref name="value"/> with <paramref name="salt"/> opens <paramref name="commitment"/>
    /// (compared in constant time); false for a malformed commitment or salt.</summary>
    public static bool Matches(string commitment, ReadOnlySpan<byte> salt, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Matches(commitment, salt, Encoding.UTF8.GetBytes(value));
    }

    /// <inheritdoc cref="Matches(string, ReadOnlySpan{byte}, string)"/>
    public static bool Matches(string commitment, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> value)
    {
        if (!IsWellFormed(commitment) || salt.Length != SaltSize)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Compute(salt, value)), Encoding.ASCII.GetBytes(commitment));
    }

    /// <summary>Whether <paramref name="commitment"/> is 64 lowercase hex digits.</summary>
    public static bool IsWellFormed(string? commitment) =>
        commitment is { Length: 64 } && commitment.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
