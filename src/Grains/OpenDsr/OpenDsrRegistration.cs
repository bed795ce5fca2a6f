using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Interfaces.OpenDsr;

namespace PrimeDirective.Grains.OpenDsr;

/// <summary>OpenDSR's services, for silos and gateways alike (added once, whoever adds them first).</summary>
public static class OpenDsrRegistration
{
    /// <summary>Adds the options (section <c>OpenDsr</c>), our key ring, the trust in others' certificates and the outbound channel.</summary>
    public static IServiceCollection AddOpenDsr(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(service => service.ServiceType == typeof(OpenDsrOutbound)))
        {
            return services;
        }

        services.AddOpenDsrKeys(configuration.GetSection(OpenDsrOptions.SectionName));
        services.AddSingleton<OpenDsrOutbound>();
        return services;
    }
}
