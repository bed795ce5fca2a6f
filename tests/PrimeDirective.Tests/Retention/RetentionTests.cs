using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Retention;

public sealed class RetentionTests
{
    [Fact]
    public async Task Data_with_seconds_of_retention_is_destroyed_even_across_a_silo_restart_and_no_row_holds_it()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ShortRetentionService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());

        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "203.0.113.50")))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        Assert.Equal(1, await service.Database.CountRowsContainingAsync("203.0.113.50"));
        Assert.Equal(1L, await service.Database.ScalarAsync<long>("select count(*) from reminder"));
        await service.StopSiloAsync(service.Silos.Single());
        await service.StartSiloAsync();

        await Eventually.ReturnsAsync(
            async () => await service.Database.CountRowsContainingAsync(cluster) + await service.Database.CountRowsContainingAsync(bootstrap),
            rows => rows == 0,
            TimeSpan.FromSeconds(90),
            "every row of the cluster destroyed once all of its data expired");
        Assert.Equal(0, await service.Database.CountRowsContainingAsync("203.0.113.50"));
        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select count(*) from reminder"),
            rows => rows == 0,
            TimeSpan.FromSeconds(30),
            "the retention reminder unregistered once nothing is left to expire");
        using var gone = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_disabled_clusters_raw_ids_go_with_its_last_report_and_its_reports_are_still_discarded()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ShortRetentionService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        // Telemetry off, nothing purged: the ids stay while the reports do ...
        using (var off = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Put, $"/v1/clusters/{cluster}/telemetry", bootstrap, Json.Body(new { disabled = true }))))
        {
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        }

        Assert.True(await service.Database.CountRowsContainingAsync(cluster) > 0);

        // ... and go with the last of them; the cluster's state stays, holding the opt-out and a hash of the proof.
        await Eventually.ReturnsAsync(
            async () => await service.Database.CountRowsContainingAsync(cluster) + await service.Database.CountRowsContainingAsync(bootstrap),
            rows => rows == 0,
            TimeSpan.FromSeconds(60),
            "the raw ids destroyed with the last report");
        var key = Requests.Erasure.KeysOf(service).Clusters.For("eu", cluster);
        Assert.Equal(1L, await service.Database.ScalarAsync<long>("select count(*) from grain_state where grain_id_extension_string = @key", ("key", key)));
        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>(
                "select coalesce(sum(count), 0) from destruction_ledger where why = 'telemetry-disabled' and category = 'identifier'"),
            count => count == 2,
            TimeSpan.FromSeconds(30),
            "the two ids' destruction proven in the ledger");

        using (var again = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "203.0.113.227")))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync("203.0.113.227"));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(cluster));
        using var view = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        Assert.True((bool)(await Json.ReadAsync(view))["telemetry"]!["disabled"]!);
    }

    [Fact]
    public async Task An_expired_item_is_never_served_even_before_its_reminder_fires()
    {
        await using var service = await ServiceHost.StartOwnedAsync<FakeClockService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "203.0.113.51")))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        Assert.Contains("ip-address", await CategoriesAsync(service, cluster, bootstrap));
        var person = await service.SignUpAsync();
        using (var link = await service.Http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId = cluster, bootstrapId = bootstrap })))
        {
            Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        }

        Assert.Contains("203.0.113.51", (await service.Http.GetMeAsync(person)).ToJsonString(), StringComparison.Ordinal);

        // 31 days on the grains' clock; the reminder (on Orleans' real clock) is still 30 days away.
        service.Clock.Advance(TimeSpan.FromDays(31));

        // Neither the operator's route nor the linked person's export serves it, though it is still stored.
        var categories = await CategoriesAsync(service, cluster, bootstrap);
        Assert.DoesNotContain("ip-address", categories);
        Assert.Contains("usage", categories);
        var export = (await service.Http.GetMeAsync(person)).ToJsonString();
        Assert.DoesNotContain("203.0.113.51", export, StringComparison.Ordinal);
        Assert.Contains("\"usage\"", export, StringComparison.Ordinal);
        Assert.Equal(1, await service.Database.CountRowsContainingAsync("203.0.113.51"));
    }

    private static async Task<List<string?>> CategoriesAsync(ServiceHost service, string cluster, string bootstrap)
    {
        using var response = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await Json.ReadAsync(response))["items"]!.AsArray().Select(item => (string?)item!["category"])];
    }

    public sealed class ShortRetentionService : ServiceHost
    {
        public ShortRetentionService()
        {
            Settings["Retention:IpAddress"] = "00:00:02";
            Settings["Retention:RawReport"] = "00:00:04";
            Settings["Retention:RetryPeriod"] = "00:00:01";
        }

        protected override string Purpose => "retention";

        protected override void ConfigureSilo(ISiloBuilder silo) =>
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }

    public sealed class FakeClockService : ServiceHost
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Purpose => "clock";

        // The policy's clock only: Orleans' own timers (membership, reminders, timeouts) keep real time.
        protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
    }
}
