using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PrimeDirective.Grains.Interfaces.OpenDsr;

/// <summary>
/// Our OpenDSR signing keys (ECDSA P-256, FIPS 186-4), each with its CA-issued certificate: the active one signs the SHA-256
/// of every body we send or answer; all of them are published. Read once from configuration; a bad key stops the process.
/// </summary>
public sealed class OpenDsrKeyRing : IDisposable
{
    private readonly ImmutableArray<OpenDsrKey> _keys;

    /// <summary>Reads every configured key; throws <see cref="InvalidOperationException"/> on a key that is not P-256 or not its certificate's.</summary>
    public OpenDsrKeyRing(OpenDsrOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Domain = options.Domain;
        _keys = [.. options.Keys.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => OpenDsrKey.Load(pair.Key, pair.Value))];
        if (_keys.Length > 0)
        {
            Active = _keys.SingleOrDefault(key => key.Id == options.ActiveKey)
                ?? throw new InvalidOperationException("OpenDsr:ActiveKey must name one of OpenDsr:Keys.");
        }
    }

    /// <summary>Our OpenDSR domain, if configured.</summary>
    public string? Domain { get; }

    /// <summary>The key that signs now; <c>null</c> when none is configured (nothing is signed then).</summary>
    public OpenDsrKey? Active { get; }

    /// <summary>Every key version, the active one among them.</summary>
    public ImmutableArray<OpenDsrKey> Keys => _keys;

    /// <summary>Base64 of the DER ECDSA signature over the SHA-256 of <paramref name="body"/>, by the active key; <c>null</c> if none.</summary>
    public string? Sign(ReadOnlySpan<byte> body) =>
        Active is { } key ? Convert.ToBase64String(key.PrivateKey.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)) : null;

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }
}

/// <summary>One key version: its id, certificate chain and private key.</summary>
public sealed class OpenDsrKey : IDisposable
{
    private OpenDsrKey(string id, X509Certificate2Collection chain, ECDsa privateKey)
    {
        Id = id;
        Chain = chain;
        PrivateKey = privateKey;
    }

    /// <summary>The key id (<c>kid</c>).</summary>
    public string Id { get; }

    /// <summary>The certificate first, then the authorities that issued it.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>The certificate.</summary>
    public X509Certificate2 Certificate => Chain[0];

    /// <summary>The private key.</summary>
    public ECDsa PrivateKey { get; }

    /// <summary>The chain as PEM, as <c>processor_certificate</c> serves it.</summary>
    public string ChainPem => string.Concat(Chain.Select(certificate => certificate.ExportCertificatePem() + "\n"));

    internal static OpenDsrKey Load(string id, OpenDsrKeyOptions options)
    {
        if (options.Certificate is null || options.PrivateKey is null)
        {
            throw new InvalidOperationException($"OpenDsr:Keys:{id} needs Certificate and PrivateKey.");
        }

        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(Pem.Read(options.Certificate));
        var key = ECDsa.Create();
        key.ImportFromPem(Pem.Read(options.PrivateKey));
        var ours = chain.Count > 0 ? chain[0].GetECDsaPublicKey() : null;
        if (ours is null || key.KeySize != 256 ||
            !ours.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new InvalidOperationException($"OpenDsr:Keys:{id} must be a P-256 key and the certificate issued for it.");
        }

        ours.Dispose();
        return new OpenDsrKey(id, chain, key);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        PrivateKey.Dispose();
        foreach (var certificate in Chain)
        {
            certificate.Dispose();
        }
    }
}
