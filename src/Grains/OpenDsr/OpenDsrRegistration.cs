using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.OpenDsr;

namespace PrimeDirective.Grains.OpenDsr;

/// <summary>OpenDSR's services, for silos and gateways alike (added once, whoever adds them first).</summary>
public static class OpenDsrRegistration
{
    /// <summary>Adds the options (section <c>OpenDsr</c>), our key ring, the trust in others' certificates and the outbound channel.</summary>
    public static IServiceCollection AddOpenDsr(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(service => service.ServiceType == typeof(OpenDsrKeyRing)))
        {
            return services;
        }

        services.AddOptions<OpenDsrOptions>().Bind(configuration.GetSection(OpenDsrOptions.SectionName))
            .Validate(options => options.Regulation is "gdpr" or "ccpa", "OpenDsr:Regulation must be gdpr or ccpa.")
            .ValidateOnStart();
        services.AddSingleton(provider => new OpenDsrKeyRing(provider.GetRequiredService<IOptions<OpenDsrOptions>>().Value));
        services.AddSingleton(provider => new CertificateTrust(provider.GetRequiredService<IOptions<OpenDsrOptions>>().Value));
        services.AddSingleton<OpenDsrOutbound>();
        return services;
    }
}
