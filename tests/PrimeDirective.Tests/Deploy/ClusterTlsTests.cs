using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Runtime.Messaging;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Deploy;

/// <summary>
/// Mutual TLS on the Orleans transport, against a real silo listening on loopback: only a client presenting a
/// certificate of the cluster's authority can call a grain; no certificate, a foreign one or plain TCP gets no call
/// through. The silo port takes only silo certificates (a gateway's, good on the gateway port, is refused there).
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class ClusterTlsTests(SharedService service)
{
    public enum Attempt
    {
        PlainTcp,
        TlsWithoutCertificate,
        ForeignCertificate,
    }

    [Fact]
    public async Task A_client_with_a_certificate_of_the_cluster_authority_calls_a_grain()
    {
        using var client = await StartClientAsync(client => client.UseClusterTls(Configuration(TestCertificates.Cluster.Gateway.Settings)));

        var hosts = await client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);

        Assert.Contains(Silo().SiloAddress, hosts.Keys);
        Assert.All(hosts.Values, status => Assert.Equal(SiloStatus.Active, status));

        // And the silo it called speaks TLS with a certificate of the cluster's authority: the call did not go in the clear.
        Assert.True(await PresentsClusterCertificateAsync(Silo().GatewayAddress.Endpoint), "the gateway port does not present the cluster's certificate");
    }

    [Theory]
    [InlineData(Attempt.PlainTcp)]
    [InlineData(Attempt.TlsWithoutCertificate)]
    [InlineData(Attempt.ForeignCertificate)]
    public async Task A_client_without_a_certificate_of_the_cluster_authority_cannot_call_a_grain(Attempt attempt)
    {
        Action<IClientBuilder> transport = attempt switch
        {
            Attempt.PlainTcp => _ => { },
            // What an intruder would do: speak TLS, trust whatever the silo presents, and have no certificate to show.
            Attempt.TlsWithoutCertificate => client => client.UseTls(options =>
            {
                options.ClientCertificateMode = RemoteCertificateMode.NoCertificate;
                options.AllowAnyRemoteCertificate();
            }),
            Attempt.ForeignCertificate => client => client.UseTls(TestCertificates.Foreign.Gateway.Load(), options => options.AllowAnyRemoteCertificate()),
            _ => throw new ArgumentOutOfRangeException(nameof(attempt)),
        };

        var refused = await Record.ExceptionAsync(async () =>
        {
            using var client = await StartClientAsync(transport);
            await client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        });

        // The connection to the only gateway fails: the client never joins, so no grain call leaves it.
        Assert.IsType<ConnectionFailedException>(refused);
    }

    [Fact]
    public async Task The_silo_port_refuses_a_gateway_certificate_which_the_gateway_port_accepts()
    {
        var silo = Silo();
        var refusalsBefore = Refusals();

        // A gateway's certificate (client authentication only) offered where silos talk to each other.
        await HandshakeAsync(silo.SiloAddress.Endpoint, TestCertificates.Cluster.Gateway);

        // TLS 1.3 settles the client's certificate after the handshake: the silo's refusal is in its log.
        await Eventually.ReturnsAsync(() => Task.FromResult(Refusals()), count => count > refusalsBefore, TimeSpan.FromSeconds(30), "the silo port refuses the gateway's certificate");

        // The same certificate on the gateway port carries a grain call, refused nowhere.
        var refusalsAfter = Refusals();
        using var client = await StartClientAsync(client => client.UseClusterTls(Configuration(TestCertificates.Cluster.Gateway.Settings)));
        var hosts = await client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Contains(silo.SiloAddress, hosts.Keys);
        Assert.Equal(refusalsAfter, Refusals());
    }

    private ILocalSiloDetails Silo() => service.Silos[0].Services.GetRequiredService<ILocalSiloDetails>();

    private static IConfiguration Configuration(IDictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    /// <summary>An Orleans client of the shared silo (static gateway list, no retries), with <paramref name="transport"/>.</summary>
    private async Task<IHost> StartClientAsync(Action<IClientBuilder> transport)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = service.Settings["Orleans:ClusterId"]!;
                options.ServiceId = service.Settings["Orleans:ServiceId"]!;
            });
            client.UseStaticClustering(Silo().GatewayAddress.Endpoint);
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            transport(client);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Refusals of a peer's certificate the shared silo has logged (its TLS middleware's warnings).</summary>
    private int Refusals() => service.Logs.GetSnapshot().Count(record =>
        record.Category == "Orleans.Connections.Security.TlsServerConnectionMiddleware" && record.Level == LogLevel.Warning);

    /// <summary>Whether a TLS handshake with the endpoint shows a server certificate the cluster's authority issued.</summary>
    private static async Task<bool> PresentsClusterCertificateAsync(IPEndPoint endpoint)
    {
        using var certificate = TestCertificates.Cluster.Gateway.Load();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, presented, _, _) => TestCertificates.Cluster.Issued(presented));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = [certificate],
                ApplicationProtocols = [new SslApplicationProtocol("Orleans1")],
            });
            return TestCertificates.Cluster.Issued(tls.RemoteCertificate);
        }
        catch (Exception exception) when (exception is IOException or System.Security.Authentication.AuthenticationException)
        {
            return false;
        }
    }

    /// <summary>A TLS handshake presenting <paramref name="files"/>' certificate, as any workload could attempt one.</summary>
    private static async Task HandshakeAsync(IPEndPoint endpoint, CertificateFiles files)
    {
        using var certificate = files.Load();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, presented, _, _) => TestCertificates.Cluster.Issued(presented));
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = [certificate],
                ApplicationProtocols = [new SslApplicationProtocol("Orleans1")],
            });
            // A refusing silo ends the connection; one that accepted would wait for Orleans' preamble, so the read is bounded.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            _ = await tls.ReadAsync(new byte[1], deadline.Token);
        }
        catch (Exception exception) when (exception is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
        {
            // Refused: what the silo's log says is the point.
        }
    }
}
