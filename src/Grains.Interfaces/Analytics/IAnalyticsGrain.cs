using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Analytics;

/// <summary>A site analytics event, as the gateway admits it: what happened, never who or from where.</summary>
/// <param name="Page">The page's path (no query string).</param>
/// <param name="Campaign">The campaign the visit came from, if any.</param>
/// <param name="Conversion">The conversion the event records, if any (e.g. <c>sign-up</c>).</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.AnalyticsEvent")]
public sealed record AnalyticsEvent(
    [property: Id(0), UserContent] string Page,
    [property: Id(1), UserContent] string? Campaign,
    [property: Id(2), UserContent] string? Conversion);

/// <summary>Stores site analytics events (stateless: any silo, any number of activations).</summary>
[Alias("PrimeDirective.IAnalyticsGrain")]
public interface IAnalyticsGrain : IGrainWithIntegerKey
{
    /// <summary>Stores the event durably, without any identifier, until its retention ends.</summary>
    [Alias("Record")]
    Task RecordAsync(AnalyticsEvent analyticsEvent);
}
