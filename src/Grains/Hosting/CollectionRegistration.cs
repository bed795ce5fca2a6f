using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Analytics;
using PrimeDirective.Grains.Stats;

namespace PrimeDirective.Grains.Hosting;

/// <summary>The silo's services for data that names nobody: analytics events and the public aggregates.</summary>
internal static class CollectionRegistration
{
    /// <summary>Durable in the cluster database with <paramref name="connectionString"/>; in memory without it.</summary>
    public static IServiceCollection AddAnonymousData(this IServiceCollection services, IConfiguration configuration, string? connectionString)
    {
        services.AddOptions<AnalyticsOptions>().Bind(configuration.GetSection(AnalyticsOptions.SectionName));
        services.AddOptions<StatsOptions>().Bind(configuration.GetSection(StatsOptions.SectionName))
            .Validate(options => options.K >= StatsOptions.MinimumK, $"Stats:K must be at least {StatsOptions.MinimumK}: a bucket of one is a person.")
            .Validate(options => !options.DifferentialPrivacy.Enabled || (double.IsFinite(options.DifferentialPrivacy.Epsilon) && options.DifferentialPrivacy.Epsilon > 0),
                "Stats:DifferentialPrivacy:Epsilon must be a positive number.")
            .Validate(options => options.FlushInterval > TimeSpan.Zero, "Stats:FlushInterval must be positive.")
            .ValidateOnStart();
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddSingleton<IAnalyticsLog, InMemoryAnalyticsLog>();
            services.AddSingleton<IAggregateStore, InMemoryAggregateStore>();
        }
        else
        {
            var pool = SiloConfiguration.OwnPool(connectionString, "anonymous");
            services.AddSingleton<IAnalyticsLog>(new PostgresAnalyticsLog(pool));
            services.AddSingleton<IAggregateStore>(new PostgresAggregateStore(pool));
        }

        services.AddHostedService<AnalyticsSweep>();
        services.AddSingleton<AggregateProjector>();
        services.AddHostedService(provider => provider.GetRequiredService<AggregateProjector>());
        return services;
    }
}
