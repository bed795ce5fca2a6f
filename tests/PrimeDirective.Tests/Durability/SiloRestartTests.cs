using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Durability;

/// <summary>Acknowledged means durable: what got a 200 is there after silos die. Each test owns its cluster.</summary>
public sealed class SiloRestartTests
{
    private static readonly TimeSpan s_recovery = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_report_acknowledged_just_before_the_silo_is_killed_is_there_afterwards()
    {
        await using var service = await ServiceHost.StartOwnedAsync<KillService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, hosts: 17));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        await service.KillSiloAsync(service.Silos.Single());
        await Eventually.ReturnsAsync(
            () => service.Http.GetAsync("/health/ready"), response => response.StatusCode == HttpStatusCode.ServiceUnavailable, s_recovery, "not ready without a silo");
        await service.StartSiloAsync();

        var held = await ReadAfterRecoveryAsync(service, cluster, bootstrap);
        using var ready = await service.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"hosts\":17", held, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grain_state_survives_a_full_restart_of_every_silo()
    {
        await using var service = await ServiceHost.StartOwnedAsync<RestartService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, "before-restart", hosts: 23))))
        {
            Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
        }

        using (var disable = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Put, $"/v1/clusters/{cluster}/telemetry", bootstrap, Json.Body(new { disabled = true }))))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }

        await service.StopSiloAsync(service.Silos.Single());
        await service.StartSiloAsync();

        var held = await ReadAfterRecoveryAsync(service, cluster, bootstrap);
        Assert.Contains("\"hosts\":23", held, StringComparison.Ordinal);
        Assert.Contains("\"disabled\":true", held, StringComparison.Ordinal);
        Assert.Contains("before-restart", held, StringComparison.Ordinal);
    }

    private static async Task<string> ReadAfterRecoveryAsync(ServiceHost service, string cluster, string bootstrap)
    {
        var response = await Eventually.ReturnsAsync(
            async () =>
            {
                using var get = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
                return (get.StatusCode, Body: await get.Content.ReadAsStringAsync());
            },
            result => result.StatusCode != HttpStatusCode.ServiceUnavailable && result.StatusCode != HttpStatusCode.InternalServerError,
            s_recovery,
            "the cluster answers again after the restart");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Body;
    }

    public sealed class KillService : ServiceHost
    {
        protected override string Purpose => "kill";
    }

    public sealed class RestartService : ServiceHost
    {
        protected override string Purpose => "restart";
    }
}
