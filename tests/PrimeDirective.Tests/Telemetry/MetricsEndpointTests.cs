using System.Net;
using PrimeDirective.Grains.Telemetry;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Telemetry;

/// <summary>
/// <c>GET /metrics</c> is a Prometheus scrape on the management port of a silo and of a gateway (real Kestrel, real
/// PostgreSQL), and nothing at all on the public port.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class MetricsEndpointTests(SharedService service)
{
    [Fact]
    public async Task A_silo_s_management_port_answers_a_prometheus_scrape_with_orleans_and_runtime_metrics()
    {
        var port = FreePort.Next();
        var silo = await service.StartSiloAsync(overrides: new Dictionary<string, string?> { ["Management:Urls"] = $"http://127.0.0.1:{port}" });
        try
        {
            using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var text = await ScrapeAsync(management, "orleans_");

            Assert.Contains("# TYPE dotnet_gc_", text, StringComparison.Ordinal);
            Assert.Contains("otel_scope_name=\"Microsoft.Orleans\"", text, StringComparison.Ordinal);
        }
        finally
        {
            await service.StopSiloAsync(silo);
        }
    }

    [Fact]
    public async Task A_gateway_s_management_port_answers_a_prometheus_scrape_and_its_public_port_answers_404_for_metrics()
    {
        var port = FreePort.Next();
        var address = (await service.StartGatewayOnAsync("http://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "client",
            ["Management:Urls"] = $"http://127.0.0.1:{port}",
        })).Single();
        var gateway = service.Gateways[^1];
        try
        {
            using var publicPort = new HttpClient { BaseAddress = address };
            using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using (var stats = await publicPort.GetAsync("/v1/stats"))
            {
                Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
            }

            using var onPublic = await publicPort.GetAsync(PrimeDirectiveTelemetry.MetricsPath);
            var text = await ScrapeAsync(management, "http_server_request_duration_seconds_bucket");

            // The request above, named by its route template; the public port serves no scrape.
            Assert.Contains("http_route=\"/v1/stats\"", text, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
            Assert.DoesNotContain("# TYPE", await onPublic.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await service.StopGatewayAsync(gateway);
        }
    }

    /// <summary>Scrapes until <paramref name="expected"/> appears (a scrape may be served from the exporter's short cache).</summary>
    private static async Task<string> ScrapeAsync(HttpClient management, string expected) => await Eventually.ReturnsAsync(
        async () =>
        {
            using var response = await management.GetAsync(PrimeDirectiveTelemetry.MetricsPath);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType ?? string.Empty, StringComparison.Ordinal);
            return await response.Content.ReadAsStringAsync();
        },
        text => text.Contains(expected, StringComparison.Ordinal),
        TimeSpan.FromSeconds(30),
        $"the scrape shows {expected}");
}
