using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Regions;

/// <summary>Each subject lives, and is stored, only in its home region; with no silo there, nothing happens elsewhere.</summary>
public sealed class RegionResidencyTests
{
    [Fact]
    public async Task Subjects_activate_on_their_regions_silo_and_are_stored_in_their_regions_database_only()
    {
        await using var service = await ServiceHost.StartOwnedAsync<RegionalService>();
        foreach (var region in RegionalService.Regions)
        {
            var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
            var address = $"203.0.113.{Random.Shared.Next(1, 255)}";
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, region: region, forwardedFor: address));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);

            var (host, label) = await HostingSiloAsync(service, region, cluster);
            Assert.Same(service.SiloOf[region], host);
            Assert.Equal(region, label);

            foreach (var (name, database) in service.AllDatabases())
            {
                // The grain's state (the ids) and the report's rows (the address among them) are in the region's database only.
                Assert.Equal(name == region ? 1 : 0, await database.CountRowsContainingAsync(cluster));
                Assert.Equal(name == region ? 3L : 0L, await database.ScalarAsync<long>(
                    "select count(*) from report_items where subject_key like @region || '/%'", ("region", region)));
                // The address is sealed in its row (under the cluster's and its epoch's keys): opened, it is there and only there.
                Assert.Equal(name == region ? 1L : 0L, await database.CountRowsContainingAsync(address));
            }
        }
    }

    [Fact]
    public async Task Without_a_live_eu_silo_eu_requests_fail_closed_and_other_regions_keep_working()
    {
        await using var service = await ServiceHost.StartOwnedAsync<RegionalService>();
        var (before, beforeProof) = (Flynn.NewId(), Flynn.NewId());
        using (var stored = await service.Http.SendAsync(Flynn.SchedulerReport(before, beforeProof, region: "eu")))
        {
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }

        await service.StopSiloAsync(service.SiloOf["eu"]);

        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var refused = await Eventually.ReturnsAsync(
            () => service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, region: "eu")),
            response => response.StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(60),
            "eu reports refused once the eu silo is gone");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        using (var json = await service.Http.PostAsync($"/eu/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, "eu-while-down"))))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, json.StatusCode);
        }

        using (var read = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/eu/v1/clusters/{before}", beforeProof)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        }

        foreach (var (_, database) in service.AllDatabases())
        {
            Assert.Equal(0, await database.CountRowsContainingAsync(cluster));
            Assert.Equal(0, await database.CountRowsContainingAsync("eu-while-down"));
        }

        foreach (var region in new[] { "us", "ap" })
        {
            using var other = await service.Http.SendAsync(Flynn.SchedulerReport(Flynn.NewId(), Flynn.NewId(), region: region));
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        service.SiloOf["eu"] = await service.StartSiloAsync("eu");
        var back = await Eventually.ReturnsAsync(
            () => service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/eu/v1/clusters/{before}", beforeProof)),
            response => response.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60),
            "eu data readable again once an eu silo is back");
        Assert.Contains(before, await back.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await service.RegionDatabases["eu"].CountRowsContainingAsync(before));
    }

    /// <summary>The silo hosting the cluster's grain, and the region label the cluster knows it by.</summary>
    private static async Task<(IHost Host, string? Label)> HostingSiloAsync(RegionalService service, string region, string cluster)
    {
        var anySilo = service.SiloOf["ap"].Services;
        var keys = anySilo.GetRequiredService<ClusterKeys>();
        var grains = anySilo.GetRequiredService<IGrainFactory>();
        var grain = grains.GetGrain<IClusterGrain>(keys.For(region, cluster));
        var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        Assert.NotNull(address);
        var host = service.SiloOf.Values.Single(host => host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Equals(address));
        var metadata = anySilo.GetRequiredService<ISiloMetadataCache>().GetSiloMetadata(address).Metadata;
        return (host, metadata.TryGetValue("region", out var label) ? label : null);
    }
}
