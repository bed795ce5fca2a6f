using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using PrimeDirective.Grains.Interfaces.Stats;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Stats;

/// <summary>Publishes the aggregates: reads what was released, closed day by closed day; never the raw counts.</summary>
[StatelessWorker]
public sealed class StatsGrain(IReleaseStore releases, PolicyClock time, IOptions<StatsOptions> options) : Grain, IStatsGrain
{
    public async Task<StatsRelease> PublishedAsync(DateOnly? firstDay, DateOnly? lastDay, string? metric)
    {
        var settings = options.Value;
        var last = lastDay ?? await releases.LatestAsync() ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-1);
        if (firstDay is { } first && lastDay is null && last.DayNumber - first.DayNumber >= StatsWindow.MaxDays)
        {
            last = first.AddDays(StatsWindow.MaxDays - 1);
        }

        var from = firstDay ?? last.AddDays(1 - StatsWindow.DefaultDays);
        var days = from <= last ? await releases.ReadAsync(from, last) : [];
        var rows = days.SelectMany(day => day.Rows).Where(row => metric is null || row.Metric == metric).ToImmutableArray();
        return new StatsRelease(
            from,
            last,
            days.Count == 0 ? settings.K : days.Min(day => day.Day.K),
            true,
            days.Count == 0 ? PrivacyBudget.Of(settings, settings.MaxAppsPerCluster, settings.MaxJobsPerCluster).Sum(entry => entry.Epsilon) : days.Max(day => day.Day.Epsilon),
            rows,
            [.. days.Select(day => day.Day)]);
    }
}
