using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Tracking;

/// <summary>Analytics events are destroyed 30 days after collection, by each silo's sweep (issue 19, point 28).</summary>
public sealed class AnalyticsRetentionTests
{
    [Fact]
    public async Task An_event_is_deleted_once_30_days_have_passed_and_a_younger_one_stays()
    {
        await using var service = await ServiceHost.StartOwnedAsync<SweepingService>();
        var (old, young) = ($"/old/{Guid.NewGuid():N}", $"/young/{Guid.NewGuid():N}");
        await RecordAsync(service, old);

        // 29 days on: the old event is not yet due; the sweep, running every second meanwhile, leaves it.
        service.Clock.Advance(TimeSpan.FromDays(29));
        await RecordAsync(service, young);
        await SweptAsync(service);
        Assert.Equal(1L, await CountAsync(service, old));

        // Two more days: the old event is 31 days old and goes; the young one, 2 days old, stays.
        service.Clock.Advance(TimeSpan.FromDays(2));
        await Eventually.ReturnsAsync(() => CountAsync(service, old), rows => rows == 0, TimeSpan.FromSeconds(30), "the 31-day-old event deleted");
        Assert.Equal(1L, await CountAsync(service, young));
    }

    private static async Task RecordAsync(ServiceHost service, string page)
    {
        using var response = await service.Http.PostAsync("/v1/analytics/events", Json.Body(new { page }));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1L, await CountAsync(service, page));
    }

    /// <summary>Waits until the sweep has run twice more (it logs nothing when nothing expired: a marker row tells).</summary>
    private static async Task SweptAsync(SweepingService service)
    {
        // A marker that expired long ago: once it is gone, a sweep ran after this point.
        for (var round = 0; round < 2; round++)
        {
            var marker = Guid.NewGuid();
            await service.Database.ScalarAsync<int>(
                "insert into analytics_event (event_id, page, collected_at, expires_at) values (@id, '/marker', now() - interval '400 days', now() - interval '370 days') returning 1",
                ("id", marker));
            await Eventually.ReturnsAsync(
                () => service.Database.ScalarAsync<long>("select count(*) from analytics_event where event_id = @id", ("id", marker)),
                rows => rows == 0,
                TimeSpan.FromSeconds(30),
                "a sweep ran");
        }
    }

    private static Task<long> CountAsync(ServiceHost service, string page) =>
        service.Database.ScalarAsync<long>("select count(*) from analytics_event where page = @page", ("page", page));

    /// <summary>The policy's clock moved by the test; the sweep runs every second (its timer keeps real time).</summary>
    public sealed class SweepingService : ServiceHost
    {
        public SweepingService() => Settings["Analytics:SweepInterval"] = "00:00:01";

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Purpose => "analytics-sweep";

        protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
    }
}
