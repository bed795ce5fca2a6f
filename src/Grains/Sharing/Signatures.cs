using System.Security.Cryptography;
using System.Text;
using PrimeDirective.Grains.Interfaces.Sharing;

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

    /// <summary>
    /// The <see cref="PackageHeader"/> value for a message to <paramref name="delivery"/>: the signature under its secret and,
    /// during a rotation's overlap, a comma and the signature under its previous secret (a processor accepts any one that matches).
    /// </summary>
    public static string For(ProcessorDelivery delivery, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var current = Sign(delivery.Secret, body);
        return delivery.PreviousSecret is { Length: > 0 } previous ? $"{current}, {Sign(previous, body)}" : current;
    }
}
