using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Analytics;

namespace PrimeDirective.Grains.Hosting;

/// <summary>The silo's services for data that names nobody: analytics events and the public aggregates.</summary>
internal static class CollectionRegistration
{
    /// <summary>Durable in the cluster database with <paramref name="connectionString"/>; in memory without it.</summary>
    public static IServiceCollection AddAnonymousData(this IServiceCollection services, IConfiguration configuration, string? connectionString)
    {
        services.AddOptions<AnalyticsOptions>().Bind(configuration.GetSection(AnalyticsOptions.SectionName));
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddSingleton<IAnalyticsLog, InMemoryAnalyticsLog>();
        }
        else
        {
            var pool = SiloConfiguration.OwnPool(connectionString, "anonymous");
            services.AddSingleton<IAnalyticsLog>(new PostgresAnalyticsLog(pool));
        }

        services.AddHostedService<AnalyticsSweep>();
        return services;
    }
}
