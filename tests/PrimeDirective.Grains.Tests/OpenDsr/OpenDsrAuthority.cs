using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PrimeDirective.Grains.Tests.OpenDsr;

/// <summary>
/// A private certificate authority minted at run time (no public CA is reachable here), issuing OpenDSR certificates as
/// PEM, good and bad: for a domain, expired, for another domain, revoked (with its revocation list), and self-signed ones.
/// </summary>
public sealed class OpenDsrAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;
    private readonly List<byte[]> _revoked = [];

    public OpenDsrAuthority(string name)
    {
        var request = new CertificateRequest($"CN=OpenDSR test authority ({name})", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddYears(5));
    }

    /// <summary>The authority's certificate (PEM): a trust anchor.</summary>
    public string Pem => _certificate.ExportCertificatePem();

    /// <summary>A P-256 certificate for <paramref name="domain"/> (SAN), valid from a day ago for a year unless told otherwise.</summary>
    public Issued Issue(string domain, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, AsymmetricAlgorithm? key = null)
    {
        key ??= ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsa
            ? new CertificateRequest($"CN={domain}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={domain}", (ECDsa)key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(domain);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] % 0x7F) + 1); // 1..127: positive and minimal (a 0x00 first byte before one below 0x80 is redundant, and was refused one run in 512)
        using var certificate = request.Create(
            _certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1), serial);
        return new Issued(certificate.ExportCertificatePem(), key, serial);
    }

    /// <summary>A self-signed P-256 certificate for <paramref name="domain"/> (which OpenDSR §4.1 forbids).</summary>
    public static Issued SelfSigned(string domain)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={domain}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(domain);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return new Issued(certificate.ExportCertificatePem(), key, certificate.SerialNumberBytes.ToArray());
    }

    /// <summary>Adds <paramref name="issued"/> to the revocation list.</summary>
    public void Revoke(Issued issued) => _revoked.Add(issued.Serial);

    /// <summary>The authority's current revocation list (PEM), signed by it.</summary>
    public string RevocationListPem()
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var serial in _revoked)
        {
            builder.AddEntry(serial, DateTimeOffset.UtcNow.AddMinutes(-1));
        }

        var der = builder.Build(_certificate, 1, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256);
        return PemEncoding.WriteString("X509 CRL", der);
    }

    public void Dispose()
    {
        _key.Dispose();
        _certificate.Dispose();
    }

    /// <summary>A certificate (PEM) and its private key; signs like an OpenDSR party: base64 over the SHA-256 of the body.</summary>
    public sealed record Issued(string CertificatePem, AsymmetricAlgorithm Key, byte[] Serial)
    {
        public string PrivateKeyPem => Key.ExportPkcs8PrivateKeyPem();

        public string Sign(byte[] body) => Key switch
        {
            ECDsa ecdsa => Convert.ToBase64String(ecdsa.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
            RSA rsa => Convert.ToBase64String(rsa.SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)),
            _ => throw new NotSupportedException(),
        };
    }
}
