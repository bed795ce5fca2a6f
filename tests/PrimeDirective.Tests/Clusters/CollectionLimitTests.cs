using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Clusters;

/// <summary>
/// Nobody can grow storage without bound through the open collection routes (issue 19, point 18): analytics events and
/// crash reports are rate-limited per client address (429 with Retry-After, nothing stored), and one cluster's crash
/// reports are capped per day (acknowledged with kept: false beyond it, so Flynn stops retrying; nothing stored).
/// </summary>
public sealed class CollectionLimitTests(CollectionLimitTests.LimitService service) : IClassFixture<CollectionLimitTests.LimitService>
{
    [Fact]
    public async Task Analytics_events_beyond_the_limit_of_an_address_get_429_with_Retry_After_and_nothing_is_stored_while_another_address_is_served()
    {
        var (address, other) = (NewAddress(), NewAddress());
        var pages = Enumerable.Range(0, 4).Select(_ => $"/limited/{Guid.NewGuid():N}").ToList();
        foreach (var page in pages.Take(3))
        {
            using var accepted = await service.Limited.SendAsync(Event(page, address));
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using (var refused = await service.Limited.SendAsync(Event(pages[3], address)))
        {
            await AssertRateLimitedAsync(refused);
        }

        Assert.Equal(0L, await EventsAsync(pages[3]));
        Assert.All(await Task.WhenAll(pages.Take(3).Select(EventsAsync)), count => Assert.Equal(1L, count));

        var elsewhere = $"/limited/{Guid.NewGuid():N}";
        using (var served = await service.Limited.SendAsync(Event(elsewhere, other)))
        {
            Assert.Equal(HttpStatusCode.Accepted, served.StatusCode);
        }

        Assert.Equal(1L, await EventsAsync(elsewhere));
    }

    [Fact]
    public async Task Crash_reports_beyond_the_limit_of_an_address_get_429_with_Retry_After_and_nothing_is_stored()
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        var address = NewAddress();
        for (var sent = 0; sent < 2; sent++)
        {
            using var accepted = await service.Limited.SendAsync(CrashReport(cluster, bootstrap, $"canary-{Guid.NewGuid():N}", address));
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var refusedCanary = $"canary-{Guid.NewGuid():N}";
        using (var refused = await service.Limited.SendAsync(CrashReport(cluster, bootstrap, refusedCanary, address)))
        {
            await AssertRateLimitedAsync(refused);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(refusedCanary));
        Assert.Equal(2L, await CrashRowsAsync(cluster));
    }

    [Fact]
    public async Task A_clusters_crash_reports_beyond_its_daily_cap_are_acknowledged_not_kept_and_the_next_day_counts_afresh()
    {
        var (cluster, bootstrap) = await KnownClusterAsync();
        var (other, otherBootstrap) = await KnownClusterAsync();
        for (var sent = 0; sent < LimitService.DailyCap; sent++)
        {
            Assert.True(await SendCrashAsync(cluster, bootstrap, $"canary-{Guid.NewGuid():N}"));
        }

        // Over the cap: 202 (Flynn retries anything else, forever) with kept: false, and nothing of it stored.
        var over = $"canary-{Guid.NewGuid():N}";
        Assert.False(await SendCrashAsync(cluster, bootstrap, over));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(over));
        Assert.Equal(LimitService.DailyCap, await CrashRowsAsync(cluster));

        // The cap is the cluster's own: another cluster is not held back.
        Assert.True(await SendCrashAsync(other, otherBootstrap, $"canary-{Guid.NewGuid():N}"));

        // A new UTC day counts afresh.
        service.Clock.Advance(TimeSpan.FromDays(1));
        var nextDay = $"canary-{Guid.NewGuid():N}";
        Assert.True(await SendCrashAsync(cluster, bootstrap, nextDay));
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(nextDay));
    }

    private static async Task AssertRateLimitedAsync(HttpResponseMessage refused)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Equal("urn:prime-directive:problem:rate-limited", (string)(await Json.ReadAsync(refused))["type"]!);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.True(retryAfter > TimeSpan.Zero, "Retry-After says when to come back");
    }

    private async Task<bool> SendCrashAsync(string cluster, string bootstrap, string canary)
    {
        using var response = await service.Http.SendAsync(CrashReport(cluster, bootstrap, canary, address: null));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (bool)(await Json.ReadAsync(response))["kept"]!;
    }

    private async Task<(string Cluster, string Bootstrap)> KnownClusterAsync()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using var response = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (cluster, bootstrap);
    }

    private Task<long> EventsAsync(string page) =>
        service.Database.ScalarAsync<long>("select count(*) from analytics_event where page = @page", ("page", page));

    private Task<long> CrashRowsAsync(string cluster) => service.Database.ScalarAsync<long>(
        "select count(*) from report_items where subject_key = @key and category = 'crash-report'",
        ("key", Requests.Erasure.KeysOf(service).Clusters.For("eu", cluster)));

    private static HttpRequestMessage Event(string page, string address)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/analytics/events") { Content = Json.Body(new { page }) };
        request.Headers.Add("X-Forwarded-For", address);
        return request;
    }

    private static HttpRequestMessage CrashReport(string cluster, string bootstrap, string canary, string? address)
    {
        var request = Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/crash-reports", bootstrap, Json.Body(new
        {
            version = Flynn.Version,
            component = "scheduler",
            occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            message = canary,
            stack = "goroutine 1 [running]",
        }));
        if (address is not null)
        {
            request.Headers.Add("X-Forwarded-For", address);
        }

        return request;
    }

    private static int s_addresses;

    /// <summary>A fresh benchmarking address (RFC 2544) per use: limits are per client address.</summary>
    private static string NewAddress()
    {
        var next = Interlocked.Increment(ref s_addresses);
        return $"198.18.{next / 250}.{(next % 250) + 1}";
    }

    /// <summary>
    /// A service whose crash-report cap is 3 a day on a clock the tests move, with a second gateway whose per-address
    /// limits are 3 analytics events and 2 crash reports an hour (an hour, so no window ends inside a test).
    /// </summary>
    public sealed class LimitService : ServiceHost
    {
        public const int DailyCap = 3;

        public LimitService() => Settings["CrashReports:MaxPerClusterPerDay"] = DailyCap.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public HttpClient Limited { get; private set; } = null!;

        protected override string Purpose => "limits";

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            Limited = await StartGatewayAsync(new Dictionary<string, string?>
            {
                ["Orleans:Mode"] = "client",
                ["Gateway:RateLimits:AnalyticsEvents"] = "3",
                ["Gateway:RateLimits:CrashReports"] = "2",
                ["Gateway:RateLimits:CollectionWindow"] = "01:00:00",
            });
        }

        protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));

        public override async Task DisposeAsync()
        {
            Limited?.Dispose();
            await base.DisposeAsync();
        }
    }
}
