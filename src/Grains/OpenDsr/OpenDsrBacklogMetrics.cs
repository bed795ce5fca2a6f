using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.OpenDsr;

/// <summary>
/// OpenDSR requests we serve that are past the expected completion we announced and neither completed nor cancelled,
/// per region and state, from the <c>open_work</c> mirror their grains keep, as of the last refresh.
/// </summary>
public sealed class OpenDsrBacklogMetrics : OpenWorkGaugeSource
{
    /// <summary>The kind of open work an OpenDSR request we serve is.</summary>
    public const string Kind = "opendsr";

    /// <summary>The states a request is open in (each published per region, at zero when none is late).</summary>
    public static readonly string[] OpenStates = ["pending", "in_progress"];

    public OpenDsrBacklogMetrics(IMeterFactory meters, IOpenWork work, RegionDatabases databases)
        : base(work, databases, Kind)
    {
        PrimeDirectiveMeter.Create(meters).CreateObservableGauge("prime_directive.opendsr.overdue", () => Last.SelectMany(region => OpenStates.Select(state =>
                new Measurement<long>(
                    region.Value.Where(count => count.State == state).Sum(count => count.PastDue), new("region", region.Key), new("state", state)))),
            "{request}", "OpenDSR requests past their expected completion, neither completed nor cancelled (state: pending, in_progress).");
    }
}
