using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Notices;

namespace PrimeDirective.NoticeBench;

/// <summary>The bench's silos: configured by the one silo configuration, on one database, sharing a key and an outbox folder.</summary>
internal sealed class NoticeSilos(string connectionString, string key, string outbox) : IAsyncDisposable
{
    /// <summary>The key-encryption key every silo of the bench shares.</summary>
    private readonly string _kek = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private readonly string _serviceId = $"notice-bench-{Guid.NewGuid():N}";

    public List<IHost> Running { get; } = [];

    /// <summary>The silo whose fan-out recorded a batch last (set by its fault hook, which never faults).</summary>
    public IHost? FanoutHost { get; private set; }

    public async Task<IHost> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            // Not Production: silos of one process on loopback, which trust a development Orleans certificate of that process.
            EnvironmentName = "Benchmark",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:PrimeDirective"] = connectionString,
            // The bench's one database holds the key store's table too: it measures the work of sealing, not the split.
            ["ConnectionStrings:KeyStore"] = connectionString,
            ["KeyStore:Keks:1"] = _kek,
            ["Privacy:PseudonymKey"] = key,
            ["Orleans:ClusterId"] = _serviceId,
            ["Orleans:ServiceId"] = _serviceId,
            ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Outbox:Directory"] = outbox,
            ["Outbox:RecheckPeriod"] = "00:00:05",
            ["Notices:ResumePeriod"] = "00:00:02",
        });
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        IHost? self = null;
        builder.UseOrleans(silo =>
        {
            silo.AddPrimeDirective(builder.Configuration);
            silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 1;
                options.NumVotesForDeathDeclaration = 1;
            });
            silo.Services.Replace(ServiceDescriptor.Singleton<INoticeFaults>(new Spy(() => FanoutHost = self)));
        });
        var host = builder.Build();
        self = host;
        await host.StartAsync();
        Running.Add(host);
        return host;
    }

    /// <summary>Ends a silo without a graceful stop, as a crash would.</summary>
    public async Task KillAsync(IHost host)
    {
        Running.Remove(host);
        await host.StopAsync(new CancellationToken(canceled: true));
        host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Running.ToList())
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Notes which silo runs the fan-out; injects nothing.</summary>
    private sealed class Spy(Action seen) : INoticeFaults
    {
        public Task BeforeBatchRecordedAsync(string campaignId, int batch)
        {
            seen();
            return Task.CompletedTask;
        }

        public Task BeforeDeliveryAsync(string campaignId, string subjectKey) => Task.CompletedTask;
    }
}
