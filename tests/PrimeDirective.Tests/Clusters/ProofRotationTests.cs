using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Clusters;

/// <summary>
/// Operators rotate their proof (issue 25, point 6): the bootstrap id travels in every report's query string, so an
/// operator may replace it with the current one as proof. Only the new one proves the operator; reports with the old one
/// are kept through <c>Clusters:ProofGracePeriod</c> (1 day), then acknowledged (200) and discarded. Fake policy clock.
/// </summary>
public sealed class ProofRotationTests(ProofRotationTests.ClockService service) : IClassFixture<ProofRotationTests.ClockService>
{
    [Fact]
    public async Task The_new_proof_works_at_once_and_the_old_one_keeps_reports_only_through_the_grace_period()
    {
        var (cluster, old) = await ReportingClusterAsync();
        var fresh = Flynn.NewId();

        using (var rotate = await RotateAsync(cluster, old, new { bootstrapId = fresh }))
        {
            Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
            var until = (DateTimeOffset)(await Json.ReadAsync(rotate))["previousAcceptedUntil"]!;
            Assert.Equal(service.Clock.GetUtcNow() + TimeSpan.FromDays(1), until, TimeSpan.FromSeconds(1));
        }

        // Only the new id proves the operator now: the old one, which sat in proxy logs, opens nothing.
        Assert.Equal(cluster, (string)(await ViewAsync(cluster, fresh))["clusterId"]!);
        using (var stale = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", old)))
        {
            Assert.Equal(HttpStatusCode.NotFound, stale.StatusCode);
        }

        // Within the grace period the cluster may not have its new TELEMETRY_BOOTSTRAP_ID yet: its reports are kept.
        await ReportAsync(cluster, old, "198.51.100.61");
        await ReportAsync(cluster, fresh, "198.51.100.62");
        Assert.True(await service.Database.CountRowsContainingAsync("198.51.100.61") > 0);
        Assert.True(await service.Database.CountRowsContainingAsync("198.51.100.62") > 0);

        // After it, a report with the old id is acknowledged (Flynn retries anything else) and nothing of it is stored.
        service.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await ReportAsync(cluster, old, "198.51.100.63");
        Assert.Equal(0, await service.Database.CountRowsContainingAsync("198.51.100.63"));
        await ReportAsync(cluster, fresh, "198.51.100.64");
        Assert.True(await service.Database.CountRowsContainingAsync("198.51.100.64") > 0);

        var view = await ViewAsync(cluster, fresh);
        Assert.Contains(view["items"]!.AsArray(), item => (string)item!["value"]! == fresh);
        Assert.DoesNotContain(view["items"]!.AsArray(), item => (string)item!["value"]! == old);
        Assert.Contains(view["audit"]!.AsArray(), entry => (string)entry!["action"]! == "bootstrap-id-replaced");
    }

    [Fact]
    public async Task A_wrong_proof_is_answered_as_an_unknown_cluster_and_a_bad_new_proof_is_refused_and_nothing_changes()
    {
        var (cluster, proof) = await ReportingClusterAsync();
        var wanted = Flynn.NewId();

        // A wrong proof gets what the other cluster routes give it: 404, as if the cluster were unknown.
        using (var wrong = await RotateAsync(cluster, Flynn.NewId(), new { bootstrapId = wanted }))
        using (var telemetry = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Put, $"/v1/clusters/{cluster}/telemetry", Flynn.NewId(), Json.Body(new { disabled = true }))))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
            Assert.Equal(telemetry.StatusCode, wrong.StatusCode);
            Assert.Equal((string)(await Json.ReadAsync(telemetry))["title"]!, (string)(await Json.ReadAsync(wrong))["title"]!);
        }

        using (var missing = await RotateAsync(cluster, null, new { bootstrapId = wanted }))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // A new id that is not a bootstrap id (a UUID) is refused with a problem naming the field; a body without one, as any malformed body.
        foreach (var bad in new[] { "not-a-uuid", string.Empty, wanted.ToUpperInvariant() + "0" })
        {
            using var refused = await RotateAsync(cluster, proof, new { bootstrapId = bad });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.NotNull((await Json.ReadAsync(refused))["errors"]?["bootstrapId"]);
        }

        foreach (var shapeless in new object[] { new { bootstrapId = (string?)null }, new { } })
        {
            using var refused = await RotateAsync(cluster, proof, shapeless);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        // Nothing changed: the old proof still opens the cluster, the wanted one does not, and nothing was audited.
        var view = await ViewAsync(cluster, proof);
        Assert.DoesNotContain(view["audit"]!.AsArray(), entry => (string)entry!["action"]! == "bootstrap-id-replaced");
        Assert.Contains(view["items"]!.AsArray(), item => (string)item!["value"]! == proof);
        using (var notYet = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", wanted)))
        {
            Assert.Equal(HttpStatusCode.NotFound, notYet.StatusCode);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(wanted));
    }

    private Task<HttpResponseMessage> RotateAsync(string cluster, string? proof, object body) =>
        service.Http.SendAsync(Flynn.WithProof(HttpMethod.Put, $"/v1/clusters/{cluster}/bootstrap", proof, Json.Body(body)));

    private async Task<(string Cluster, string Bootstrap)> ReportingClusterAsync()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap), HttpStatusCode.OK);
        return (cluster, bootstrap);
    }

    private async Task ReportAsync(string cluster, string bootstrap, string address)
    {
        using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
    }

    private async Task<JsonNode> ViewAsync(string cluster, string bootstrap)
    {
        using var response = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    /// <summary>A service of its own whose silo keeps the policy's time on a fake clock.</summary>
    public sealed class ClockService : ServiceHost
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Purpose => "proof-rotation";

        protected override void ConfigureSilo(ISiloBuilder silo) =>
            silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
    }
}
