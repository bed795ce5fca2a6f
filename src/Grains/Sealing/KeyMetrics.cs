using System.Diagnostics;
using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Grains.Sealing;

/// <summary>The key store's latency, this silo's key cache's hits and misses, and the fences written before keys are destroyed.</summary>
public sealed class KeyMetrics
{
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _fences;

    public KeyMetrics(IMeterFactory meters, KeyCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var meter = PrimeDirectiveMeter.Create(meters);
        _latency = meter.CreateHistogram<double>("prime_directive.keystore.duration", "s", "Time of one key-store call (outcome: ok, unavailable).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        meter.CreateObservableCounter("prime_directive.keys.cache.lookups", () => new Measurement<long>[]
        {
            new(cache.Hits, new KeyValuePair<string, object?>("result", "hit")),
            new(cache.Misses, new KeyValuePair<string, object?>("result", "miss")),
        }, "{lookup}", "Data-key lookups in this silo's key cache (result: hit, miss); the hit ratio is hit / (hit + miss).");
        _fences = meter.CreateCounter<long>("prime_directive.keys.fences", "{fence}", "Fences written before a key is destroyed (kind: subject, hold, epoch).");
    }

    /// <summary>A key-store call that started at <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp) ended.</summary>
    public void Called(long startedAt, bool ok) =>
        _latency.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>("outcome", ok ? "ok" : "unavailable"));

    /// <summary>A fence of <paramref name="kind"/> was written in <paramref name="region"/>.</summary>
    public void Fenced(string region, string kind) =>
        _fences.Add(1, new("region", region), new("kind", kind));
}
