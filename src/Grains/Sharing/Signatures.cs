using System.Security.Cryptography;
using System.Text;

namespace PrimeDirective.Grains.Sharing;

/// <summary>HMAC-SHA256 signatures of what we send processors, keyed by each processor's secret.</summary>
public static class Signatures
{
    /// <summary>The header a package push is signed in.</summary>
    public const string PackageHeader = "X-PrimeDirective-Signature";

    /// <summary>The header an erasure request is signed in (OpenDSR).</summary>
    public const string OpenDsrHeader = "X-OpenDSR-Signature";

    /// <summary>Lower-case hex HMAC-SHA256 of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static string Sign(string secret, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
