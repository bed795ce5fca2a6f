using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Hosting;

/// <summary>A gauge read from the database: refreshed by <see cref="GaugeRefresh"/> every period, read from memory at each scrape.</summary>
public interface IGaugeSource
{
    /// <summary>Queries the database (one cheap, indexed query per region) and keeps the result for the scrapes until the next refresh.</summary>
    Task RefreshAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>How often the database-backed gauges are refreshed (<c>Metrics:RefreshPeriod</c>).</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>The time from one refresh of the database-backed gauges to the next, on each silo.</summary>
    public TimeSpan RefreshPeriod { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Refreshes every database-backed gauge of this silo each <see cref="MetricsOptions.RefreshPeriod"/>, at the policy's
/// time: a scrape never queries the database, so scraping often costs nothing and a slow database slows no scrape.
/// </summary>
internal sealed partial class GaugeRefresh(IEnumerable<IGaugeSource> sources, PolicyClock clock, IOptions<MetricsOptions> options, ILogger<GaugeRefresh> logger)
    : PeriodicSweep(logger)
{
    protected override TimeSpan Period => options.Value.RefreshPeriod;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var source in sources)
        {
            await source.RefreshAsync(now, cancellationToken);
        }
    }
}
