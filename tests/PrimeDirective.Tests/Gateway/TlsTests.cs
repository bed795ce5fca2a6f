using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Gateway;

/// <summary>
/// "These statistics are transmitted using TLS": a gateway given a certificate serves HTTPS, sends plain HTTP there, and
/// pins it with HSTS; in Production it serves plain HTTP only where TLS ends in front of it, and says at start which it is.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class TlsTests(SharedService service) : IDisposable
{
    private const string Urls = "http://127.0.0.1:0;https://127.0.0.1:0";

    private readonly string _directory = Directory.CreateTempSubdirectory("pd-tls-").FullName;
    private readonly List<X509Certificate2> _certificates = [];

    [Fact]
    public async Task A_report_over_https_from_a_client_that_trusts_the_certificate_is_stored_and_shown_to_its_operator()
    {
        var (certificate, gateway) = await StartWithPemAsync();
        using var https = Trusting(gateway.Https, certificate);
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using var report = await https.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);

        using var held = await https.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        Assert.Equal(cluster, (string?)(await Json.ReadAsync(held))["clusterId"]);
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(cluster));
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_certificate_is_refused_and_nothing_is_stored()
    {
        var (_, gateway) = await StartWithPemAsync();
        using var untrusting = new HttpClient { BaseAddress = gateway.Https };
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.SendAsync(Flynn.SchedulerReport(cluster, bootstrap)));

        Assert.IsType<AuthenticationException>(refused.InnerException);
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(cluster));
    }

    [Fact]
    public async Task Plain_http_is_redirected_to_the_https_url_with_307_and_nothing_is_stored()
    {
        var (certificate, gateway) = await StartWithPemAsync();
        using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.Http };
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using var scheduler = await plain.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));
        using var posted = await plain.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, $"r-{Guid.NewGuid():N}")));

        // 307 (not 301/302): a client following it repeats a POST with its body instead of turning it into a GET.
        Assert.Equal(HttpStatusCode.TemporaryRedirect, scheduler.StatusCode);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, posted.StatusCode);
        var location = scheduler.Headers.Location!;
        Assert.Equal(Uri.UriSchemeHttps, location.Scheme);
        Assert.Equal(gateway.Https.Port, location.Port);
        Assert.Equal("/measure/scheduler", location.AbsolutePath);
        Assert.Contains($"id_cluster={cluster}", location.Query, StringComparison.Ordinal);
        Assert.Equal(new Uri(gateway.Https, $"/v1/clusters/{cluster}/reports"), posted.Headers.Location);
        Assert.False(scheduler.Headers.Contains("Strict-Transport-Security"), "HSTS over plain HTTP means nothing");

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(cluster));
        using var https = Trusting(gateway.Https, certificate);
        using var held = await https.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.NotFound, held.StatusCode);
        Assert.DoesNotContain(cluster, LogText.All(service.Logs), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_client_following_the_redirect_delivers_its_posted_report_over_https()
    {
        var (certificate, gateway) = await StartWithPemAsync();
        using var following = Trusting(gateway.Http, certificate);
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using var posted = await following.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, $"r-{Guid.NewGuid():N}")));

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal(Uri.UriSchemeHttps, posted.RequestMessage!.RequestUri!.Scheme);
        Assert.Equal(HttpMethod.Post, posted.RequestMessage.Method);
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(cluster));
    }

    [Fact]
    public async Task Https_responses_carry_strict_transport_security_on_loopback_too()
    {
        var (certificate, gateway) = await StartWithPemAsync();
        using var https = Trusting(gateway.Https, certificate);

        using var report = await https.SendAsync(Flynn.SchedulerReport(Flynn.NewId(), Flynn.NewId()));
        using var missing = await https.GetAsync($"/v1/clusters/{Flynn.NewId()}");

        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.StartsWith("max-age=", Assert.Single(report.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
        Assert.True(missing.Headers.Contains("Strict-Transport-Security"), "error responses pin HTTPS too");
    }

    [Fact]
    public async Task A_pfx_with_its_password_serves_https_as_well()
    {
        var certificate = SelfSigned();
        var path = Path.Combine(_directory, "gateway.pfx");
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        await File.WriteAllBytesAsync(path, certificate.Export(X509ContentType.Pfx, password));
        var gateway = await StartAsync(new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client",
            ["Kestrel:Certificates:Default:Path"] = path,
            ["Kestrel:Certificates:Default:Password"] = password,
        });
        using var https = Trusting(gateway.Https, certificate);
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using var report = await https.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));

        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(cluster));
    }

    [Fact]
    public async Task Without_a_certificate_plain_http_is_served_with_no_redirect_and_no_hsts()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));

        Assert.Equal(Uri.UriSchemeHttp, service.Http.BaseAddress!.Scheme);
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Null(report.Headers.Location);
        Assert.False(report.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(cluster));
    }

    [Fact]
    public async Task A_certificate_without_an_https_url_refuses_to_start()
    {
        var certificate = SelfSigned();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => service.StartGatewayOnAsync("http://127.0.0.1:0", PemSettings(certificate)));

        Assert.Contains("https://", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_production_the_gateway_refuses_to_start_without_a_certificate_or_tls_upstream_and_says_why()
    {
        var port = FreePort.Next();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            service.StartGatewayOnAsync($"http://127.0.0.1:{port}", new Dictionary<string, string?> { ["Orleans:Mode"] = "client" }, Environments.Production));

        Assert.Contains("Kestrel:Certificates:Default:Path", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:TlsTerminatedUpstream", refused.Message, StringComparison.Ordinal);
        Assert.True(FreePort.IsBindable(port), "a refused gateway must not have listened");
    }

    [Fact]
    public async Task In_production_behind_a_proxy_that_terminates_tls_the_gateway_serves_plain_http_and_says_so_at_start()
    {
        var said = Said("TLS: terminated upstream");
        var addresses = await service.StartGatewayOnAsync("http://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client",
            ["Gateway:TlsTerminatedUpstream"] = "true",
        }, Environments.Production);
        using var plain = new HttpClient { BaseAddress = Assert.Single(addresses) };
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using var report = await plain.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));

        Assert.Equal(said + 1, Said("TLS: terminated upstream"));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.False(report.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(cluster));
    }

    [Fact]
    public async Task In_production_a_certificate_serves_https_and_says_so_at_start()
    {
        var certificate = SelfSigned();
        var said = Said("TLS: HTTPS with the configured certificate");
        var addresses = await service.StartGatewayOnAsync(Urls, PemSettings(certificate), Environments.Production);
        using var https = Trusting(addresses.Single(address => address.Scheme == Uri.UriSchemeHttps), certificate);
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using var report = await https.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));

        Assert.Equal(said + 1, Said("TLS: HTTPS with the configured certificate"));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(cluster));
    }

    public void Dispose()
    {
        _certificates.ForEach(certificate => certificate.Dispose());
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>How many gateways of the shared service have said <paramref name="line"/> at start.</summary>
    private int Said(string line) => service.Logs.GetSnapshot().Count(record => record.Message.StartsWith(line, StringComparison.Ordinal));

    private async Task<(X509Certificate2 Certificate, TlsGateway Gateway)> StartWithPemAsync()
    {
        var certificate = SelfSigned();
        return (certificate, await StartAsync(PemSettings(certificate)));
    }

    /// <summary>An Orleans client gateway whose certificate and key are PEM files.</summary>
    private Dictionary<string, string?> PemSettings(X509Certificate2 certificate)
    {
        var name = Guid.NewGuid().ToString("N");
        var (certificatePath, keyPath) = (Path.Combine(_directory, $"{name}.crt"), Path.Combine(_directory, $"{name}.key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client",
            ["Kestrel:Certificates:Default:Path"] = certificatePath,
            ["Kestrel:Certificates:Default:KeyPath"] = keyPath,
        };
    }

    private async Task<TlsGateway> StartAsync(Dictionary<string, string?> settings)
    {
        var addresses = await service.StartGatewayOnAsync(Urls, settings);
        return new TlsGateway(
            addresses.Single(address => address.Scheme == Uri.UriSchemeHttp),
            addresses.Single(address => address.Scheme == Uri.UriSchemeHttps));
    }

    /// <summary>A client that trusts exactly this certificate (by its SHA-256 hash), as an operator pinning a self-signed one would.</summary>
    private static HttpClient Trusting(Uri address, X509Certificate2 certificate)
    {
        var expected = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == expected,
        };
        return new HttpClient(handler) { BaseAddress = address };
    }

    private X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=prime-directive-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        _certificates.Add(certificate);
        return certificate;
    }

    private sealed record TlsGateway(Uri Http, Uri Https);
}
