using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Stats;

namespace PrimeDirective.Tests.Stats;

/// <summary>When a closed day is released: not before <c>Stats:ReleaseDelay</c> (1 hour) after its midnight, then once.</summary>
[Collection(StatsServiceDefinition.Name)]
public sealed class ReleaseScheduleTests(StatsService service)
{
    [Fact]
    public async Task A_day_is_released_no_sooner_than_an_hour_after_its_midnight_and_then_once()
    {
        var day = service.NewDay();
        var version = StatsService.NewVersion();
        for (var i = 0; i < 5; i++)
        {
            await service.ReportAsync(version);
        }

        await service.WaitForRawAsync(day, "versions", version, 5);
        var releaser = service.Silos[0].Services.GetRequiredService<StatsReleaser>();
        var midnight = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        // A second before the hour: asking the releaser itself (the silo's loop asks too) releases nothing of the day.
        service.Clock.SetUtcNow(midnight.AddHours(1).AddSeconds(-1));
        await releaser.ReleaseDueAsync();
        Assert.Equal(0L, await ReleasesAsync(day));
        Assert.Empty((await service.StatsAsync($"/v1/stats?from={StatsService.Date(day)}&to={StatsService.Date(day)}"))["days"]!.AsArray());

        // On the hour it is due: released once, whoever asks and however often.
        service.Clock.SetUtcNow(midnight.AddHours(1));
        await releaser.ReleaseDueAsync();
        Assert.Equal(1L, await ReleasesAsync(day));
        Assert.Equal(0, await releaser.ReleaseDueAsync());
        Assert.Equal(1L, await ReleasesAsync(day));
        var released = await service.CloseAsync(day);
        Assert.Equal(5, (long)released["rows"]!.AsArray().Single(row => (string)row!["bucket"]! == version)!["clusters"]!);
    }

    private async Task<long> ReleasesAsync(DateOnly day) =>
        await service.Database.ScalarAsync<long>("select count(*) from stats_release where day = @day", ("day", day));
}
