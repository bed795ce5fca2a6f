using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Sharing;

namespace PrimeDirective.Tests.Telemetry;

/// <summary>
/// Nothing personal leaves through telemetry, including through instrumentation we did not write: the canary journey
/// runs on real PostgreSQL and Kestrel with every trace sampled, and what the exporters received (after the service's
/// redaction) holds no canary and no canary subject's grain key, in any encoding.
/// </summary>
[Collection(TelemetryFixture.Name)]
public sealed class TelemetryLeakTests(TelemetryService service)
{
    [Fact]
    public async Task The_canary_journey_leaves_no_canary_and_no_grain_key_in_any_exported_span_event_status_or_metric_point()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor);
        var person = await service.SignUpAsync();
        await service.SetConsentAsync(person, "third-party-sharing", granted: true);
        await service.DisclosedAsync(Sharing.Sharing.ForPerson(person, "processor", processorId, ["account"]));
        var capability = (string)(await service.DisclosedAsync(Sharing.Sharing.ForPerson(person, "consent", "Archive Partner", ["account"])))["packageUrl"]!;
        using (var package = await service.Http.GetAsync(capability))
        {
            Assert.Equal(HttpStatusCode.OK, package.StatusCode);
        }

        // A cluster's reports through the configured proxy, a crash report, its data read back, then erased.
        var (cluster, bootstrap, address) = (Flynn.NewId(), Flynn.NewId(), Flynn.NewAddress());
        var (crash, agent) = ($"crash-canary-{Guid.NewGuid():N}", $"agent-canary-{Guid.NewGuid():N}");
        using (var scheduler = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address)))
        {
            Assert.Equal(HttpStatusCode.OK, scheduler.StatusCode);
        }

        using (var request = Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/reports", null, Json.Body(Json.Report(bootstrap, "telemetry-canary"))))
        {
            request.Headers.Add("X-Forwarded-For", address);
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
            using var report = await service.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
        }

        using (var crashReport = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/crash-reports", bootstrap,
            Json.Body(new { version = Flynn.Version, component = "scheduler", occurredAt = DateTimeOffset.UtcNow, message = crash, stack = crash }))))
        {
            Assert.Equal(HttpStatusCode.Accepted, crashReport.StatusCode);
        }

        using (var held = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        }

        using (var wrongProof = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}?canary={crash}", Flynn.NewId())))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrongProof.StatusCode);
        }

        using (var erase = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/erasure", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
            await service.ReceiptWhenAsync((string)(await Json.ReadAsync(erase))["receiptUrl"]!, "completed");
        }

        // The person's erasure reaches the processor, which acknowledges it.
        var receiptUrl = await service.EraseAsync(person);
        await Eventually.ReturnsAsync(() => service.ReceiptAsync(receiptUrl), json => (string?)json["propagated"] == "acknowledged", TimeSpan.FromSeconds(60), "the processor acknowledges");

        // One PostgreSQL error whose statement and message carry a canary.
        var sqlCanary = $"sql-canary-{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(service.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DO $$ BEGIN RAISE EXCEPTION '{sqlCanary}'; END $$", connection);
            var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains(sqlCanary, error.MessageText, StringComparison.Ordinal);
        }

        var silo = service.Silos[0].Services;
        var userKey = silo.GetRequiredService<UserKeys>().ForUser(person.UserId);
        var clusterKey = silo.GetRequiredService<ClusterKeys>().For("eu", cluster);
        var text = service.ExportedText();

        // The journey was traced end to end: the gateway's routes, grain calls, PostgreSQL, the processor, the failed statement.
        var spans = service.Spans.Snapshot();
        Assert.Contains(spans, span => span.Source.Name == "Microsoft.AspNetCore" && (string?)span.GetTagItem("http.route") == "/v1/clusters/{clusterId}/reports");
        Assert.Contains(spans, span => span.Source.Name == "Microsoft.Orleans.Application");
        Assert.Contains(spans, span => span.Source.Name == "Npgsql" && span.Status == ActivityStatusCode.Error);
        Assert.Contains(spans, span => span.Source.Name == "System.Net.Http");
        Assert.Contains(service.Metrics.Snapshot(), metric => metric.Name == "http.server.request.duration");
        Assert.Contains(service.Metrics.Snapshot(), metric => metric.MeterName == "Microsoft.Orleans");

        var canaries = new[]
        {
            person.Email, person.Name, person.UserId, cluster, bootstrap, address, crash, agent, sqlCanary,
            capability[(capability.LastIndexOf('/') + 1)..], capability[(capability.LastIndexOf('.') + 1)..], userKey[(userKey.IndexOf('/') + 1)..], clusterKey[(clusterKey.IndexOf('/') + 1)..],
        };
        foreach (var canary in canaries)
        {
            foreach (var encoded in Encodings(canary))
            {
                Assert.False(text.Contains(encoded, StringComparison.OrdinalIgnoreCase), $"exported telemetry holds a canary ({encoded})");
            }
        }

        // And no trace context reached the processor (it is another organisation).
        Assert.NotEmpty(processor.Requests);
        Assert.All(processor.Requests, received =>
            Assert.DoesNotContain(received.Headers.Keys, name => s_traceHeaders.Contains(name)));
    }

    private static readonly HashSet<string> s_traceHeaders = new(["traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context"], StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<string> Encodings(string canary)
    {
        yield return canary;
        yield return Uri.EscapeDataString(canary);
        yield return canary.Replace("-", string.Empty, StringComparison.Ordinal);
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(canary));
        yield return Convert.ToHexString(Encoding.UTF8.GetBytes(canary));
    }
}
