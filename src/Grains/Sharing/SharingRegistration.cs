using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PrimeDirective.Grains.Sharing;

/// <summary>Services of the sharing capability on a silo.</summary>
public static class SharingRegistration
{
    /// <summary>Adds the sharing options (section <c>Sharing</c>) and the processors' HTTP client.</summary>
    public static IServiceCollection AddSharing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SharingOptions>().Bind(configuration.GetSection(SharingOptions.SectionName));
        services.TryAddSingleton<SharingHttp>();
        return services;
    }
}
