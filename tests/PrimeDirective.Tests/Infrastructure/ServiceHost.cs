using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Orleans.Configuration;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using PrimeDirective.Gateway.Hosting;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// The service as it runs for real: silo hosts configured by the one silo configuration on a fresh PostgreSQL
/// database (ADO.NET clustering, storage and reminders), and the gateway as an Orleans client on Kestrel (real HTTP).
/// Every log line of silos and gateway lands in <see cref="Logs"/>.
/// </summary>
public class ServiceHost : IAsyncLifetime, IAsyncDisposable
{
    private readonly List<WebApplication> _gateways = [];
    private readonly List<IHost> _silos = [];

    public TestDatabase Database { get; private set; } = null!;

    /// <summary>The key store's own database (<c>ConnectionStrings:KeyStore</c>): the subjects' wrapped data keys.</summary>
    public TestDatabase KeyStore { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public FakeLogCollector Logs { get; } = new();

    public Dictionary<string, string?> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>The file outbox every silo and gateway of this service writes to.</summary>
    public TestOutbox Outbox { get; } = new(Path.Combine(Path.GetTempPath(), $"pd-outbox-{Guid.NewGuid():N}"));

    /// <summary>The base64 key the gateway signs tokens with (tests mint expired tokens with it).</summary>
    public string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Gateways started and not yet disposed (the first serves <see cref="Http"/>).</summary>
    public IReadOnlyList<WebApplication> Gateways => _gateways;

    /// <summary>Silos started and not yet stopped or killed.</summary>
    public IReadOnlyList<IHost> Silos => _silos;

    protected virtual string Purpose => "service";

    public virtual async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(Purpose);
        KeyStore = await TestDatabase.CreateAsync($"keys_{Purpose}");
        var clusterId = $"{Purpose}-{Guid.NewGuid():N}";
        Settings["ConnectionStrings:PrimeDirective"] = Database.ConnectionString;
        Settings["ConnectionStrings:KeyStore"] = KeyStore.ConnectionString;
        Settings["KeyStore:Keks:1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Database.Sealer = TestSealing.Opener(KeyStore.ConnectionString, Settings["KeyStore:Keks:1"]!);
        Settings["Privacy:PseudonymKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Settings["Orleans:ClusterId"] = clusterId;
        Settings["Orleans:ServiceId"] = clusterId;
        Settings["Outbox:Directory"] = Outbox.Directory;
        // Each service's fences go to a directory of its own (a fixture that reads them sets it first).
        Settings.TryAdd("Keys:FenceLog", Path.Combine(Path.GetTempPath(), $"pd-fences-{Guid.NewGuid():N}"));
        // The outbox directory is the tests' mailbox, and many tests move the policy's clock by weeks or years before reading
        // it: its files outlive that here unless a fixture sets the lifetime (OutboxFileLifetimeTests sets the shipped day).
        Settings.TryAdd("Outbox:FileLifetime", "3650.00:00:00");
        Settings["Auth:SigningKey"] = SigningKey;
        Settings[$"Receipts:Keys:{TestReceiptKeys.Id}"] = TestReceiptKeys.NewPem();
        Settings["Gateway:RateLimits:CodeRequestsPerMinute"] = "100000";
        Settings["Gateway:RateLimits:AnalyticsEvents"] = "100000";
        Settings["Gateway:RateLimits:CrashReports"] = "100000";

        // Mutual TLS between silos and from gateways, with certificates from files as in production.
        foreach (var (key, value) in TestCertificates.Cluster.Silo.Settings)
        {
            Settings[key] = value;
        }

        // Behaviour tests share two cores with parallel collections; a slow first call must not turn into a 503. The
        // shipped short default is what the multi-process kill test runs (scripts/cluster.sh).
        Settings["Orleans:ResponseTimeout"] = "00:00:30";
        await StartSilosAsync();

        Settings["Orleans:GatewayListRefreshPeriod"] = "00:00:01";
        Settings["Gateway:TrustedProxies:0"] = "127.0.0.1";
        Http = await StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client" });
    }

    /// <summary>Starts one more silo process-equivalent (its own host, ports and container) in the cluster.</summary>
    /// <param name="region">The silo's region label; <c>null</c> for an unlabelled silo that serves every region.</param>
    /// <param name="overrides">Settings of this silo only (e.g. its management listener).</param>
    public async Task<IHost> StartSiloAsync(string? region = null, IDictionary<string, string?>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:Metadata:region"] = region,
        });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Logging.AddProvider(new FakeLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Debug);
        builder.UseOrleans(silo =>
        {
            silo.AddPrimeDirective(builder.Configuration);
            ConfigureSilo(silo);
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                // A killed silo is declared dead in seconds, so a restarted cluster recovers quickly.
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 1;
                options.NumVotesForDeathDeclaration = 1;
                options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
        });
        var host = builder.Build();
        await host.StartAsync();
        _silos.Add(host);
        return host;
    }

    /// <summary>A fixture's own additions to every silo it starts.</summary>
    protected virtual void ConfigureSilo(ISiloBuilder silo)
    {
    }

    /// <summary>A fixture's own additions to every gateway it starts (after the gateway's own registrations).</summary>
    protected virtual void ConfigureGateway(WebApplicationBuilder builder)
    {
    }

    /// <summary>The fixture's initial silos: one unlabelled silo.</summary>
    protected virtual Task StartSilosAsync() => StartSiloAsync();

    /// <summary>Ends a silo without any graceful shutdown: nothing is flushed, membership is not told.</summary>
    public async Task KillSiloAsync(IHost silo)
    {
        _silos.Remove(silo);
        await silo.StopAsync(new CancellationToken(canceled: true));
        silo.Dispose();
    }

    /// <summary>Stops a silo gracefully.</summary>
    public async Task StopSiloAsync(IHost silo)
    {
        _silos.Remove(silo);
        await silo.StopAsync();
        silo.Dispose();
    }

    /// <summary>
    /// Starts one more gateway (an Orleans client on Kestrel) with the fixture's settings plus <paramref name="overrides"/>.
    /// Overrides that name one officer get a second one, who approves that officer's proposals (see <see cref="SecondOfficer"/>).
    /// </summary>
    public async Task<HttpClient> StartGatewayAsync(IDictionary<string, string?>? overrides = null)
    {
        if (overrides?.TryGetValue("Auth:Officers:0", out var officerId) == true && officerId is not null && !overrides.ContainsKey("Auth:Officers:1"))
        {
            return (await this.StartOfficerGatewayAsync(officerId, overrides)).Admin;
        }

        var address = (await StartGatewayOnAsync("http://127.0.0.1:0", overrides)).Single();

        // Officers' tokens get their second factor on the way to officer routes.
        var http = overrides?.ContainsKey("Auth:Officers:0") == true ? new HttpClient(new OfficerFactorHandler()) { BaseAddress = address } : new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("prime-directive-tests", "1"));
        return http;
    }

    /// <summary>Starts one more gateway listening on <paramref name="urls"/> (<c>;</c>-separated, port 0 allowed) and returns every address it bound.</summary>
    public async Task<IReadOnlyList<Uri>> StartGatewayOnAsync(string urls, IDictionary<string, string?>? overrides = null, string environmentName = "Testing")
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environmentName,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(Settings);
        if (overrides?.TryGetValue("Orleans:Mode", out var mode) == true && mode == "client")
        {
            // A client's certificate allows client authentication only; a co-hosted silo keeps the silos' certificate.
            builder.Configuration.AddInMemoryCollection(TestCertificates.Cluster.Gateway.Settings);
        }
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.WebHost.UseUrls(urls);
        builder.Logging.AddProvider(new FakeLoggerProvider(Logs)).SetMinimumLevel(LogLevel.Debug);
        builder.AddGateway();
        ConfigureGateway(builder);
        var app = builder.Build();
        app.UseGateway();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A gateway that refuses to start may already hold its ports and its cluster connection. One that failed
            // before its hosted services were known cannot be stopped: its own exception is the one to see.
            try
            {
                await app.StopAsync();
            }
            catch (ArgumentNullException)
            {
            }
            finally
            {
                await app.DisposeAsync();
            }

            throw;
        }

        _gateways.Add(app);
        return [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(address => new Uri(address))];
    }

    /// <summary>Stops and forgets a gateway started by <see cref="StartGatewayOnAsync"/>.</summary>
    public async Task StopGatewayAsync(WebApplication gateway)
    {
        _gateways.Remove(gateway);
        await gateway.StopAsync();
        await gateway.DisposeAsync();
    }

    /// <summary>Starts a service owned by one test (<c>await using</c>), for tests that stop or kill silos.</summary>
    public static async Task<T> StartOwnedAsync<T>()
        where T : ServiceHost, new()
    {
        var service = new T();
        await service.InitializeAsync();
        return service;
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }

        Http?.Dispose();
        foreach (var silo in _silos.ToList())
        {
            await StopSiloAsync(silo);
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        if (KeyStore is not null)
        {
            await KeyStore.DisposeAsync();
        }

        if (Directory.Exists(Outbox.Directory))
        {
            Directory.Delete(Outbox.Directory, recursive: true);
        }
    }
}

/// <summary>The service shared by behaviour tests that destroy nothing but their own fresh subjects.</summary>
public sealed class SharedService : ServiceHost
{
    protected override string Purpose => "shared";
}

[CollectionDefinition(TestCollections.SharedService)]
public sealed class SharedServiceDefinition : ICollectionFixture<SharedService>;

public static class TestCollections
{
    public const string SharedService = "shared service";
}
