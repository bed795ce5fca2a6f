using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Clusters;

[Collection(TestCollections.SharedService)]
public sealed class ServiceSurfaceTests(SharedService service)
{
    [Fact]
    public async Task Health_endpoints_answer_live_and_ready_when_cluster_and_storage_answer()
    {
        using var live = await service.Http.GetAsync("/health/live");
        using var ready = await service.Http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_openapi_document_describes_every_cluster_route()
    {
        using var response = await service.Http.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = (await Json.ReadAsync(response))["paths"]!.AsObject().Select(path => path.Key).ToList();
        Assert.Contains("/measure/scheduler", paths);
        Assert.Contains("/{region}/measure/scheduler", paths);
        Assert.Contains("/v1/clusters/{clusterId}/reports", paths);
        Assert.Contains("/v1/clusters/{clusterId}", paths);
        Assert.Contains("/v1/clusters/{clusterId}/telemetry", paths);
        Assert.Contains("/v1/clusters/{clusterId}/erasure", paths);
    }
}
