using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Clusters;

[Collection(TestCollections.SharedService)]
public sealed class ClusterReportingTests(SharedService service)
{
    private readonly HttpClient _http = service.Http;

    [Fact]
    public async Task Flynn_scheduler_report_is_stored_durably_and_shown_to_its_operator()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using var report = await _http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "203.0.113.10"));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);

        // Durable before the 200: the row is already in PostgreSQL.
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(cluster));

        var held = await GetAsync($"/v1/clusters/{cluster}", bootstrap);
        Assert.Equal(cluster, (string?)held["clusterId"]);
        Assert.Equal("eu", (string?)held["region"]);
        var items = held["items"]!.AsArray();
        var usage = Single(items, "usage");
        Assert.Equal(3, (double)usage["metrics"]!["hosts"]!);
        Assert.Equal(9, (double)usage["metrics"]!["running_jobs"]!);
        Assert.Equal(4, (double)usage["metrics"]!["running_apps"]!);
        Assert.Equal(5, (double)usage["metrics"]!["running_formations"]!);
        Assert.Equal(2, (double)usage["metrics"]!["postgres_dbs"]!);
        Assert.Equal(1, (double)usage["metrics"]!["mysql_dbs"]!);
        Assert.Equal("automatic", (string?)usage["source"]);
        Assert.Equal("usage-statistics", (string?)usage["purpose"]);
        // The combination rule (issue 14): stored with the cluster id, so personal.
        Assert.True((bool)usage["personal"]!);
        Assert.Equal(Flynn.Version, (string?)Single(items, "configuration")["value"]);

        var ip = Single(items, "ip-address");
        Assert.Equal("203.0.113.10", (string?)ip["value"]);
        Assert.True((bool)ip["personal"]!);
        var collected = (DateTimeOffset)ip["collectedAt"]!;
        // Expiries are rounded down to the day (Retention:ExpiryGranularity): destroyed early, never late.
        Assert.Equal(StartOfDay(collected.AddDays(30)), (DateTimeOffset)ip["expiresAt"]!);
        Assert.Equal(StartOfDay(collected.AddDays(90)), (DateTimeOffset)usage["expiresAt"]!);

        var identifiers = items.Where(item => (string?)item!["category"] == "identifier").Select(item => (string?)item!["value"]).ToList();
        Assert.Equal([cluster, bootstrap], identifiers);
        Assert.All(items.Where(item => (string?)item!["category"] == "identifier"), item => Assert.True((bool)item!["personal"]!));
    }

    [Fact]
    public async Task A_region_prefix_stores_the_report_under_that_region_only()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using var report = await _http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, region: "us"));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);

        var held = await GetAsync($"/us/v1/clusters/{cluster}", bootstrap);
        Assert.Equal("us", (string?)held["region"]);
        using var home = await _http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.NotFound, home.StatusCode);

        var holding = await service.Database.GrainStatesContainingAsync(cluster);
        var keys = holding.Count == 0 ? null : string.Join(',', holding.Select(found => found.Key));
        Assert.NotNull(keys);
        Assert.StartsWith("us/", keys, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster, keys, StringComparison.Ordinal);
        Assert.DoesNotContain(",", keys, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_report_id_sent_five_times_at_once_is_stored_once()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var reportId = $"r-{Guid.NewGuid():N}";

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            _http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, reportId)))));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.Accepted, response.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(response => response.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Distinct());
        Assert.Equal(reportId, (string?)JsonNode.Parse(bodies[0])!["reportId"]);

        var items = (await GetAsync($"/v1/clusters/{cluster}", bootstrap))["items"]!.AsArray();
        var fromReport = items.Where(item => (string?)item!["reportId"] == reportId).Select(item => (string?)item!["category"]).Order().ToList();
        Assert.Equal(["configuration", "ip-address", "performance", "usage"], fromReport);
        Assert.Equal(4, items.Count(item => item!["reportId"] is not null));

        // A later repeat is still answered as the first was.
        using var repeat = await _http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, reportId, hosts: 99)));
        Assert.Equal(bodies[0], await repeat.Content.ReadAsStringAsync());
        var after = (await GetAsync($"/v1/clusters/{cluster}", bootstrap))["items"]!.AsArray();
        Assert.Equal(3, (double)Single(after, "usage")["metrics"]!["hosts"]!);
    }

    [Fact]
    public async Task X_Forwarded_For_counts_only_from_a_trusted_proxy()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using var untrusting = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway:TrustedProxies:0"] = "192.0.2.1" });

        using var report = await untrusting.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "203.0.113.66"));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);

        var ip = Single((await GetAsync($"/v1/clusters/{cluster}", bootstrap))["items"]!.AsArray(), "ip-address");
        Assert.Equal("127.0.0.1", (string?)ip["value"]);
        Assert.Equal(0, await service.Database.CountRowsContainingAsync("203.0.113.66"));
    }

    [Fact]
    public async Task Disabled_telemetry_acknowledges_reports_and_keeps_nothing_of_them()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var first = await _http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "203.0.113.20")))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var disable = await _http.SendAsync(Flynn.WithProof(HttpMethod.Put, $"/v1/clusters/{cluster}/telemetry", bootstrap, Json.Body(new { disabled = true, purge = false })));
        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        Assert.True((bool)(await Json.ReadAsync(disable))["disabled"]!);

        using (var later = await _http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, hosts: 42, forwardedFor: "203.0.113.21")))
        {
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        }

        using (var json = await _http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, "after-opt-out", hosts: 43))))
        {
            Assert.Equal(HttpStatusCode.Accepted, json.StatusCode);
        }

        var held = await GetAsync($"/v1/clusters/{cluster}", bootstrap);
        Assert.True((bool)held["telemetry"]!["disabled"]!);
        var usage = held["items"]!.AsArray().Where(item => (string?)item!["category"] == "usage").ToList();
        Assert.Equal(3, (double)Assert.Single(usage)!["metrics"]!["hosts"]!);
        Assert.Equal(0, await service.Database.CountRowsContainingAsync("203.0.113.21"));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync("after-opt-out"));
        Assert.Equal(1, await service.Database.CountRowsContainingAsync("203.0.113.20"));

        using var purge = await _http.SendAsync(Flynn.WithProof(HttpMethod.Put, $"/v1/clusters/{cluster}/telemetry", bootstrap, Json.Body(new { disabled = true, purge = true })));
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        var purged = (await GetAsync($"/v1/clusters/{cluster}", bootstrap))["items"]!.AsArray();
        Assert.All(purged, item => Assert.Equal("identifier", (string?)item!["category"]));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync("203.0.113.20"));
    }

    [Fact]
    public async Task Erasure_leaves_no_row_with_the_clusters_ids_or_addresses()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await _http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "203.0.113.30")))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        using (var json = await _http.PostAsync($"/us/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, "r-us"))))
        {
            Assert.Equal(HttpStatusCode.Accepted, json.StatusCode);
        }

        using var erase = await _http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/erasure", bootstrap));
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var accepted = await Json.ReadAsync(erase);
        Assert.StartsWith("eu-", (string?)accepted["requestId"], StringComparison.Ordinal);
        var request = await Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await _http.GetAsync((string)accepted["receiptUrl"]!);
                return await Json.ReadAsync(response);
            },
            json => (string?)json["status"] == "completed",
            TimeSpan.FromSeconds(30),
            "the cluster's erasure completes");
        var receipt = Assert.Single(request["receipts"]!.AsArray())!;
        Assert.Equal("cluster", (string?)receipt["subject"]);
        Assert.Equal("eu", (string?)receipt["region"]);
        Assert.Equal(1, (int)receipt["itemsByCategory"]!["ip-address"]!);
        Assert.DoesNotContain(cluster, request.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(bootstrap, request.ToJsonString(), StringComparison.Ordinal);

        using var gone = await _http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        // The us-region subject of the same cluster is erased through its own region's route.
        using (var eraseUs = await _http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/us/v1/clusters/{cluster}/erasure", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.Accepted, eraseUs.StatusCode);
            Assert.StartsWith("us-", (string?)(await Json.ReadAsync(eraseUs))["requestId"], StringComparison.Ordinal);
        }

        foreach (var needle in new[] { cluster, bootstrap, "203.0.113.30" })
        {
            await Eventually.ReturnsAsync(
                () => service.Database.CountRowsContainingAsync(needle), rows => rows == 0, TimeSpan.FromSeconds(30), "no row holds the cluster");
        }
    }

    [Fact]
    public async Task A_wrong_or_missing_proof_is_answered_exactly_like_an_unknown_cluster()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await _http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        using var wrong = await _http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", Flynn.NewId()));
        using var missing = await _http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", null));
        using var unknown = await _http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{Flynn.NewId()}", bootstrap));

        foreach (var response in new[] { wrong, missing, unknown })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var problem = await Json.ReadAsync(response);
            Assert.Equal("urn:prime-directive:problem:not-found", (string?)problem["type"]);
            Assert.Equal("No cluster is known here.", (string?)problem["detail"]);
        }
    }

    private async Task<JsonNode> GetAsync(string path, string bootstrap)
    {
        using var response = await _http.SendAsync(Flynn.WithProof(HttpMethod.Get, path, bootstrap));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    private static JsonNode Single(JsonArray items, string category) =>
        Assert.Single(items, item => (string?)item!["category"] == category)!;

    private static DateTimeOffset StartOfDay(DateTimeOffset at) => new(at.UtcDateTime.Date, TimeSpan.Zero);
}
