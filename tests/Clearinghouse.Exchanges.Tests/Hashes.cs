namespace Clearinghouse.Exchanges.Tests;

/// <summary>The hash values the fixtures use, as this node stores them.</summary>
internal static class Hashes
{
    public const string M1 = "md5:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    public const string M2 = "md5:b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
    public const string M3 = "md5:c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3";
    public const string P1 = "pdq:f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
    public const string P2 = "pdq:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    public const string P3 = "pdq:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    public static string[] Sorted(params string[] values) => [.. values.Order(StringComparer.Ordinal)];
}
