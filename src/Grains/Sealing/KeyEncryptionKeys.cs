using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Grains.Sealing;

/// <summary>
/// The key-encryption keys from configuration (<see cref="KeyStoreOptions"/>): several versions, one active. A data key is
/// wrapped with AES-256-GCM under the active KEK, its id and the KEK's version as associated data; a wrapped key
/// names the version that opens it, so older KEKs keep unwrapping until every key they wrapped is gone or re-wrapped.
/// </summary>
public sealed class KeyEncryptionKeys
{
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly ConcurrentDictionary<int, byte[]> _keks;
    private readonly ConcurrentDictionary<int, bool> _destroyed = new();

    /// <summary>Reads the configured KEKs; with none configured, <paramref name="mayDrawRandom"/> allows a random one (in-memory mode only).</summary>
    public KeyEncryptionKeys(IOptions<KeyStoreOptions> options, bool mayDrawRandom)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _keks = new();
        foreach (var (version, value) in settings.Keks)
        {
            Add(version, value, $"KeyStore:Keks:{version}");
        }

        if (!string.IsNullOrWhiteSpace(settings.KekDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(settings.KekDirectory).Where(file => !Path.GetFileName(file).StartsWith('.')))
            {
                Add(Path.GetFileName(file), File.ReadAllText(file).Trim(), $"the file {Path.GetFileName(file)} of KeyStore:KekDirectory");
            }
        }

        if (_keks.IsEmpty)
        {
            if (!mayDrawRandom)
            {
                throw new InvalidOperationException(
                    "KeyStore:Keks:{version} (base64, 32 bytes) or KeyStore:KekDirectory is required when data is stored durably: "
                    + "the key-encryption keys wrap every subject's data key.");
            }

            // In-memory mode: the keys it wraps die with the process, and so may this one.
            _keks[1] = RandomNumberGenerator.GetBytes(KeySize);
        }

        Active = settings.ActiveKek ?? _keks.Keys.Max();
        if (!_keks.ContainsKey(Active))
        {
            throw new InvalidOperationException($"KeyStore:ActiveKek names version {Active}, which is not configured.");
        }
    }

    /// <summary>The version that wraps new data keys.</summary>
    public int Active { get; }

    /// <summary>The configured versions still in use (not destroyed).</summary>
    public IReadOnlyCollection<int> Versions => [.. _keks.Keys.Order()];

    /// <summary>Whether keys wrapped by <paramref name="version"/> can be unwrapped here (configured and not destroyed).</summary>
    public bool CanUnwrap(int version) => _keks.ContainsKey(version);

    /// <summary>Whether <paramref name="version"/> was destroyed in this process (<see cref="Destroy"/>).</summary>
    public bool IsDestroyed(int version) => _destroyed.ContainsKey(version);

    /// <summary>
    /// Drops the material of <paramref name="version"/> from use: nothing wraps or unwraps with it again in this process,
    /// even while the configuration still holds it. The active version is never destroyed.
    /// </summary>
    public void Destroy(int version)
    {
        if (version == Active)
        {
            throw new InvalidOperationException($"KEK version {version} is the active one and cannot be destroyed.");
        }

        _destroyed[version] = true;
        if (_keks.TryRemove(version, out var material))
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>The key <paramref name="key"/> wrapped anew under the active KEK (its material never leaves this method).</summary>
    public byte[] Rewrap(WrappedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var material = Unwrap(key.Id, key.KekVersion, key.Wrapped);
        try
        {
            return Wrap(key.Id, material);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary><paramref name="material"/> wrapped under the active KEK, bound to <paramref name="keyId"/>.</summary>
    public byte[] Wrap(Guid keyId, ReadOnlySpan<byte> material)
    {
        var wrapped = new byte[NonceSize + TagSize + material.Length];
        var nonce = wrapped.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keks[Active], TagSize);
        aes.Encrypt(nonce, material, wrapped.AsSpan(NonceSize + TagSize), wrapped.AsSpan(NonceSize, TagSize), Associated(keyId, Active));
        return wrapped;
    }

    /// <summary>The key material of <paramref name="wrapped"/>; throws if its KEK is not configured or the bytes were altered.</summary>
    public byte[] Unwrap(Guid keyId, int version, ReadOnlySpan<byte> wrapped)
    {
        if (!_keks.TryGetValue(version, out var kek))
        {
            if (IsDestroyed(version))
            {
                throw new InvalidOperationException($"Data key wrapped by KEK version {version}, which was destroyed (Keys:KekMaxAge after it stopped being active).");
            }

            throw new InvalidOperationException($"Data key wrapped by KEK version {version}, which is not configured (KeyStore:Keks).");
        }

        if (wrapped.Length != NonceSize + TagSize + KeySize)
        {
            throw new CryptographicException("A wrapped data key has the wrong length.");
        }

        var material = new byte[KeySize];
        using var aes = new AesGcm(kek, TagSize);
        aes.Decrypt(wrapped[..NonceSize], wrapped[(NonceSize + TagSize)..], wrapped.Slice(NonceSize, TagSize), material, Associated(keyId, version));
        return material;
    }

    private void Add(string version, string base64, string where)
    {
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            throw new InvalidOperationException($"KEK versions are positive integers: {where} is not one.");
        }

        byte[] kek;
        try
        {
            kek = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{where} is not base64.");
        }

        if (kek.Length != KeySize)
        {
            throw new InvalidOperationException($"{where} must be 32 bytes (base64 of 32 random bytes).");
        }

        if (!_keks.TryAdd(number, kek) && !_keks[number].AsSpan().SequenceEqual(kek))
        {
            throw new InvalidOperationException($"KEK version {number} is configured twice with different values.");
        }
    }

    private static byte[] Associated(Guid keyId, int version) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"prime-directive data key|{keyId:N}|{version}"));
}
