using System.Security.Cryptography;
using System.Text;

namespace PrimeDirective.Grains.Interfaces.Keys;

/// <summary>
/// Capability secrets for privacy request receipts: whoever holds the URL may read the receipt, even after the
/// account is gone. Only a hash of the secret is stored.
/// </summary>
public static class Capabilities
{
    /// <summary>A fresh secret (256 bits, URL-safe) and the hash to store.</summary>
    public static (string Secret, string Hash) New()
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (secret, HashOf(secret));
    }

    /// <summary>The stored form of a secret.</summary>
    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Whether <paramref name="presented"/> is the secret behind <paramref name="storedHash"/>, in constant time.</summary>
    public static bool Matches(string presented, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashOf(presented)), Encoding.ASCII.GetBytes(storedHash));
}
