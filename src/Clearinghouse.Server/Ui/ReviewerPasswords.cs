using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Clearinghouse.Server.Ui;

/// <summary>
/// Reviewers' passwords as Argon2id hashes in the PHC string format
/// (<c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c>, unpadded base64), with OWASP's minimum
/// parameters (19 MiB, 2 passes, 1 lane). Verification reads the parameters from the stored string, so they can
/// be raised later without invalidating existing hashes, and compares in constant time.
/// </summary>
public static class ReviewerPasswords
{
    public const int MinLength = 12;

    public const int MaxLength = 1024;

    private const int MemoryKiB = 19 * 1024;
    private const int Iterations = 2;
    private const int Parallelism = 1;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>A hash of a password nobody has: verified against when the username is unknown, so that takes as long as a wrong password.</summary>
    internal static readonly string DecoyHash = Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));

    /// <summary>Why <paramref name="password"/> is not acceptable as a new password; null when it is.</summary>
    public static string? Problem(string? password) => password switch
    {
        null or "" => "the password is empty",
        { Length: < MinLength } => $"the password must be at least {MinLength} characters",
        { Length: > MaxLength } => $"the password must be at most {MaxLength} characters",
        _ when password.Any(char.IsControl) => "the password contains control characters",
        _ => null,
    };

    public static string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] hash = Derive(password, salt, MemoryKiB, Iterations, Parallelism, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"$argon2id$v=19$m={MemoryKiB},t={Iterations},p={Parallelism}${B64(salt)}${B64(hash)}");
    }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="phc"/>; false for a malformed or foreign hash string.</summary>
    public static bool Verify(string password, string phc)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(phc, out int memory, out int iterations, out int parallelism, out byte[] salt, out byte[] expected))
        {
            return false;
        }

        byte[] actual = Derive(password, salt, memory, iterations, parallelism, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static byte[] Derive(string password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
    {
        byte[] secret = Encoding.UTF8.GetBytes(password);
        try
        {
            using var argon = new Argon2id(secret) { Salt = salt, MemorySize = memoryKiB, Iterations = iterations, DegreeOfParallelism = parallelism };
            return argon.GetBytes(length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static bool TryParse(string? phc, out int memory, out int iterations, out int parallelism, out byte[] salt, out byte[] hash)
    {
        (memory, iterations, parallelism, salt, hash) = (0, 0, 0, [], []);
        string[] parts = (phc ?? string.Empty).Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != "v=19")
        {
            return false;
        }

        foreach (string parameter in parts[3].Split(','))
        {
            string[] pair = parameter.Split('=');
            if (pair.Length != 2 || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1)
            {
                return false;
            }

            switch (pair[0])
            {
                case "m": memory = value; break;
                case "t": iterations = value; break;
                case "p": parallelism = value; break;
                default: return false;
            }
        }

        // Bounds keep a tampered row from making verification allocate gigabytes or spin for minutes.
        if (memory is < 8 or > 1024 * 1024 || iterations > 100 || parallelism > 64 || !TryB64(parts[4], out salt) || !TryB64(parts[5], out hash))
        {
            return false;
        }

        return salt.Length >= 8 && hash.Length >= 16;
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryB64(string text, out byte[] bytes)
    {
        bytes = [];
        string padded = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        try
        {
            bytes = Convert.FromBase64String(padded);
            return bytes.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
