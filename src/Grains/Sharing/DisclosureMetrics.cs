using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Grains.Sharing;

/// <summary>Disclosures recorded in a subject's ledger, by basis, and disclosures refused because their basis did not hold.</summary>
public sealed class DisclosureMetrics
{
    private readonly Counter<long> _made;
    private readonly Counter<long> _refused;

    public DisclosureMetrics(IMeterFactory meters)
    {
        var meter = PrimeDirectiveMeter.Create(meters);
        _made = meter.CreateCounter<long>("prime_directive.disclosures.made", "{disclosure}", "Disclosures recorded in a subject's ledger before anything left (basis).");
        _refused = meter.CreateCounter<long>("prime_directive.disclosures.refused", "{disclosure}", "Disclosures refused: their basis did not hold, or no item fitted the purpose (basis).");
    }

    /// <summary>A disclosure on <paramref name="basis"/> was recorded.</summary>
    public void Made(string region, DisclosureBasis basis) => _made.Add(1, new("region", region), new("basis", WireNames.Of(basis)));

    /// <summary>A disclosure on <paramref name="basis"/> was refused.</summary>
    public void Refused(string region, DisclosureBasis basis) => _refused.Add(1, new("region", region), new("basis", WireNames.Of(basis)));
}
