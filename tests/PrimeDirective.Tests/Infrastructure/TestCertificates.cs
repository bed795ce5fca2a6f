using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// Certificates for the Orleans transport's mutual TLS, as PEM files like a Kubernetes TLS secret mounts them: the test
/// cluster's authority with a silo certificate (server and client authentication) and a gateway certificate (client
/// authentication only), and a foreign authority nobody trusts. Minted once per test process.
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<TestAuthority> s_cluster = new(() => TestAuthority.Create("cluster"));
    private static readonly Lazy<TestAuthority> s_foreign = new(() => TestAuthority.Create("foreign"));

    /// <summary>The authority every test silo and gateway trusts.</summary>
    public static TestAuthority Cluster => s_cluster.Value;

    /// <summary>An authority no test process trusts.</summary>
    public static TestAuthority Foreign => s_foreign.Value;
}

/// <summary>A private certificate authority and the PEM files of certificates it issued.</summary>
public sealed class TestAuthority
{
    private readonly X509Certificate2 _authority;

    private TestAuthority(string name, X509Certificate2 authority, string directory)
    {
        Name = name;
        _authority = authority;
        Directory = directory;
        CaPath = Path.Combine(directory, "ca.crt");
        File.WriteAllText(CaPath, authority.ExportCertificatePem());
        Silo = Issue("silo", ClusterCertificates.ServerAuthentication, ClusterCertificates.ClientAuthentication);
        Gateway = Issue("gateway", ClusterCertificates.ClientAuthentication);
    }

    public string Name { get; }

    public string Directory { get; }

    /// <summary>The authority's certificate (PEM), as a secret's <c>ca.crt</c>.</summary>
    public string CaPath { get; }

    /// <summary>A silo's files: server and client authentication.</summary>
    public CertificateFiles Silo { get; }

    /// <summary>A gateway's files: client authentication only, as an Orleans client needs.</summary>
    public CertificateFiles Gateway { get; }

    public static TestAuthority Create(string name)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory($"pd-tls-{name}-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Prime Directive test authority ({name})", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        return new TestAuthority(name, authority, directory);
    }

    /// <summary>Whether this authority issued <paramref name="certificate"/> (a silo's, as a test client checks it).</summary>
    public bool Issued(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }

    /// <summary>Issues a certificate for <paramref name="usages"/> and writes it, its key and the authority as PEM files.</summary>
    public CertificateFiles Issue(string name, params Oid[] usages) =>
        Issue(name, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), usages);

    /// <summary>Issues a certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public CertificateFiles Issue(string name, DateTimeOffset notBefore, DateTimeOffset notAfter, params Oid[] usages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=prime-directive-{name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] % 0x7F) + 1); // 1..127: positive and minimal (a 0x00 first byte before one below 0x80 is redundant, and was refused one run in 512)
        using var certificate = request.Create(_authority, notBefore, notAfter, serial);
        var stem = Path.Combine(Directory, $"{name}-{Guid.NewGuid():N}");
        var files = new CertificateFiles($"{stem}.crt", $"{stem}.key", CaPath);
        File.WriteAllText(files.CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(files.KeyPath, key.ExportPkcs8PrivateKeyPem());
        return files;
    }
}

/// <summary>A certificate, its key and the authority to trust, as files; and the settings that name them.</summary>
public sealed record CertificateFiles(string CertificatePath, string KeyPath, string CaPath)
{
    public Dictionary<string, string?> Settings => new(StringComparer.Ordinal)
    {
        [$"{ClusterTlsOptions.SectionName}:CertificatePath"] = CertificatePath,
        [$"{ClusterTlsOptions.SectionName}:KeyPath"] = KeyPath,
        [$"{ClusterTlsOptions.SectionName}:CaPath"] = CaPath,
    };

    /// <summary>The same settings as command-line arguments.</summary>
    public IEnumerable<string> Arguments => Settings.Select(setting => string.Create(CultureInfo.InvariantCulture, $"--{setting.Key}={setting.Value}"));

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Load() => X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
}
