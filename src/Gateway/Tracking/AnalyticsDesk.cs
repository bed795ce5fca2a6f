using PrimeDirective.Grains.Interfaces.Analytics;

namespace PrimeDirective.Gateway.Tracking;

/// <summary>Site analytics: an event the visitor's signals and consents allow, stored without identifiers.</summary>
internal sealed class AnalyticsDesk(IGrainFactory grains)
{
    public Task RecordAsync(AnalyticsEvent analyticsEvent) => grains.GetGrain<IAnalyticsGrain>(0).RecordAsync(analyticsEvent);
}
