using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Notices;

/// <summary>
/// A notice's fan-out as it goes: subjects examined (a counter that stops rising when a fan-out stalls) and subjects not
/// yet examined by the fan-outs active on this silo, per region and notice kind.
/// </summary>
public sealed class FanoutMetrics
{
    private readonly Counter<long> _examined;
    private readonly ConcurrentDictionary<object, (string Region, string Kind, long Remaining)> _active = new(ReferenceEqualityComparer.Instance);

    public FanoutMetrics(IMeterFactory meters)
    {
        var meter = PrimeDirectiveMeter.Create(meters);
        _examined = meter.CreateCounter<long>("prime_directive.notices.fanout.examined", "{subject}", "Subjects a notice's fan-out examined (kind: breach, policy-change).");
        meter.CreateObservableGauge("prime_directive.notices.fanout.remaining", () => _active.Values
                .GroupBy(fanout => (fanout.Region, fanout.Kind))
                .Select(group => new Measurement<long>(group.Sum(fanout => fanout.Remaining), new("region", group.Key.Region), new("kind", group.Key.Kind))),
            "{subject}", "Subjects not yet examined by the fan-outs active on this silo.");
    }

    /// <summary>A batch of <paramref name="examined"/> subjects was recorded; <paramref name="remaining"/> are left.</summary>
    public void Progressed(object fanout, string region, NoticeKind kind, int examined, long remaining)
    {
        var name = WireNames.Of(kind);
        _examined.Add(examined, new("region", region), new("kind", name));
        _active[fanout] = (region, name, Math.Max(0, remaining));
    }

    /// <summary>A fan-out finished, or its activation ended (its reminder resumes it elsewhere).</summary>
    public void Ended(object fanout) => _active.TryRemove(fanout, out _);
}
