using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using PrimeDirective.Grains.Interfaces.Analytics;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Analytics;

/// <summary>Stores analytics events; stateless, so events never queue behind one activation.</summary>
[StatelessWorker]
public sealed class AnalyticsGrain(IAnalyticsLog log, PolicyClock time, IOptions<AnalyticsOptions> options) : Grain, IAnalyticsGrain
{
    public Task RecordAsync(AnalyticsEvent analyticsEvent)
    {
        var now = time.GetUtcNow();
        return log.AppendAsync(analyticsEvent, now, now + options.Value.Retention);
    }
}
