using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Grains.OpenDsr;

/// <summary>OpenDSR requests we serve as a processor: their state changes, those completed past their expected completion, and their callbacks.</summary>
public sealed class OpenDsrMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _late;
    private readonly Counter<long> _callbacks;

    public OpenDsrMetrics(IMeterFactory meters)
    {
        var meter = PrimeDirectiveMeter.Create(meters);
        _requests = meter.CreateCounter<long>("prime_directive.opendsr.requests", "{request}", "OpenDSR requests entering a state (state: pending, in_progress, completed, cancelled...; kind: erasure, access, portability).");
        _late = meter.CreateCounter<long>("prime_directive.opendsr.late", "{request}", "OpenDSR requests completed after the expected completion time we announced.");
        _callbacks = meter.CreateCounter<long>("prime_directive.opendsr.callbacks", "{attempt}", "Status callback attempts (outcome: delivered, retry, abandoned).");
    }

    /// <summary>A request of <paramref name="kind"/> entered <paramref name="state"/>.</summary>
    public void Entered(string state, string? kind) =>
        _requests.Add(1, new("state", state), new("kind", kind ?? "unknown"));

    /// <summary>A request of <paramref name="kind"/> completed after its expected completion.</summary>
    public void CompletedLate(string? kind) => _late.Add(1, new KeyValuePair<string, object?>("kind", kind ?? "unknown"));

    /// <summary>A callback attempt ended: delivered, to be retried, or abandoned.</summary>
    public void Callback(string outcome) => _callbacks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
