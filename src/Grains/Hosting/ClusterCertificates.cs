using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Connections.Security;

namespace PrimeDirective.Grains.Hosting;

/// <summary>
/// The certificate this process presents to silos and the authority their certificates must chain to. Configured files
/// (<see cref="ClusterTlsOptions"/>) in production; outside it, when none are named, a development authority generated
/// at start and shared by every silo and client of this process (other processes cannot join them).
/// </summary>
public sealed partial class ClusterCertificates
{
    /// <summary>TLS web server authentication: a silo accepts connections, so its certificate needs it.</summary>
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>TLS web client authentication: every process opens connections to silos.</summary>
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private static readonly Lazy<(X509Certificate2 Authority, X509Certificate2 Certificate)> s_development = new(CreateDevelopment);

    private readonly X509Certificate2Collection _authorities;
    private readonly TimeProvider _time;

    public ClusterCertificates(IOptions<ClusterTlsOptions> options, TimeProvider time, ILogger<ClusterCertificates> logger)
    {
        _time = time;
        if (options.Value.IsConfigured)
        {
            (Certificate, _authorities) = Load(options.Value, time);
            LogConfigured(logger, Certificate.Subject, Certificate.NotAfter);
        }
        else
        {
            var (authority, certificate) = s_development.Value;
            (Certificate, _authorities) = (certificate, [authority]);
            LogDevelopment(logger);
        }
    }

    /// <summary>The certificate this process presents.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// TLS for connections this process accepts (<paramref name="peerUsage"/>: what the peer's certificate must allow)
    /// and opens: certificates required both ways, every peer's checked against the authority.
    /// </summary>
    public TlsOptions Options(Oid peerUsage) => new()
    {
        LocalCertificate = Certificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        // Peers are reached by pod address, which no certificate names: the authority vouches for them, not the name.
        RemoteCertificateValidation = (certificate, _, errors) =>
            (errors & ~(SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors)) == SslPolicyErrors.None
            && Trusts(certificate, peerUsage),
    };

    /// <summary>Whether <paramref name="peer"/> chains to the configured authority and allows <paramref name="usage"/> now.</summary>
    public bool Trusts(X509Certificate2 peer, Oid usage)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(usage);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        // A private authority publishes no revocation list; a compromised key is handled by replacing the authority.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        return chain.Build(peer);
    }

    /// <summary>Reads and checks the configured files; the message of a failure names the setting at fault.</summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Authorities) Load(ClusterTlsOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var certificatePath = Required(options.CertificatePath, nameof(options.CertificatePath));
        var keyPath = Required(options.KeyPath, nameof(options.KeyPath));
        var caPath = Required(options.CaPath, nameof(options.CaPath));

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(caPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidOperationException($"{ClusterTlsOptions.SectionName}:CaPath cannot be read as PEM certificates ({exception.GetType().Name}).", exception);
        }

        if (authorities.Count == 0)
        {
            throw new InvalidOperationException($"{ClusterTlsOptions.SectionName}:CaPath holds no certificate.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"{ClusterTlsOptions.SectionName}:CertificatePath and KeyPath cannot be read as a PEM certificate and its key ({exception.GetType().Name}).", exception);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            throw new InvalidOperationException(
                $"The certificate of {ClusterTlsOptions.SectionName}:CertificatePath is valid from {certificate.NotBefore:u} to {certificate.NotAfter:u}, not now.");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (!chain.Build(certificate))
        {
            throw new InvalidOperationException(
                $"The certificate of {ClusterTlsOptions.SectionName}:CertificatePath is not issued by {ClusterTlsOptions.SectionName}:CaPath for client authentication.");
        }

        return (certificate, authorities);
    }

    private static string Required(string? path, string name) =>
        string.IsNullOrWhiteSpace(path)
            ? throw new InvalidOperationException($"{ClusterTlsOptions.SectionName}:{name} is missing: CertificatePath, KeyPath and CaPath go together.")
            : path;

    /// <summary>A development authority and one certificate it issued for every silo and client of this process.</summary>
    private static (X509Certificate2 Authority, X509Certificate2 Certificate) CreateDevelopment()
    {
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=Prime Directive development authority (this process only)", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var authority = authorityRequest.CreateSelfSigned(notBefore, notAfter.AddMinutes(1));

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=prime-directive-development", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var issued = request.Create(authority, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return (X509CertificateLoader.LoadCertificate(authority.Export(X509ContentType.Cert)), issued.CopyWithPrivateKey(key));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Orleans transport: mutual TLS with the configured certificate {Subject}, valid until {NotAfter:u}")]
    private static partial void LogConfigured(ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orleans transport: mutual TLS with a development certificate generated at start; only silos and clients of this process trust it (set Orleans:Tls for a cluster of several processes)")]
    private static partial void LogDevelopment(ILogger logger);
}
