using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PrimeDirective.Grains.Analytics;
using PrimeDirective.Grains.Stats;

namespace PrimeDirective.Grains.Hosting;

/// <summary>The silo's services for data that names nobody: analytics events and the public aggregates.</summary>
internal static class CollectionRegistration
{
    /// <summary>Durable in the cluster database with <paramref name="connectionString"/>; in memory without it.</summary>
    public static IServiceCollection AddAnonymousData(this IServiceCollection services, IConfiguration configuration, string? connectionString)
    {
        services.AddOptions<AnalyticsOptions>().Bind(configuration.GetSection(AnalyticsOptions.SectionName))
            .Validate(options => options.SweepInterval > TimeSpan.Zero, "Analytics:SweepInterval must be positive.")
            .ValidateOnStart();
        services.AddStatsOptions(configuration);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddSingleton<IAnalyticsLog, InMemoryAnalyticsLog>();
            services.AddSingleton<InMemoryAggregateStore>();
            services.AddSingleton<IAggregateStore>(provider => provider.GetRequiredService<InMemoryAggregateStore>());
            services.AddSingleton<IReleaseStore, InMemoryReleaseStore>();
        }
        else
        {
            var pool = SiloConfiguration.OwnPool(connectionString, "anonymous");
            services.AddSingleton<IAnalyticsLog>(new PostgresAnalyticsLog(pool));
            services.AddSingleton<IAggregateStore>(new PostgresAggregateStore(pool));
            services.AddSingleton<IReleaseStore>(new PostgresReleaseStore(pool));
        }

        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, AnalyticsSweep>();
        services.AddSingleton<AggregateProjector>();
        services.AddHostedService(provider => provider.GetRequiredService<AggregateProjector>());
        services.TryAddSingleton<IStatsNoise>(new DiscreteLaplaceNoise(CryptoRandomSource.Instance));
        services.AddSingleton<StatsReleaser>();
        services.AddHostedService(provider => provider.GetRequiredService<StatsReleaser>());
        return services;
    }

    private static void AddStatsOptions(this IServiceCollection services, IConfiguration configuration)
    {
        // The optional Laplace mechanism it replaced must not be silently ignored: noise is always on now.
        var replaced = configuration.GetSection($"{StatsOptions.SectionName}:DifferentialPrivacy").Exists();
        services.AddOptions<StatsOptions>().Bind(configuration.GetSection(StatsOptions.SectionName))
            .Validate(_ => !replaced, "Stats:DifferentialPrivacy:* is gone: noise is always on, its ε is Stats:EpsilonPerDay.")
            .Validate(options => options.K >= StatsOptions.MinimumK, $"Stats:K must be at least {StatsOptions.MinimumK}: a bucket of one is a person.")
            .Validate(
                options => double.IsFinite(options.EpsilonPerDay) && options.EpsilonPerDay > 0 && options.EpsilonPerDay <= StatsOptions.MaximumEpsilonPerDay
                    && PrivacyBudget.Of(options, 1, 1).All(entry => entry.Epsilon > 0),
                $"Stats:EpsilonPerDay must be a positive number (at least 0.00001, at most {StatsOptions.MaximumEpsilonPerDay}).")
            .Validate(options => options.Delta is > 0 and <= 0.001, "Stats:Delta must be above 0 and at most 0.001.")
            .Validate(
                options => options.MaxAppsPerCluster is >= 1 and <= StatsOptions.MaximumBound && options.MaxJobsPerCluster is >= 1 and <= StatsOptions.MaximumBound,
                $"Stats:MaxAppsPerCluster and Stats:MaxJobsPerCluster must be between 1 and {StatsOptions.MaximumBound}.")
            .Validate(options => options.MaxBucketsPerMetric >= AggregateBuckets.HostRanges.Length, $"Stats:MaxBucketsPerMetric must be at least {AggregateBuckets.HostRanges.Length}.")
            .Validate(options => options.FlushInterval > TimeSpan.Zero, "Stats:FlushInterval must be positive.")
            .Validate(options => options.ReleaseDelay > options.FlushInterval, "Stats:ReleaseDelay must be longer than Stats:FlushInterval: a day is released after its last flush.")
            .Validate(options => options.ReleaseCheckPeriod > TimeSpan.Zero, "Stats:ReleaseCheckPeriod must be positive.")
            .ValidateOnStart();
    }
}
