using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Grains.Interfaces.Keys;

/// <summary>
/// Turns a subject's identifier into a keyed hash (HMAC-SHA256), so grain keys, directory, membership
/// and reminder rows, and log lines that name a grain carry no personal identifier.
/// </summary>
public sealed class Pseudonymizer
{
    private readonly byte[] _key;

    /// <summary>Uses the configured key, or a random one (only for a single in-memory process).</summary>
    public Pseudonymizer(IOptions<PrivacyOptions> options)
    {
        var configured = options.Value.PseudonymKey;
        _key = string.IsNullOrWhiteSpace(configured) ? RandomNumberGenerator.GetBytes(32) : Convert.FromBase64String(configured);
        if (_key.Length < 32)
        {
            throw new InvalidOperationException("Privacy:PseudonymKey must be at least 32 bytes of base64.");
        }
    }

    /// <summary>The pseudonym of <paramref name="id"/> within <paramref name="domain"/> (a subject kind such as "cluster").</summary>
    public string Pseudonymize(string domain, string id)
    {
        var input = Encoding.UTF8.GetBytes($"{domain}\n{id}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, input));
    }
}
