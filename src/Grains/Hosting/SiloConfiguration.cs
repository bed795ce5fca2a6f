using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Hosting;

/// <summary>The one place a Prime Directive silo is configured: <c>src/Silo</c>, the gateway's single process and the tests call it.</summary>
public static class SiloConfiguration
{
    /// <summary>Connection string name of the PostgreSQL database; absent means the in-memory development mode.</summary>
    public const string ConnectionStringName = "PrimeDirective";

    /// <summary>The ADO.NET invariant of PostgreSQL.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Adds grains, storage, reminders and clustering. With <c>ConnectionStrings:PrimeDirective</c> everything is
    /// durable in PostgreSQL (schema applied at start); without it, a localhost silo that keeps state in memory.
    /// Endpoints and cluster ids are taken from <c>Orleans:*</c> only where configured, so test hosts keep theirs.
    /// </summary>
    public static ISiloBuilder AddPrimeDirective(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = silo.Services;
        services.AddPrimeDirectiveCore(configuration);
        services.AddOptions<SiloStartupOptions>().Bind(configuration.GetSection("Orleans"));

        // Plain JSON keyed by member names: stored state survives type and assembly renames.
        silo.UseSystemTextJsonGrainStorageSerializer();

        var orleans = configuration.GetSection("Orleans");
        if (orleans["ClusterId"] is { Length: > 0 } clusterId)
        {
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = orleans["ServiceId"] ?? "prime-directive";
            });
        }

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        var siloPort = orleans.GetValue<int?>("SiloPort");
        var gatewayPort = orleans.GetValue<int?>("GatewayPort");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            silo.UseLocalhostClustering(siloPort ?? 11311, gatewayPort ?? 30311);
            silo.AddMemoryGrainStorage(StorageNames.Subjects);
            silo.UseInMemoryReminderService();
            silo.AddStartupTask<InMemoryModeNotice>();
            return silo;
        }

        if (siloPort is { } port)
        {
            var advertised = IPAddress.Parse(orleans["AdvertisedIP"] ?? IPAddress.Loopback.ToString());
            silo.ConfigureEndpoints(advertised, port, gatewayPort ?? 0, listenOnAnyHostAddress: orleans.GetValue<bool>("ListenOnAnyHostAddress"));
        }

        services.TryAddSingleton<SchemaMigrator>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider =>
            new SchemaMigrationParticipant(provider.GetRequiredService<SchemaMigrator>(), connectionString));
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(StorageNames.Subjects, options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
            // Erasure deletes the row, it does not leave an empty one behind.
            options.DeleteStateOnClear = true;
        });
        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        return silo;
    }

    /// <summary>Services both silos and the gateway need: options, pseudonyms, time, log redaction.</summary>
    public static IServiceCollection AddPrimeDirectiveCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<PrivacyOptions>().Bind(configuration.GetSection(PrivacyOptions.SectionName))
            .Validate(
                options => !string.IsNullOrWhiteSpace(options.PseudonymKey) || string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionStringName)),
                "Privacy:PseudonymKey (base64, 32+ bytes) is required when data is stored durably.")
            .ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.SectionName));
        services.AddOptions<RegionOptions>().Bind(configuration.GetSection(RegionOptions.SectionName))
            .Validate(options => options.IsConfigured(options.Home), "Regions:Home must be one of Regions:Names.")
            .ValidateOnStart();
        services.TryAddSingleton<Pseudonymizer>();
        services.TryAddSingleton<ClusterKeys>();
        services.AddPrivacyRedaction();
        return services;
    }
}
