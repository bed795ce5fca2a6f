using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Tests.Infrastructure;

/// <summary>
/// The service's silo as its in-memory mode composes it (<see cref="SiloConfiguration.AddPrimeDirective"/> without a
/// connection string: memory grain storage, memory reminders), on an Orleans <see cref="InProcessTestCluster"/>, with
/// a <see cref="FakeTimeProvider"/> as the policy's clock and the subjects' storage wrapped by
/// <see cref="ConflictingStorage"/>. Started once per collection and shared: tests isolate themselves with fresh ids.
/// </summary>
public class GrainCluster : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    /// <summary>Settings every silo of this cluster reads (as <c>appsettings</c> would); a derived fixture adds its own.</summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.Ordinal)
    {
        ["Privacy:PseudonymKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Outbox:Directory"] = Path.Combine(Path.GetTempPath(), $"pd-fast-outbox-{Guid.NewGuid():N}"),
        // The outbox's files must outlive the years tests move the clock by.
        ["Outbox:FileLifetime"] = "3650.00:00:00",
    };

    /// <summary>The policy's clock (collection times, expiries, holds, code lifetimes); Orleans' own timers keep real time.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));

    /// <summary>Injects write conflicts into the subjects' storage on demand.</summary>
    public ConflictingStorage Conflicts { get; } = new();

    /// <summary>Every log line of the silo.</summary>
    public FakeLogCollector Logs { get; } = new();

    /// <summary>The grain factory the gateway's in-memory mode calls grains through.</summary>
    public IGrainFactory Grains => Silo.GetRequiredService<IGrainFactory>();

    /// <summary>The silo's services (its keys, options, in-memory logs); never for a grain to fetch from.</summary>
    public IServiceProvider Silo => _cluster.GetSiloServiceProvider();

    /// <summary>Grain keys of clusters, as the gateway derives them.</summary>
    public ClusterKeys ClusterKeys => Silo.GetRequiredService<ClusterKeys>();

    /// <summary>Grain keys of people, as the gateway derives them.</summary>
    public UserKeys UserKeys => Silo.GetRequiredService<UserKeys>();

    /// <summary>The outbox directory the silo writes messages to.</summary>
    public string OutboxDirectory => Settings["Outbox:Directory"]!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        // Grains are called as the gateway's in-memory mode calls them: through the silo's own grain factory (an external
        // client would need the cluster's TLS certificates for nothing a grain test proves).
        builder.Options.InitializeClientOnDeploy = false;
        builder.ConfigureSiloHost((silo, host) =>
        {
            host.Configuration.AddInMemoryCollection(Settings);
            host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Orleans:SiloPort"] = silo.SiloPort.ToString(CultureInfo.InvariantCulture),
                ["Orleans:GatewayPort"] = silo.GatewayPort.ToString(CultureInfo.InvariantCulture),
            });
            host.Logging.AddProvider(new FakeLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Debug);
        });
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddPrimeDirective(silo.Configuration, singleProcess: true);
            silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
            Conflicts.Install(silo);
            ConfigureSilo(silo);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    /// <summary>A derived fixture's own additions to the silo.</summary>
    protected virtual void ConfigureSilo(ISiloBuilder silo)
    {
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        if (Directory.Exists(OutboxDirectory))
        {
            Directory.Delete(OutboxDirectory, recursive: true);
        }
    }
}

/// <summary>The collection of tests that share one <see cref="GrainCluster"/>.</summary>
[CollectionDefinition(Name)]
public sealed class GrainClusterDefinition : ICollectionFixture<GrainCluster>
{
    public const string Name = "grain cluster";
}
