using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Grains.Requests;

/// <summary>Erasures (a person's, a cluster operator's, a child removal's) as their steps start and complete.</summary>
public sealed class ErasureMetrics
{
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Histogram<double> _duration;

    public ErasureMetrics(IMeterFactory meters)
    {
        var meter = PrimeDirectiveMeter.Create(meters);
        _started = meter.CreateCounter<long>("prime_directive.erasures.started", "{erasure}", "Erasures whose steps started (kind: erasure, cluster-erasure, child-removal).");
        _completed = meter.CreateCounter<long>("prime_directive.erasures.completed", "{erasure}", "Erasures completed, their receipt kept and their subject keys gone.");
        _duration = meter.CreateHistogram<double>("prime_directive.erasure.duration", "s", "From an erasure's submission to its completion, on the policy's clock.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 10, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400] });
    }

    /// <summary>An accepted request's steps began.</summary>
    public void Started(string region, string kind) => _started.Add(1, new("region", region), new("kind", kind));

    /// <summary>A request completed <paramref name="took"/> after it was submitted.</summary>
    public void Completed(string region, string kind, TimeSpan took)
    {
        _completed.Add(1, new("region", region), new("kind", kind));
        _duration.Record(Math.Max(0, took.TotalSeconds), new("region", region), new("kind", kind));
    }
}
