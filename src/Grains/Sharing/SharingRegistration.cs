using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PrimeDirective.Grains.OpenDsr;

namespace PrimeDirective.Grains.Sharing;

/// <summary>Services of the sharing capability on a silo.</summary>
public static class SharingRegistration
{
    /// <summary>
    /// Adds the sharing options (section <c>Sharing</c>, ledger keys checked at start), the processors' HTTP client and
    /// channel, and the disclosure ledger with its keys; the region's evidence store is the storage mode's.
    /// </summary>
    public static IServiceCollection AddSharing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SharingOptions>().Bind(configuration.GetSection(SharingOptions.SectionName))
            .Validate(LedgerKeyRing.AreValid, $"Sharing:LedgerKeys:{{version}} must be base64 of at least {LedgerKeyRing.MinimumKeyBytes} bytes, under a version of 1 or more.")
            .Validate(options => options.PushLifetime > TimeSpan.Zero && options.PropagationLifetime > TimeSpan.Zero, "Sharing:PushLifetime and Sharing:PropagationLifetime must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<SharingHttp>();
        services.TryAddSingleton<ProcessorChannel>();
        services.TryAddSingleton<LedgerKeyRing>();
        services.TryAddSingleton<DisclosureLedger>();
        services.TryAddSingleton<DisclosureDesk>();
        services.AddOpenDsr(configuration);
        return services;
    }
}
