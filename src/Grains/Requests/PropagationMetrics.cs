using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// Erasures whose notices to processors are not all answered yet, per region, from the <c>open_work</c> mirror that
/// <see cref="ProcessorPropagation"/> keeps, as of the last refresh (a scrape reads memory, never the database).
/// </summary>
public sealed class PropagationMetrics : OpenWorkGaugeSource
{
    /// <summary>The kind of open work an erasure's unanswered processor notices are.</summary>
    public const string Kind = "processor-propagation";

    public PropagationMetrics(IMeterFactory meters, IOpenWork work, RegionDatabases databases)
        : base(work, databases, Kind)
    {
        PrimeDirectiveMeter.Create(meters).CreateObservableGauge("prime_directive.processors.propagation.pending", () => Last.Select(region =>
                new Measurement<long>(region.Value.Sum(count => count.Open), new KeyValuePair<string, object?>("region", region.Key))),
            "{erasure}", "Erasures with notices to processors not yet acknowledged (retried until each answers or the propagation lifetime ends).");
    }
}
