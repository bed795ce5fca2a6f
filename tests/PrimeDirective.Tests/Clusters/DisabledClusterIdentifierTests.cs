using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Clusters;

/// <summary>
/// A cluster with telemetry disabled keeps only what is needed to keep discarding its reports (issue 19, point 26): once
/// nothing else is held, its cluster id and bootstrap id are destroyed and a salted hash of the bootstrap id recognises it.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class DisabledClusterIdentifierTests(SharedService service)
{
    [Fact]
    public async Task Disabling_with_purge_destroys_the_raw_ids_and_the_opt_out_and_the_operators_proof_still_hold()
    {
        var (cluster, bootstrap) = await ReportingClusterAsync();
        var (control, controlBootstrap) = await ReportingClusterAsync();
        await SetTelemetryAsync(control, controlBootstrap, disabled: true, purge: false);

        await SetTelemetryAsync(cluster, bootstrap, disabled: true, purge: true);

        // Nothing in any table holds either id any more (the grain key and the hash are not the ids).
        await Eventually.ReturnsAsync(
            async () => await service.Database.CountRowsContainingAsync(cluster) + await service.Database.CountRowsContainingAsync(bootstrap),
            rows => rows == 0,
            TimeSpan.FromSeconds(30),
            "the raw ids destroyed");

        // The operator is still recognised by the bootstrap id, and told what is kept and why; no identifier is listed.
        var view = await ViewAsync(cluster, bootstrap);
        Assert.Equal(cluster, (string)view["clusterId"]!);
        Assert.True((bool)view["telemetry"]!["disabled"]!);
        Assert.DoesNotContain(view["items"]!.AsArray(), item => (string)item!["category"]! == "identifier");
        Assert.Contains("hash of the bootstrap id", (string)view["retentionRules"]!.AsArray().Single()!["rule"]!, StringComparison.Ordinal);
        Assert.Contains(view["audit"]!.AsArray(), entry => (string)entry!["action"]! == "identifiers-destroyed");
        using (var wrong = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", Flynn.NewId())))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        }

        // Its reports are still acknowledged and discarded: the opt-out holds without the ids.
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "198.51.100.226")))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(cluster));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync("198.51.100.226"));

        // The other cluster, still holding reports, keeps its ids.
        Assert.True(await service.Database.CountRowsContainingAsync(control) > 0);
        Assert.Contains((await ViewAsync(control, controlBootstrap))["items"]!.AsArray(), item => (string)item!["value"]! == control);

        // Telemetry on again: the next report brings the ids back, and it is kept.
        await SetTelemetryAsync(cluster, bootstrap, disabled: false, purge: false);
        using (var again = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var back = await ViewAsync(cluster, bootstrap);
        Assert.Contains(back["items"]!.AsArray(), item => (string)item!["value"]! == cluster);
        Assert.Contains(back["items"]!.AsArray(), item => (string)item!["category"]! == "usage");
        Assert.Contains("Kept while the cluster holds reports", (string)back["retentionRules"]!.AsArray().Single()!["rule"]!, StringComparison.Ordinal);
    }

    private async Task<(string Cluster, string Bootstrap)> ReportingClusterAsync()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap), HttpStatusCode.OK);
        return (cluster, bootstrap);
    }

    private async Task SetTelemetryAsync(string cluster, string bootstrap, bool disabled, bool purge)
    {
        using var response = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Put, $"/v1/clusters/{cluster}/telemetry", bootstrap, Json.Body(new { disabled, purge })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonNode> ViewAsync(string cluster, string bootstrap)
    {
        using var response = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }
}
