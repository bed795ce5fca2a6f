using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Deploy;

/// <summary>
/// What the probes of deploy/k8s ask, on real processes: a silo's management port says whether its membership status is
/// Active (ready) and whether it is not declared dead (live); a gateway's readiness asks only its Orleans client, so it
/// stays ready while PostgreSQL is out of its reach; the management listener serves nothing of the public API.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class HealthProbeTests(SharedService service)
{
    [Fact]
    public async Task A_silo_s_management_port_reports_it_ready_and_live_once_active_and_serves_nothing_else()
    {
        var port = FreePort.Next();
        var silo = await service.StartSiloAsync(overrides: new Dictionary<string, string?> { ["Management:Urls"] = $"http://127.0.0.1:{port}" });
        try
        {
            Assert.Equal(SiloStatus.Active, silo.Services.GetRequiredService<ISiloStatusOracle>().CurrentStatus);
            using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            using var ready = await management.GetAsync(ManagementServer.ReadyPath);
            using var live = await management.GetAsync(ManagementServer.LivePath);
            using var publicRoute = await management.GetAsync("/v1/stats");

            Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
            Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.StatusCode, await live.Content.ReadAsStringAsync()));
            Assert.Equal(HttpStatusCode.NotFound, publicRoute.StatusCode);
        }
        finally
        {
            await service.StopSiloAsync(silo);
        }

        // Stopped with its silo: nothing answers on the port any more.
        Assert.True(FreePort.IsBindable(port), "the management listener outlived its silo");
    }

    [Fact]
    public async Task A_route_added_to_the_management_listener_is_served_there_beside_health_and_the_listener_stops_with_its_process()
    {
        var port = FreePort.Next();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Management:Urls"] = $"http://127.0.0.1:{port}" });
        builder.Services.AddManagementServer(builder.Configuration);
        builder.Services.AddManagementEndpoints((routes, services) =>
            routes.MapGet("/extra", () => services.GetRequiredService<IHostEnvironment>().EnvironmentName));
        using (var host = builder.Build())
        {
            await host.StartAsync();
            using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            using var extra = await management.GetAsync("/extra");
            using var ready = await management.GetAsync(ManagementServer.ReadyPath);

            // The route sees the process's own services; with no check registered the process is healthy.
            Assert.Equal((HttpStatusCode.OK, "Testing"), (extra.StatusCode, await extra.Content.ReadAsStringAsync()));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            await host.StopAsync();
        }

        Assert.True(FreePort.IsBindable(port), "the management listener outlived its process");
    }

    [Theory]
    [InlineData(SiloStatus.Joining, false, true)]
    [InlineData(SiloStatus.Active, true, true)]
    [InlineData(SiloStatus.ShuttingDown, false, true)]
    [InlineData(SiloStatus.Stopping, false, true)]
    [InlineData(SiloStatus.Dead, false, false)]
    public async Task Readiness_is_membership_status_active_and_liveness_fails_once_declared_dead(SiloStatus status, bool ready, bool live)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISiloStatusOracle>(new FixedStatus(status));
        services.AddSiloHealth();
        await using var provider = services.BuildServiceProvider();
        var checks = provider.GetRequiredService<HealthCheckService>();

        var readiness = await checks.CheckHealthAsync(check => check.Tags.Contains(ManagementServer.ReadyTag));
        var liveness = await checks.CheckHealthAsync(check => check.Tags.Contains(ManagementServer.LiveTag));

        Assert.Equal(ready ? HealthStatus.Healthy : HealthStatus.Unhealthy, readiness.Status);
        Assert.Equal(live ? HealthStatus.Healthy : HealthStatus.Unhealthy, liveness.Status);
    }

    [Fact]
    public async Task A_silo_whose_own_watchdog_reports_a_stall_is_not_live()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISiloStatusOracle>(new FixedStatus(SiloStatus.Active));
        services.AddSingleton<IHealthCheckParticipant>(new Stalled());
        services.AddSiloHealth();
        await using var provider = services.BuildServiceProvider();

        var liveness = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains(ManagementServer.LiveTag));

        Assert.Equal(HealthStatus.Unhealthy, liveness.Status);
    }

    [Fact]
    public async Task A_gateway_stays_ready_while_postgresql_is_out_of_its_reach()
    {
        var server = new NpgsqlConnectionStringBuilder(service.Database.ConnectionString);
        await using var relay = new TcpForwarder(new DnsEndPoint(server.Host!, server.Port));
        var managementPort = FreePort.Next();
        using var gateway = await service.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client",
            ["ConnectionStrings:PrimeDirective"] = new NpgsqlConnectionStringBuilder(service.Database.ConnectionString)
            {
                Host = "127.0.0.1",
                Port = relay.Port,
                Timeout = 3,
            }.ConnectionString,
            ["Management:Urls"] = $"http://127.0.0.1:{managementPort.ToString(CultureInfo.InvariantCulture)}",
        });
        var started = service.Gateways[^1];
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };
        using (var before = await gateway.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await relay.CutAsync();
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(service.Database.ConnectionString) { Host = "127.0.0.1", Port = relay.Port, Timeout = 3, Pooling = false }.ConnectionString))
        {
            // PostgreSQL is indeed out of the gateway's reach.
            await Assert.ThrowsAsync<NpgsqlException>(() => connection.OpenAsync());
        }

        using var ready = await gateway.GetAsync("/health/ready");
        using var managementReady = await management.GetAsync(ManagementServer.ReadyPath);
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using var report = await gateway.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, managementReady.StatusCode);
        // Still serving: a report reaches its grain, which writes through its silo's own database connection.
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(cluster));

        // Cut off from PostgreSQL it would go on failing to refresh its gateway list for the rest of the run.
        await service.StopGatewayAsync(started);
    }

    private sealed class FixedStatus(SiloStatus status) : ISiloStatusOracle
    {
        public SiloStatus CurrentStatus => status;

        public string SiloName => "test";

        public SiloAddress SiloAddress => SiloAddress.New(IPAddress.Loopback, 1, 1);

        public SiloAddress[] GetActiveSilos() => [];

        public SiloStatus GetApproximateSiloStatus(SiloAddress siloAddress) => status;

        public Dictionary<SiloAddress, SiloStatus> GetApproximateSiloStatuses(bool onlyActive = false) => [];

        public bool IsDeadSilo(SiloAddress silo) => false;

        public bool IsFunctionalDirectory(SiloAddress siloAddress) => true;

        public bool SubscribeToSiloStatusEvents(ISiloStatusListener observer) => true;

        public bool TryGetSiloName(SiloAddress siloAddress, out string siloName)
        {
            siloName = "test";
            return true;
        }

        public bool UnSubscribeFromSiloStatusEvents(ISiloStatusListener observer) => true;
    }

    private sealed class Stalled : IHealthCheckParticipant
    {
        public bool CheckHealth(DateTime lastCheckTime, out string reason)
        {
            reason = "a timer is late";
            return false;
        }
    }
}
