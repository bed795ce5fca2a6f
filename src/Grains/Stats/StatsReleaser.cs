using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Stats;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Stats;

/// <summary>
/// Releases closed days. Every silo looks every <see cref="StatsOptions.ReleaseCheckPeriod"/>; a UTC day is due once
/// <see cref="StatsOptions.ReleaseDelay"/> has passed after its midnight (every silo's last flush of it is in), and the
/// store releases it exactly once whichever silo, in whichever region, gets there first. Its noise is drawn then, once,
/// and stored: asking again reads the same numbers, and today's counts are never published.
/// </summary>
public sealed partial class StatsReleaser(IReleaseStore releases, IStatsNoise noise, PolicyClock time, IOptions<StatsOptions> options, ILogger<StatsReleaser> logger)
    : BackgroundService
{
    /// <summary>Releases every due day not yet released; returns how many this call released.</summary>
    public async Task<int> ReleaseDueAsync()
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var lastDue = DateOnly.FromDateTime((now - settings.ReleaseDelay).UtcDateTime).AddDays(-1);
        var released = 0;
        for (var day = await releases.NextUnreleasedAsync(); day is { } due && due <= lastDue; day = due.AddDays(1))
        {
            if (await releases.ReleaseAsync(due, counts => Release(due, counts, settings, now)))
            {
                released++;
            }
        }

        return released;
    }

    private DayRelease Release(DateOnly day, IReadOnlyList<AggregateCount> counts, StatsOptions settings, DateTimeOffset now)
    {
        // The sums' sensitivity: the largest bound any cluster's apps or jobs were clamped to that day, and no less than today's.
        var budget = PrivacyBudget.Of(
            settings,
            counts.Select(count => count.AppsBound).Append(settings.MaxAppsPerCluster).Max(),
            counts.Select(count => count.JobsBound).Append(settings.MaxJobsPerCluster).Max());
        var rows = Publication.Release(day, [.. counts], budget, settings.K, noise);
        return new DayRelease(new StatsDay(day, now, settings.K, budget.Sum(entry => entry.Epsilon), settings.Delta, budget), rows);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReleaseCheckPeriod);
        try
        {
            // The first look comes a period after start, once the silo has applied the schema.
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TryReleaseAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: a day not released now is released by the next silo to look.
        }
    }

    private async Task TryReleaseAsync()
    {
        try
        {
            await ReleaseDueAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(logger, exception.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing closed days of the aggregates failed ({Error}); the next check retries")]
    private static partial void LogFailed(ILogger logger, string error);
}
