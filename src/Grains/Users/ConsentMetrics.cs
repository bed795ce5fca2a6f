using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Users;

/// <summary>Changes of a person's consents, as their history records them (a choice that changes nothing is not counted).</summary>
public sealed class ConsentMetrics
{
    private readonly Counter<long> _changes;

    public ConsentMetrics(IMeterFactory meters) =>
        _changes = PrimeDirectiveMeter.Create(meters).CreateCounter<long>(
            "prime_directive.consent.changes", "{change}", "Consent changes recorded (purpose, state: granted or withdrawn, source: person or gpc).");

    /// <summary>A change to <paramref name="purpose"/> was recorded, made by the person or by a Global Privacy Control signal.</summary>
    public void Changed(string region, DataPurpose purpose, bool granted, bool byGpc) =>
        _changes.Add(1, new("region", region), new("purpose", WireNames.Of(purpose)), new("state", granted ? "granted" : "withdrawn"), new("source", byGpc ? "gpc" : "person"));
}
