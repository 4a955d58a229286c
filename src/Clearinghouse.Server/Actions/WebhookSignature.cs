using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Clearinghouse.Server.Actions;

/// <summary>
/// The webhook signature, as Stripe's: header <c>Clearinghouse-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>, where
/// the hex is HMAC-SHA256, keyed with the endpoint's secret (its UTF-8 bytes), over <c>&lt;t&gt;.&lt;body&gt;</c>. The
/// time inside the signed text lets a receiver refuse replays older than its tolerance.
/// </summary>
internal static class WebhookSignature
{
    public const string HeaderName = "Clearinghouse-Signature";

    public static string Header(string secret, long unixSeconds, ReadOnlySpan<byte> body) =>
        $"t={unixSeconds.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(Compute(secret, unixSeconds, body))}";

    public static byte[] Compute(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        byte[] prefix = Encoding.ASCII.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        byte[] signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
    }

    /// <summary>A new endpoint secret: <c>whsec_</c> and 32 random base32 characters (160 bits).</summary>
    public static string NewSecret() => "whsec_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz234567", 32);
}
