using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Sealing;

/// <summary>Adds the key store, the key cache, the sealer and the key store's readiness check to a silo.</summary>
internal static class KeyStoreRegistration
{
    public static ISiloBuilder AddKeyStore(this ISiloBuilder silo, IConfiguration configuration, bool durable)
    {
        var services = silo.Services;
        services.AddOptions<KeyStoreOptions>().Bind(configuration.GetSection(KeyStoreOptions.SectionName))
            .Validate(
                options => options.CacheSize > 0 && options.CacheLifetime > TimeSpan.Zero && options.EpochSweepInterval > TimeSpan.Zero,
                "KeyStore:CacheSize, KeyStore:CacheLifetime and KeyStore:EpochSweepInterval must be positive.")
            .ValidateOnStart();
        services.AddOptions<KekRotationOptions>().Bind(configuration.GetSection(KekRotationOptions.SectionName))
            .Validate(
                options => options.KekMaxAge > TimeSpan.Zero && options.RewrapBatchSize > 0 && options.RewrapPause >= TimeSpan.Zero && options.RewrapInterval > TimeSpan.Zero,
                "Keys:KekMaxAge, Keys:RewrapBatchSize and Keys:RewrapInterval must be positive, Keys:RewrapPause not negative.")
            .ValidateOnStart();
        services.TryAddSingleton(provider => new KeyEncryptionKeys(provider.GetRequiredService<IOptions<KeyStoreOptions>>(), mayDrawRandom: !durable));
        if (durable)
        {
            var connectionString = configuration.GetConnectionString(KeyStoreOptions.ConnectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    "ConnectionStrings:KeyStore is required when data is stored durably: the subjects' data keys live in a database of their own.");
            }

            services.TryAddSingleton<IKeyRows>(_ => new PostgresKeyRows(connectionString));
            services.TryAddSingleton<IKekRows>(_ => new PostgresKekRows(connectionString));
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => new PseudonymKeyCheck(
                connectionString, provider.GetRequiredService<Pseudonymizer>(), provider.GetRequiredService<TimeProvider>()));
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => new KeyStoreSchemaParticipant(
                provider.GetRequiredService<SchemaMigrator>(), connectionString));
        }
        else
        {
            services.TryAddSingleton<InMemoryKeyRows>();
            services.TryAddSingleton<IKeyRows>(provider => provider.GetRequiredService<InMemoryKeyRows>());
            services.TryAddSingleton<IKekRows>(provider => new InMemoryKekRows(provider.GetRequiredService<InMemoryKeyRows>()));
        }

        services.TryAddSingleton(FenceLogOf(configuration, durable));
        services.TryAddSingleton<KeyStore>();
        services.TryAddSingleton<KeyCache>();
        services.TryAddSingleton<KeyMetrics>();
        services.TryAddSingleton<Sealer>();
        services.TryAddSingleton<IKeyEviction, ClusterKeyEviction>();
        services.TryAddSingleton<KeyShredder>();
        services.TryAddSingleton<EpochKeyShredder>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, EpochKeySweep>();
        services.TryAddSingleton<KekRotation>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, KekRotationLoop>());
        services.AddHealthChecks().AddCheck<KeyStoreReachable>("key-store", tags: [ManagementServer.ReadyTag]);
        silo.AddPlacementDirector<SiloPinnedPlacement, SiloPinnedPlacementDirector>();
        return silo;
    }

    /// <summary>
    /// The fence log <c>Keys:FenceLog</c> names (a directory outside both databases). Durable data always gets one on disk:
    /// unset, a local <see cref="FenceLogOptions.DefaultDirectory"/> (development; production sets its own volume).
    /// </summary>
    public static IFenceLog FenceLogOf(IConfiguration configuration, bool durable) =>
        configuration[$"{FenceLogOptions.SectionName}:{nameof(FenceLogOptions.FenceLog)}"] is { Length: > 0 } directory
            ? new DirectoryFenceLog(directory)
            : durable ? new DirectoryFenceLog(FenceLogOptions.DefaultDirectory) : new InMemoryFenceLog();

    /// <summary>Applies the key store's schema at start, before any grain reads state.</summary>
    private sealed class KeyStoreSchemaParticipant(SchemaMigrator migrator, string connectionString) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(KeyStoreSchemaParticipant), ServiceLifecycleStage.First, cancellationToken =>
                migrator.ApplyKeyStoreAsync(connectionString, cancellationToken));
    }

    /// <summary>Ready only while the key store answers: a silo that cannot fetch keys cannot read or write what is not cached.</summary>
    private sealed class KeyStoreReachable(KeyStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(TimeSpan.FromSeconds(5));
                await store.PingAsync(deadline.Token);
                return HealthCheckResult.Healthy("key store reachable");
            }
            catch (Exception exception) when (exception is KeyStoreUnavailableException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"key store unreachable ({(exception as KeyStoreUnavailableException)?.Cause ?? exception.GetType().Name})");
            }
        }
    }
}
