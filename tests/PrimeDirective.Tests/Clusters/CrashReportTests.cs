using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Clusters;

/// <summary>The "given directly" collection path: crash reports, personal as a whole, 180 days, and the combination rule.</summary>
[Collection(TestCollections.SharedService)]
public sealed class CrashReportTests(SharedService service)
{
    [Fact]
    public async Task A_crash_report_is_kept_as_personal_direct_crash_report_data_for_180_days_shown_in_access_and_erased()
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        var canary = $"panic: nil map in /home/canary-{Guid.NewGuid():N}/app";

        using (var response = await SendAsync(cluster, bootstrap, canary))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.True((bool)(await Json.ReadAsync(response))["kept"]!);
        }

        var item = Assert.Single(await ItemsAsync(cluster, bootstrap), item => (string)item["category"]! == "crash-report");
        Assert.Equal("direct", (string)item["source"]!);
        Assert.Equal("crash-reports", (string)item["purpose"]!);

        // Nobody linked the cluster: kept on its operator's own choice to send it, and shown so.
        Assert.Equal("operator", (string)item["basis"]!);
        Assert.True((bool)item["personal"]!);
        Assert.Contains(canary, (string)item["value"]!, StringComparison.Ordinal);
        var kept = (DateTimeOffset)item["expiresAt"]! - (DateTimeOffset)item["collectedAt"]!;
        Assert.InRange(kept, TimeSpan.FromDays(179), TimeSpan.FromDays(180));
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(canary));

        using (var erase = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/erasure", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
            var receipt = await Erasure.CompletedReceiptAsync(service.Http, (string)(await Json.ReadAsync(erase))["receiptUrl"]!, TimeSpan.FromSeconds(30));
            Assert.Contains("crash-report", receipt.ToJsonString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(canary));
    }

    [Fact]
    public async Task A_clusters_crash_report_is_shown_encrypted_at_rest_under_key_version_1_and_its_plain_items_are_not()
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        using (var response = await SendAsync(cluster, bootstrap, $"panic: protection-{Guid.NewGuid():N}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var items = await ItemsAsync(cluster, bootstrap);
        var crash = Assert.Single(items, item => (string)item["category"]! == "crash-report")["protection"]!;
        Assert.True((bool)crash["encryptedAtRest"]!);
        Assert.Equal("per-value", (string?)crash["sealing"]);
        Assert.Equal(1, (int)crash["keyVersion"]!);
        Assert.All(items.Where(item => item["reportId"] is not null && (string)item["category"]! is not ("crash-report" or "ip-address")), item =>
            Assert.False((bool)item["protection"]!["encryptedAtRest"]!));
    }

    [Fact]
    public async Task Every_report_item_is_shown_as_personal_because_it_is_stored_with_the_cluster_id()
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        using (var report = await service.Http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, "combination"))))
        {
            Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
        }

        var items = await ItemsAsync(cluster, bootstrap);
        Assert.Contains(items, item => (string)item["category"]! == "usage");
        Assert.Contains(items, item => (string)item["category"]! == "performance");
        Assert.Contains(items, item => (string)item["category"]! == "configuration");
        Assert.All(items, item => Assert.True((bool)item["personal"]!, $"{item["category"]} is stored with the cluster id"));
    }

    [Fact]
    public async Task A_crash_report_with_a_wrong_or_missing_proof_is_refused_and_nothing_is_kept()
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        var canary = $"canary-{Guid.NewGuid():N}";

        using (var wrong = await SendAsync(cluster, Flynn.NewId(), canary))
        using (var missing = await SendAsync(cluster, null, canary))
        using (var unknown = await SendAsync(Flynn.NewId(), bootstrap, canary))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(canary));
        Assert.DoesNotContain(await ItemsAsync(cluster, bootstrap), item => (string)item["category"]! == "crash-report");
    }

    [Fact]
    public async Task A_crash_report_is_acknowledged_and_nothing_kept_while_telemetry_is_disabled()
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        using (var off = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Put, $"/v1/clusters/{cluster}/telemetry", bootstrap, Json.Body(new { disabled = true }))))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        var canary = $"canary-{Guid.NewGuid():N}";
        using (var response = await SendAsync(cluster, bootstrap, canary))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.False((bool)(await Json.ReadAsync(response))["kept"]!);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(canary));
        Assert.DoesNotContain(await ItemsAsync(cluster, bootstrap), item => (string)item["category"]! == "crash-report");
    }

    [Fact]
    public async Task A_crash_report_is_discarded_while_a_linked_person_withdrew_crash_reports_consent_and_kept_once_they_grant_it()
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        var person = await service.SignUpAsync();
        using (var link = await service.Http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId = cluster, bootstrapId = bootstrap })))
        {
            Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        }

        await SetConsentAsync(person, granted: false);
        var withdrawn = $"canary-{Guid.NewGuid():N}";
        using (var response = await SendAsync(cluster, bootstrap, withdrawn))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.False((bool)(await Json.ReadAsync(response))["kept"]!);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(withdrawn));

        await SetConsentAsync(person, granted: true);
        var granted = $"canary-{Guid.NewGuid():N}";
        using (var response = await SendAsync(cluster, bootstrap, granted))
        {
            Assert.True((bool)(await Json.ReadAsync(response))["kept"]!);
        }

        // Exportable: the person's own export carries the linked cluster's crash report.
        var me = await service.Http.GetMeAsync(person);
        var items = me["clusters"]!.AsArray().Single()!["data"]!["items"]!.AsArray();
        Assert.Contains(items, item => (string)item!["category"]! == "crash-report" && ((string)item["value"]!).Contains(granted, StringComparison.Ordinal));
        Assert.DoesNotContain(withdrawn, me.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_linked_persons_default_not_granted_counts_as_withdrawn_until_they_grant_and_then_the_basis_is_consent()
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        var person = await service.SignUpAsync();
        using (var link = await service.Http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId = cluster, bootstrapId = bootstrap })))
        {
            Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        }

        // The person never chose: crash-reports consent is "not granted" by default, so nothing of the report is kept.
        var me = await service.Http.GetMeAsync(person);
        var consent = me["account"]!["consents"]!.AsArray().Single(consent => (string)consent!["purpose"]! == "crash-reports")!;
        Assert.False((bool)consent["granted"]!);
        Assert.Equal("default", (string)consent["basis"]!);
        var byDefault = $"canary-{Guid.NewGuid():N}";
        using (var response = await SendAsync(cluster, bootstrap, byDefault))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.False((bool)(await Json.ReadAsync(response))["kept"]!);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(byDefault));
        Assert.DoesNotContain(await ItemsAsync(cluster, bootstrap), item => (string)item["category"]! == "crash-report");

        await SetConsentAsync(person, granted: true);
        var granted = $"canary-{Guid.NewGuid():N}";
        using (var response = await SendAsync(cluster, bootstrap, granted))
        {
            Assert.True((bool)(await Json.ReadAsync(response))["kept"]!);
        }

        var item = Assert.Single(await ItemsAsync(cluster, bootstrap), item => (string)item["category"]! == "crash-report");
        Assert.Contains(granted, (string)item["value"]!, StringComparison.Ordinal);
        Assert.Equal("direct", (string)item["source"]!);
        Assert.Equal("consent", (string)item["basis"]!);
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(byDefault));
    }

    [Theory]
    [InlineData("{\"version\":\"v1\",\"component\":\"Scheduler Loop\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"message\":\"m\"}", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"version\":\"v1\",\"component\":\"scheduler\",\"occurredAt\":\"2999-01-01T00:00:00Z\",\"message\":\"m\"}", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"version\":\"v1\",\"component\":\"scheduler\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"message\":\"\"}", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"version\":\"v1\",\"component\":\"scheduler\",\"message\":\"m\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"version\":\"v1\",\"component\":\"scheduler\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"message\":\"m\",\"host\":\"h\"}", HttpStatusCode.BadRequest)]
    public async Task Bad_crash_reports_are_refused_and_nothing_is_kept(string body, HttpStatusCode expected)
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        using var response = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/crash-reports", bootstrap, Json.Raw(body)));

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain(await ItemsAsync(cluster, bootstrap), item => (string)item["category"]! == "crash-report");
    }

    [Fact]
    public async Task A_crash_report_over_64_KiB_is_refused()
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        var body = Json.Body(new { version = "v1", component = "scheduler", occurredAt = DateTimeOffset.UtcNow, message = "m", stack = new string('x', 65 * 1024) });
        using var response = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/crash-reports", bootstrap, body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.DoesNotContain(await ItemsAsync(cluster, bootstrap), item => (string)item["category"]! == "crash-report");
    }

    private async Task<(string Cluster, string Bootstrap)> KnownClusterAsync()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using var response = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (cluster, bootstrap);
    }

    private Task<HttpResponseMessage> SendAsync(string cluster, string? bootstrap, string message) =>
        service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/crash-reports", bootstrap, Json.Body(new
        {
            version = Flynn.Version,
            component = "scheduler",
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            message,
            stack = $"goroutine 1 [running]:\nmain.main()\n\t{message}",
        })));

    private async Task<List<JsonNode>> ItemsAsync(string cluster, string bootstrap)
    {
        using var response = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await Json.ReadAsync(response))["items"]!.AsArray().Select(item => item!)];
    }

    private async Task SetConsentAsync(Person person, bool granted)
    {
        using var response = await service.Http.SendAsync(person.Request(HttpMethod.Put, "/v1/me/consents/crash-reports", new { granted }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
