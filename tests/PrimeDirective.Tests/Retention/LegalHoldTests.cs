using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Retention;

/// <summary>Policy: we destroy data we no longer need "unless we are required by law to keep it longer".</summary>
public sealed class LegalHoldTests
{
    [Fact]
    public async Task A_hold_on_a_cluster_keeps_expired_data_until_it_is_lifted_then_it_is_destroyed_at_once_and_proven()
    {
        await using var service = await ServiceHost.StartOwnedAsync<HeldRetentionService>();
        var officer = await service.SignUpAsync();
        var admin = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        const string address = "203.0.113.91";
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        using (var place = await admin.SendAsync(officer.Request(
            HttpMethod.Put, $"/v1/admin/legal-holds/clusters/{cluster}", new { reason = "Preservation order", reference = "case-2026-17" })))
        {
            Assert.Equal(HttpStatusCode.OK, place.StatusCode);
        }

        // The address's retention (10 s) passes: it is no longer served, but the hold keeps it stored.
        await Eventually.ReturnsAsync(
            () => CategoriesAsync(service, cluster, bootstrap), categories => !categories.Contains("ip-address"), TimeSpan.FromSeconds(30), "the address expires");
        var held = await RecordAsync(service, cluster, bootstrap);
        Assert.Equal("case-2026-17", (string?)held["legalHold"]!["reference"]);
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(address));

        using (var lift = await admin.SendAsync(officer.Request(HttpMethod.Delete, $"/v1/admin/legal-holds/clusters/{cluster}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, lift.StatusCode);
        }

        await Eventually.ReturnsAsync(
            () => service.Database.CountRowsContainingAsync(address), rows => rows == 0, TimeSpan.FromSeconds(30), "the address destroyed once the hold is lifted");

        // Proof of destruction: in the ledger of the region's day, which outlives the cluster and names nobody.
        var ledger = await Eventually.ReturnsAsync(
            async () =>
            {
                // Yesterday's too, in case the run crossed midnight (UTC).
                var entries = new JsonArray();
                foreach (var day in new[] { DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow })
                {
                    using var response = await admin.SendAsync(officer.Request(
                        HttpMethod.Get, $"/v1/admin/destruction-ledger/eu/{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"));
                    foreach (var entry in (await Json.ReadAsync(response)).AsArray())
                    {
                        entries.Add(entry!.DeepClone());
                    }
                }

                return entries;
            },
            entries => entries.Any(entry => (string?)entry!["category"] == "ip-address" && (string?)entry["why"] == "expiry"),
            TimeSpan.FromSeconds(30),
            "the ledger records the expired address");
        Assert.DoesNotContain(address, ledger.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(cluster, ledger.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_erasure_under_a_legal_hold_waits_on_hold_then_completes_when_the_hold_is_lifted()
    {
        await using var service = await ServiceHost.StartOwnedAsync<SharedService>();
        var person = await service.SignUpAsync();
        var officer = await service.SignUpAsync();
        var admin = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });

        using (var place = await admin.SendAsync(officer.Request(
            HttpMethod.Put, $"/v1/admin/legal-holds/users/{person.UserId}", new { reason = "Litigation", reference = "LIT-9" })))
        {
            Assert.Equal(HttpStatusCode.OK, place.StatusCode);
        }

        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var receiptUrl = (string)(await Json.ReadAsync(erase))["receiptUrl"]!;

        await StatusAsync(service, receiptUrl, "on-hold");
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(person.Name));

        // Nothing of the person was destroyed while the hold ran; the hold and the deferral are in their audit trail.
        var audit = await AuditAsync(service, person);
        Assert.Contains("legal-hold-placed", audit);
        Assert.Contains("erasure-deferred", audit);

        using (var lift = await admin.SendAsync(officer.Request(HttpMethod.Delete, $"/v1/admin/legal-holds/users/{person.UserId}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, lift.StatusCode);
        }

        var done = await StatusAsync(service, receiptUrl, "completed");
        Assert.Contains(done["receipts"]!.AsArray(), entry => (string?)entry!["subject"] == "account");
        foreach (var value in new[] { person.Email, person.Name, person.UserId })
        {
            Assert.Equal(0, await service.Database.CountRowsContainingAsync(value));
        }
    }

    /// <summary>Waits until the request behind <paramref name="receiptUrl"/> has <paramref name="status"/>.</summary>
    internal static async Task<JsonNode> StatusAsync(ServiceHost service, string receiptUrl, string status) => await Eventually.ReturnsAsync(
        async () =>
        {
            using var response = await service.Http.GetAsync(receiptUrl);
            return await Json.ReadAsync(response);
        },
        json => (string?)json["status"] == status,
        TimeSpan.FromSeconds(30),
        $"the erasure is {status}");

    /// <summary>The account's audit actions, read from its stored state (its token no longer works once erasure is requested).</summary>
    private static async Task<string> AuditAsync(ServiceHost service, Person person) =>
        (await service.Database.GrainStatesContainingAsync(person.Name)).Select(found => found.Json).FirstOrDefault() ?? string.Empty;

    private static async Task<JsonNode> RecordAsync(ServiceHost service, string cluster, string bootstrap)
    {
        using var response = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    private static async Task<List<string?>> CategoriesAsync(ServiceHost service, string cluster, string bootstrap) =>
        [.. (await RecordAsync(service, cluster, bootstrap))["items"]!.AsArray().Select(item => (string?)item!["category"])];

    /// <summary>Retention of seconds, long enough that a hold is always placed before the first expiry.</summary>
    public sealed class HeldRetentionService : ServiceHost
    {
        public HeldRetentionService()
        {
            Settings["Retention:IpAddress"] = "00:00:10";
            Settings["Retention:RawReport"] = "00:00:12";
            Settings["Retention:RetryPeriod"] = "00:00:01";
        }

        protected override string Purpose => "holds";

        protected override void ConfigureSilo(ISiloBuilder silo) =>
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }
}
