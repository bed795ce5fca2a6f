using System.Diagnostics.Metrics;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Gateway.Tracking;

/// <summary>Do Not Track and Global Privacy Control signals the gateway honoured (an analytics event not stored).</summary>
internal sealed class TrackingMetrics
{
    private readonly Counter<long> _honoured;

    public TrackingMetrics(IMeterFactory meters) =>
        _honoured = PrimeDirectiveMeter.Create(meters).CreateCounter<long>(
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
