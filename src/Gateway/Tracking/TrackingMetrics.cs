using System.Diagnostics.Metrics;

namespace PrimeDirective.Gateway.Tracking;

/// <summary>Do Not Track and Global Privacy Control signals the gateway honoured (an analytics event not stored).</summary>
internal sealed class TrackingMetrics
{
    // The grains' PrimeDirectiveMeter.Name: outside its hosting code the gateway knows only the grains' contracts.
    private const string MeterName = "PrimeDirective";

    private readonly Counter<long> _honoured;

    public TrackingMetrics(IMeterFactory meters) =>
        _honoured = meters.Create(new MeterOptions(MeterName)).CreateCounter<long>(
            "prime_directive.tracking.signals_honoured", "{event}", "Analytics events not stored because the request carried a tracking signal (signal: dnt, gpc, both).");

    /// <summary>An event was refused for the signals <paramref name="request"/> carries (none counted if it carries none).</summary>
    public void Honoured(HttpRequest request)
    {
        var (dnt, gpc) = (TrackingSignals.DoNotTrack(request), TrackingSignals.GlobalPrivacyControl(request));
        if (dnt || gpc)
        {
            _honoured.Add(1, new KeyValuePair<string, object?>("signal", dnt && gpc ? "both" : dnt ? "dnt" : "gpc"));
        }
    }
}
