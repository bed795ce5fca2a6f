using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Analytics;

/// <summary>Destroys expired analytics events on every silo, periodically (a delete of nothing costs one index probe).</summary>
internal sealed partial class AnalyticsSweep(IAnalyticsLog log, PolicyClock time, IOptions<AnalyticsOptions> options, ILogger<AnalyticsSweep> logger) : PeriodicSweep(logger)
{
    protected override TimeSpan Period => options.Value.SweepInterval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var destroyed = await log.DeleteExpiredAsync(time.GetUtcNow());
        if (destroyed > 0)
        {
            LogDestroyed(logger, destroyed);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention destroyed {Count} expired analytics event(s)")]
    private static partial void LogDestroyed(ILogger logger, int count);
}
