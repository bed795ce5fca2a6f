using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Grains.Interfaces.OpenDsr;

/// <summary>What gateways and silos alike need of OpenDSR: the options, our key ring and the trust in others' certificates.</summary>
public static class OpenDsrKeysRegistration
{
    /// <summary>
    /// Adds the options bound to <paramref name="section"/> (<c>OpenDsr</c>), our key ring and the certificate trust, once
    /// (a gateway co-hosting a silo comes here twice).
    /// </summary>
    public static IServiceCollection AddOpenDsrKeys(this IServiceCollection services, IConfiguration section)
    {
        if (services.Any(service => service.ServiceType == typeof(OpenDsrKeyRing)))
        {
            return services;
        }

        services.AddOptions<OpenDsrOptions>().Bind(section)
            .Validate(options => options.Regulation is "gdpr" or "ccpa", "OpenDsr:Regulation must be gdpr or ccpa.")
            .ValidateOnStart();
        services.AddSingleton(provider => new OpenDsrKeyRing(provider.GetRequiredService<IOptions<OpenDsrOptions>>().Value));
        services.AddSingleton(provider => new CertificateTrust(provider.GetRequiredService<IOptions<OpenDsrOptions>>().Value));
        return services;
    }
}
