using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace PrimeDirective.Grains.Hosting;

/// <summary>
/// Mutual TLS on every Orleans connection: silo to silo and client to silo. Each side presents a certificate issued by
/// the cluster's authority and accepts only peers whose certificate that authority issued, so no workload without one
/// can call a grain around the gateway, and nothing crosses the network in the clear. The silo port accepts only silo
/// certificates (server and client authentication); the gateway port any certificate of the authority.
/// </summary>
public static class ClusterTls
{
    /// <summary>Mutual TLS on the silo's listeners (silo and gateway ports) and on its connections to other silos.</summary>
    /// <param name="silo">The silo to secure.</param>
    /// <param name="configuration">The process's configuration (<see cref="ClusterTlsOptions"/>).</param>
    /// <param name="singleProcess">Whether this silo is the whole service in one process (it may then generate its certificate in any environment).</param>
    public static ISiloBuilder UseClusterTls(this ISiloBuilder silo, IConfiguration configuration, bool singleProcess)
    {
        ArgumentNullException.ThrowIfNull(silo);
        AddCertificates(silo.Services, configuration, singleProcess, ClusterCertificates.ServerAuthentication);
        silo.Services.AddOptions<SiloConnectionOptions>().Configure<ClusterCertificates>((options, certificates) =>
        {
            var silos = certificates.Options(ClusterCertificates.ServerAuthentication);
            var clients = certificates.Options(ClusterCertificates.ClientAuthentication);
            options.ConfigureSiloInboundConnection(connection => connection.UseServerTls(silos));
            options.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(clients));
            options.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(silos));
        });
        return silo;
    }

    /// <summary>Mutual TLS on a client's connections to the cluster's gateway silos.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        AddCertificates(client.Services, configuration, singleProcess: false, usage: null);
        client.Services.AddOptions<ClientConnectionOptions>().Configure<ClusterCertificates>((options, certificates) =>
        {
            var silos = certificates.Options(ClusterCertificates.ServerAuthentication);
            options.ConfigureConnection(connection => connection.UseClientTls(silos));
        });
        return client;
    }

    private static void AddCertificates(IServiceCollection services, IConfiguration configuration, bool singleProcess, Oid? usage)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClusterCertificates>();
        services.AddOptions<ClusterTlsOptions>().Bind(configuration.GetSection(ClusterTlsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterTlsOptions>>(provider =>
            new Validation(provider.GetRequiredService<IHostEnvironment>(), provider.GetRequiredService<TimeProvider>(), singleProcess, usage));
    }

    /// <summary>Refuses to start without usable files in production (outside it, and alone, a development certificate will do).</summary>
    private sealed class Validation(IHostEnvironment environment, TimeProvider time, bool singleProcess, Oid? usage)
        : IValidateOptions<ClusterTlsOptions>
    {
        public ValidateOptionsResult Validate(string? name, ClusterTlsOptions options)
        {
            if (!options.IsConfigured)
            {
                return singleProcess || !environment.IsProduction()
                    ? ValidateOptionsResult.Success
                    : ValidateOptionsResult.Fail(
                        $"{ClusterTlsOptions.SectionName}:CertificatePath, KeyPath and CaPath are required in production: silos and their clients "
                        + "authenticate each other with mutual TLS (a Kubernetes TLS secret's tls.crt, tls.key and ca.crt; see docs/deploy.md).");
            }

            try
            {
                var (certificate, _) = ClusterCertificates.Load(options, time);
                using (certificate)
                {
                    return usage is null || Allows(certificate, usage)
                        ? ValidateOptionsResult.Success
                        : ValidateOptionsResult.Fail(
                            $"The certificate of {ClusterTlsOptions.SectionName}:CertificatePath does not allow server authentication, which a silo's listeners need.");
                }
            }
            catch (InvalidOperationException exception)
            {
                return ValidateOptionsResult.Fail(exception.Message);
            }
        }

        private static bool Allows(X509Certificate2 certificate, Oid usage)
        {
            var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SingleOrDefault();
            return usages is null || usages.EnhancedKeyUsages.Cast<Oid>().Any(oid => oid.Value == usage.Value);
        }
    }
}
