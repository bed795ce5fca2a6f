using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Interfaces.Transparency;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Transparency;

/// <summary>A region's transparency log, on a silo of that region (the log is in the region's database). Holds no state.</summary>
[RegionPlacement]
public sealed class TransparencyRegionGrain(ITransparencyLog log, PolicyClock time) : Grain, ITransparencyRegionGrain
{
    private string Region => SubjectKey.RegionOf(this.GetGrainId());

    public Task<ImmutableArray<TransparencyTally>> TalliesAsync() => log.TalliesAsync(Region);

    public Task CountImmediateAsync(string eventId, string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        if (!SubjectRequestKinds.All.Contains(kind, StringComparer.Ordinal))
        {
            throw new ArgumentException("Not a data-subject request kind.", nameof(kind));
        }

        // Received and completed at once: both are counted in the same half-year, the request took no day.
        var period = HalfYears.Of(time.GetUtcNow());
        return Task.WhenAll(
            log.RecordAsync(Region, new TransparencyEvent($"{eventId}/received", period, TransparencyMeasures.RequestReceived, kind)),
            log.RecordAsync(Region, new TransparencyEvent($"{eventId}/completed", period, TransparencyMeasures.RequestCompleted, kind, 0)));
    }
}

/// <summary>The public report: every configured region's counts and the home region's breaches, as of the policy's clock. Holds no state.</summary>
[RegionPlacement]
public sealed class TransparencyReportGrain(IOptions<RegionOptions> regions, PolicyClock time) : Grain, ITransparencyReportGrain
{
    public async Task<TransparencyReport> ReportAsync()
    {
        var configured = regions.Value;
        var tallies = await Task.WhenAll(configured.Configured.Select(region => GrainFactory.GetGrain<ITransparencyRegionGrain>(TransparencyKeys.Region(region)).TalliesAsync()));
        var breachIds = await GrainFactory.GetGrain<IBreachRegisterGrain>(NoticeKeys.Breaches(configured.Home)).ListAsync();
        var statuses = await Task.WhenAll(breachIds.Select(id => GrainFactory.GetGrain<INoticeCampaignGrain>(NoticeKeys.Campaign(configured.Home, id)).GetAsync()));
        var breaches = statuses.OfType<NoticeStatus>().Select(status => new BreachCount(status.Campaign.DeclaredAt, status.Progress.Notified));
        return TransparencyFigures.Build(tallies.SelectMany(region => region), breaches, time.GetUtcNow());
    }
}
