using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.OpenDsr;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Hosting;

/// <summary>
/// The service's own meter. Each area records its events through a small metrics class of its own (reports, erasures,
/// consents, retention...); every label is a region or an enumeration (reason, basis, purpose, state), never a subject,
/// key, id or address. <c>docs/operations.md#metrics</c> lists every instrument.
/// </summary>
public static class PrimeDirectiveMeter
{
    /// <summary>The meter's name, as exporters select it.</summary>
    public const string Name = "PrimeDirective";

    /// <summary>The process's one <c>PrimeDirective</c> meter (the factory hands every caller the same instance).</summary>
    public static Meter Create(IMeterFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.Create(new MeterOptions(Name));
    }

    /// <summary>The meter factory and the metrics classes of every area (silos and the gateway both call it).</summary>
    public static IServiceCollection AddPrimeDirectiveMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<ReportMetrics>();
        services.TryAddSingleton<ErasureMetrics>();
        services.TryAddSingleton<ConsentMetrics>();
        services.TryAddSingleton<DisclosureMetrics>();
        services.TryAddSingleton<FanoutMetrics>();
        services.TryAddSingleton<OpenDsrMetrics>();
        return services;
    }

    /// <summary>The gauges a silo reads from its databases (overdue items, outbox depth), refreshed by <see cref="GaugeRefresh"/>.</summary>
    public static IServiceCollection AddDatabaseGauges(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.SectionName))
            .Validate(options => options.RefreshPeriod > TimeSpan.Zero, "Metrics:RefreshPeriod must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<OverdueItems>();
        services.TryAddSingleton<RetentionMetrics>();
        services.TryAddSingleton<OutboxMetrics>();
        services.AddSingleton<IGaugeSource>(provider => provider.GetRequiredService<RetentionMetrics>());
        services.AddSingleton<IGaugeSource>(provider => provider.GetRequiredService<OutboxMetrics>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, GaugeRefresh>();
        return services;
    }
}
