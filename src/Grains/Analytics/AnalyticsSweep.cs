using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Analytics;

/// <summary>Destroys expired analytics events on every silo, periodically (a delete of nothing costs one index probe).</summary>
internal sealed partial class AnalyticsSweep(IAnalyticsLog log, PolicyClock time, IOptions<AnalyticsOptions> options, ILogger<AnalyticsSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        do
        {
            try
            {
                var destroyed = await log.DeleteExpiredAsync(time.GetUtcNow());
                if (destroyed > 0)
                {
                    LogDestroyed(logger, destroyed);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The next sweep retries: an event is destroyed late, never kept for good.
                LogFailed(logger, exception.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention destroyed {Count} expired analytics event(s)")]
    private static partial void LogDestroyed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Analytics sweep failed ({Error}); the next one retries")]
    private static partial void LogFailed(ILogger logger, string error);
}
