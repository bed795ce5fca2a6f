using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.RetentionBench;

/// <summary>One silo, configured by the one silo configuration, on the bench's database, with the bench's retention.</summary>
internal static class BenchSilo
{
    public static async Task<IHost> StartAsync(BenchOptions options, string connectionString, string serviceId, CancellationToken cancellationToken)
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
            ["KeyStore:Keks:1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Privacy:PseudonymKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Orleans:ClusterId"] = serviceId,
            ["Orleans:ServiceId"] = serviceId,
            ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Retention:IpAddress"] = options.IpRetention.ToString("c", CultureInfo.InvariantCulture),
            ["Retention:RawReport"] = options.ReportRetention.ToString("c", CultureInfo.InvariantCulture),
            ["Retention:RetryPeriod"] = options.RetryPeriod.ToString("c", CultureInfo.InvariantCulture),
        });
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.AddPrimeDirective(builder.Configuration);
            // The retry period may be below Orleans' one-minute floor in a short run.
            silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>A loopback port nobody listens on right now (never Orleans' defaults, which other processes may hold).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
