using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Grains.Sharing;

/// <summary>
/// The keys that seal disclosure ledgers and their evidence (HMAC-SHA256), by version. They come from configuration only,
/// so whoever can write the databases cannot forge a seal. The highest version seals; every known version verifies.
/// </summary>
public sealed class LedgerKeyRing
{
    /// <summary>The shortest key accepted.</summary>
    public const int MinimumKeyBytes = 32;

    private static readonly byte[] s_derivation = Encoding.UTF8.GetBytes("prime-directive disclosure ledger v1");

    private readonly ImmutableDictionary<int, byte[]> _keys;

    /// <summary>Version 1 is derived from the pseudonym key (random in a single in-memory process) unless configured; configured versions add to it.</summary>
    public LedgerKeyRing(IOptions<SharingOptions> sharing, IOptions<PrivacyOptions> privacy)
    {
        ArgumentNullException.ThrowIfNull(sharing);
        ArgumentNullException.ThrowIfNull(privacy);
        var keys = new Dictionary<int, byte[]>
        {
            [1] = privacy.Value.PseudonymKey is { Length: > 0 } pseudonym
                ? HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromBase64String(pseudonym), 32, salt: [], info: s_derivation)
                : RandomNumberGenerator.GetBytes(32),
        };
        foreach (var (version, text) in sharing.Value.LedgerKeys)
        {
            keys[version] = Parse(version, text) ?? throw new InvalidOperationException(
                $"Sharing:LedgerKeys:{version} must be base64 of at least {MinimumKeyBytes} bytes, under a version of 1 or more.");
        }

        _keys = keys.ToImmutableDictionary();
        Current = keys.Keys.Max();
    }

    /// <summary>The version new seals are made with.</summary>
    public int Current { get; }

    /// <summary>Whether a key of <paramref name="version"/> is configured.</summary>
    public bool Knows(int version) => _keys.ContainsKey(version);

    /// <summary>The seal of <paramref name="text"/> under the key of <paramref name="version"/> (lower-case hex).</summary>
    public string Seal(int version, string text) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_keys[version], Encoding.UTF8.GetBytes(text)));

    /// <summary>Whether <paramref name="seal"/> is the seal of <paramref name="text"/> under a known <paramref name="version"/>, in constant time.</summary>
    public bool Verifies(int version, string text, string seal) =>
        Knows(version) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Seal(version, text)), Encoding.ASCII.GetBytes(seal));

    /// <summary>Whether every configured key is well-formed (checked at start).</summary>
    public static bool AreValid(SharingOptions options) =>
        options?.LedgerKeys.All(pair => Parse(pair.Key, pair.Value) is not null) ?? false;

    private static byte[]? Parse(int version, string? text)
    {
        if (version < 1 || string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) && written >= MinimumKeyBytes ? buffer[..written] : null;
    }
}
