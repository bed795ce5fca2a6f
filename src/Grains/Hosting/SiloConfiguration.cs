using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Storage;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Telemetry;
using PrimeDirective.Grains.Transparency;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Hosting;

/// <summary>The one place a Prime Directive silo is configured: <c>src/Silo</c>, the gateway's single process and the tests call it.</summary>
public static class SiloConfiguration
{
    /// <summary>Connection string name of the PostgreSQL database; absent means the in-memory development mode.</summary>
    public const string ConnectionStringName = "PrimeDirective";

    public const string DefaultClusterId = "prime-directive";

    public const int DefaultSiloPort = 11311;

    public const int DefaultGatewayPort = 30311;

    /// <summary>
    /// How long a grain call waits for its answer (<c>Orleans:ResponseTimeout</c>), on silos and the gateway's client.
    /// Orleans does not fail the calls pending on a gateway connection that drops; they wait this long (its default is
    /// 30 s). Expiry is checked once a second, so a caller gets its answer (503) within 5 s of sending.
    /// </summary>
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(3.5);

    /// <summary>The ADO.NET invariant of PostgreSQL.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Adds grains, storage, reminders and clustering. With <c>ConnectionStrings:PrimeDirective</c> everything is
    /// durable in PostgreSQL (schema applied at start); without it, a localhost silo that keeps state in memory.
    /// Cluster ids, ports and the advertised address come from <c>Orleans:*</c>.
    /// </summary>
    /// <param name="silo">The silo to configure.</param>
    /// <param name="configuration">The process's configuration.</param>
    /// <param name="singleProcess">
    /// Whether this silo is the only process that ever holds the data (the gateway's in-memory mode), so it may draw
    /// random keys; a silo of its own (<c>src/Silo</c>) always shares data with a gateway and needs the configured key.
    /// </param>
    public static ISiloBuilder AddPrimeDirective(this ISiloBuilder silo, IConfiguration configuration, bool singleProcess = false)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = silo.Services;
        services.AddPrimeDirectiveCore(configuration, singleProcess);
        services.AddOutboxSender();
        services.AddSharing(configuration);
        services.AddSingleton<PolicySchedule>();
        services.AddOptions<NoticeOptions>().Bind(configuration.GetSection(NoticeOptions.SectionName))
            .Validate(options => options.GiveUpAfter > TimeSpan.Zero && options.MinimumNoticePeriod >= TimeSpan.Zero,
                "Notices:GiveUpAfter must be positive and Notices:MinimumNoticePeriod not negative.")
            .ValidateOnStart();
        services.TryAddSingleton<INoticeFaults, NoNoticeFaults>();
        services.TryAddSingleton<NoticeReach>();

        // The silo's one drain of the notice rows' emails (IPersonNoticeLog is registered with the storage).
        services.TryAddSingleton<NoticeEmailDrain>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<NoticeEmailDrain>());
        services.AddOptions<SiloStartupOptions>().Bind(configuration.GetSection("Orleans"));
        services.AddSiloHealth();
        silo.AddActivityPropagation();
        silo.UseClusterTls(configuration, singleProcess);

        // Orleans' watchdog may measure its first check from timestamp 0 (see SiloStartClock): from boot, it warns at start.
        services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Membership, (provider, _) => new SiloStartClock(provider.GetRequiredService<TimeProvider>()));

        // Plain JSON keyed by member names: stored state survives type and assembly renames.
        silo.UseSystemTextJsonGrainStorageSerializer();

        var orleans = configuration.GetSection("Orleans");
        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = orleans["ClusterId"] ?? DefaultClusterId;
            options.ServiceId = orleans["ServiceId"] ?? DefaultClusterId;
        });

        // Silo-to-silo calls too: a grain waiting on a dead silo is held no longer than its callers wait.
        var responseTimeout = ResponseTimeout(configuration);
        silo.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = responseTimeout);

        // Failure detection (probe timeout, missed probes, votes...): Orleans' defaults unless configured.
        services.AddOptions<ClusterMembershipOptions>().Bind(orleans.GetSection("Membership"));

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        silo.AddKeyStore(configuration, durable: !string.IsNullOrWhiteSpace(connectionString));
        services.AddAnonymousData(configuration, connectionString);
        var regions = configuration.GetSection(RegionOptions.SectionName).Get<RegionOptions>() ?? new RegionOptions();
        var siloRegions = SiloRegions.From(configuration, regions);
        services.AddSingleton(siloRegions);
        silo.UseSiloMetadata(new Dictionary<string, string> { [SiloRegions.MetadataKey] = siloRegions.Label });
        silo.AddPlacementDirector<RegionPlacement, RegionPlacementDirector>();
        services.AddKeyedSingleton<IGrainStorage>(StorageNames.Subjects, (provider, _) =>
            new RegionRoutedGrainStorage(provider, StorageNames.Subjects, siloRegions));

        // Not Orleans' default ports (11111/30000): other processes on a machine may hold those.
        var siloPort = orleans.GetValue<int?>("SiloPort") ?? DefaultSiloPort;
        var gatewayPort = orleans.GetValue<int?>("GatewayPort") ?? DefaultGatewayPort;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: orleans["ServiceId"] ?? DefaultClusterId, clusterId: orleans["ClusterId"] ?? DefaultClusterId);
            foreach (var region in siloRegions.Served)
            {
                silo.AddMemoryGrainStorage(RegionRoutedGrainStorage.ProviderName(StorageNames.Subjects, region));
            }

            silo.UseInMemoryReminderService();
            services.AddSingleton<IDestructionLedger, InMemoryDestructionLedger>();
            services.AddSingleton<IDisclosureEvidence, InMemoryDisclosureEvidence>();
            services.AddSingleton<IReportLog, InMemoryReportLog>();
            services.AddSingleton<ILegalHoldMirror, InMemoryLegalHoldMirror>();
            services.AddSingleton<ISubjectRegistry, InMemorySubjectRegistry>();
            services.AddSingleton<INoticeFailureLog, InMemoryNoticeFailureLog>();
            services.AddSingleton<IPersonNoticeLog, InMemoryPersonNoticeLog>();
            services.AddSingleton<IOutboxMarks, InMemoryOutboxMarks>();
            services.AddSingleton<IOpenWork, InMemoryOpenWork>();
            services.AddSingleton<ITransparencyLog, InMemoryTransparencyLog>();
            silo.AddStartupTask<InMemoryModeNotice>();
            return silo;
        }

        var advertised = IPAddress.Parse(orleans["AdvertisedIP"] ?? IPAddress.Loopback.ToString());
        silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: orleans.GetValue<bool>("ListenOnAnyHostAddress"));

        // Each served region's subjects go to that region's database; the cluster database holds membership and reminders.
        var regionDatabases = siloRegions.Served.ToDictionary(
            region => region,
            region => configuration[$"{RegionOptions.SectionName}:Databases:{region}"] is { Length: > 0 } own ? own : connectionString,
            StringComparer.Ordinal);
        services.AddSingleton(new RegionDatabases(regionDatabases));
        services.AddSingleton<IDestructionLedger, PostgresDestructionLedger>();
        services.AddSingleton<IDisclosureEvidence, PostgresDisclosureEvidence>();
        services.AddSingleton<IReportLog, PostgresReportLog>();
        services.AddSingleton<ReportAddressSealing>();
        services.AddSingleton<IEpochEnding, HeldAddressResealing>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ReportAddressUpgrade>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PlainDataUpgrade>();
        services.AddSingleton<ILegalHoldMirror, PostgresLegalHoldMirror>();
        services.AddSingleton<ReportRetentionWaves>();
        services.AddSingleton<LegalHoldBackfill>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RetentionWaveLoop>();
        services.AddSingleton<ISubjectRegistry, PostgresSubjectRegistry>();
        services.AddSingleton<INoticeFailureLog, PostgresNoticeFailureLog>();
        services.AddSingleton<IPersonNoticeLog, PostgresPersonNoticeLog>();
        services.AddSingleton<IOutboxMarks, PostgresOutboxMarks>();
        services.AddSingleton<IOpenWork, PostgresOpenWork>();
        services.AddSingleton<ITransparencyLog, PostgresTransparencyLog>();
        services.AddDatabaseGauges(configuration);
        services.TryAddSingleton<SchemaMigrator>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => new SchemaMigrationParticipant(
            provider.GetRequiredService<SchemaMigrator>(), [connectionString, .. regionDatabases.Values.Distinct(StringComparer.Ordinal)]));
        services.AddSingleton<IStartupTask>(provider => new RegionStorageNotice(
            provider.GetRequiredService<ILogger<RegionStorageNotice>>(), siloRegions, [.. regionDatabases.Where(pair => pair.Value == connectionString).Select(pair => pair.Key)]));
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = OwnPool(connectionString, "membership");
        });
        foreach (var (region, database) in regionDatabases)
        {
            silo.AddAdoNetGrainStorage(RegionRoutedGrainStorage.ProviderName(StorageNames.Subjects, region), options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = database;
                // Erasure deletes the row, it does not leave an empty one behind.
                options.DeleteStateOnClear = true;
            });
        }

        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = OwnPool(connectionString, "reminders");
        });
        return silo;
    }

    /// <summary><c>Orleans:ResponseTimeout</c>, or <see cref="DefaultResponseTimeout"/>; it must be positive.</summary>
    public static TimeSpan ResponseTimeout(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var timeout = configuration.GetSection("Orleans").GetValue<TimeSpan?>("ResponseTimeout") ?? DefaultResponseTimeout;
        return timeout > TimeSpan.Zero ? timeout : throw new InvalidOperationException($"Orleans:ResponseTimeout must be positive: {timeout}");
    }

    /// <summary>
    /// The same database under its own connection pool (Npgsql pools per connection string): a burst of grain-state
    /// work, such as many retention reminders at once, must not starve the silo's membership heartbeats.
    /// </summary>
    public static string OwnPool(string connectionString, string purpose) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = $"prime-directive-{purpose}" }.ConnectionString;

    /// <summary>Services both silos and the gateway need: options, pseudonyms, time, log redaction.</summary>
    /// <param name="services">The process's services.</param>
    /// <param name="configuration">The process's configuration.</param>
    /// <param name="singleProcess">
    /// Whether this process alone holds the data (the gateway's in-memory mode): only then may the pseudonym key be
    /// random. A silo of its own or a client-mode gateway shares data with other processes, which must all derive the
    /// same grain keys.
    /// </param>
    public static IServiceCollection AddPrimeDirectiveCore(this IServiceCollection services, IConfiguration configuration, bool singleProcess = false)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PolicyClock>();
        var durable = !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionStringName));
        services.AddOptions<PrivacyOptions>().Bind(configuration.GetSection(PrivacyOptions.SectionName))
            .Validate(
                options => !string.IsNullOrWhiteSpace(options.PseudonymKey) || (singleProcess && !durable),
                "Privacy:PseudonymKey (base64, 32+ bytes) is required when data is stored durably or shared by several processes "
                + "(src/Silo, a gateway with Orleans:Mode=client): every process must derive the same grain keys from it.")
            .ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.SectionName))
            .Validate(options => options.WavePeriod > TimeSpan.Zero, "Retention:WavePeriod must be positive.")
            .ValidateOnStart();
        services.AddOptions<RegionOptions>().Bind(configuration.GetSection(RegionOptions.SectionName))
            .Validate(options => options.IsConfigured(options.Home), "Regions:Home must be one of Regions:Names.")
            .ValidateOnStart();
        services.AddOptions<AccountOptions>().Bind(configuration.GetSection(AccountOptions.SectionName));
        services.AddOptions<RequestOptions>().Bind(configuration.GetSection(RequestOptions.SectionName));
        services.AddOptions<CrashReportOptions>().Bind(configuration.GetSection(CrashReportOptions.SectionName));
        services.AddOptions<ClusterProofOptions>().Bind(configuration.GetSection(ClusterProofOptions.SectionName))
            .Validate(options => options.ProofGracePeriod >= TimeSpan.Zero, "Clusters:ProofGracePeriod must not be negative.");
        services.TryAddSingleton<Pseudonymizer>();
        services.TryAddSingleton<ClusterKeys>();
        services.TryAddSingleton<RetentionRunner>();
        services.TryAddSingleton<UserKeys>();
        services.TryAddSingleton<IPrivacyRequestFaults, NoFaults>();
        services.AddOutbox(configuration);
        services.AddPrivacyRedaction();
        services.AddPrimeDirectiveMetrics();
        services.AddManagementServer(configuration);
        services.AddPrimeDirectiveTelemetry(configuration);
        return services;
    }
}
