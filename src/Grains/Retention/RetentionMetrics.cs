using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Grains.Retention;

/// <summary>
/// The privacy SLO as gauges: items overdue for destruction and the age of the oldest, per region, from
/// <see cref="OverdueItems"/> as of the last refresh (a scrape reads memory, never the database).
/// </summary>
public sealed class RetentionMetrics : IGaugeSource
{
    private readonly OverdueItems _items;
    private volatile Snapshot _last = new([], DateTimeOffset.MinValue);

    public RetentionMetrics(IMeterFactory meters, OverdueItems items)
    {
        _items = items;
        var meter = PrimeDirectiveMeter.Create(meters);
        meter.CreateObservableGauge("prime_directive.retention.overdue", () => _last.Counts.Select(count =>
            new Measurement<long>(count.Count, new("region", count.Region), new("store", count.Store))),
            "{item}", "Items past their expiry and not yet destroyed, excluding what a legal hold in force keeps (store: report, epoch-key).");
        meter.CreateObservableGauge("prime_directive.retention.overdue.oldest_age", () => _last.Counts
                .GroupBy(count => count.Region, StringComparer.Ordinal)
                .Select(region => new Measurement<double>(OldestAge(region, _last.At), new KeyValuePair<string, object?>("region", region.Key))),
            "s", "How long ago the oldest overdue item of a region expired (0 when none is overdue).");
    }

    public async Task RefreshAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _last = new Snapshot(await _items.MeasureAsync(now, cancellationToken), now);

    private static double OldestAge(IEnumerable<OverdueCount> counts, DateTimeOffset at) =>
        counts.Select(count => count.OldestExpiry).OfType<DateTimeOffset>().Select(expiry => Math.Max(0, (at - expiry).TotalSeconds)).DefaultIfEmpty(0).Max();

    private sealed record Snapshot(IReadOnlyList<OverdueCount> Counts, DateTimeOffset At);
}
