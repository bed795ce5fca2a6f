using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Notices;

/// <summary>
/// A notice campaign (a breach, or a substantive policy change): the declaration is written first, then each region's
/// fan-out is started; a region that cannot be reached now is started by the campaign's reminder later.
/// </summary>
[RegionPlacement]
public sealed partial class NoticeCampaignGrain(
    [PersistentState("notice", StorageNames.Subjects)] IPersistentState<NoticeCampaignState> state,
    IOptions<NoticeOptions> options,
    PolicyClock time,
    ILogger<NoticeCampaignGrain> logger) : Grain, INoticeCampaignGrain, IRemindable
{
    private const string StartReminder = "start";

    public async Task<bool> StartAsync(NoticeCampaign campaign, string declaredBy)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var created = await state.UpdateAsync(
            () =>
            {
                if (state.State.Campaign is not null)
                {
                    return (false, false);
                }

                state.State.Campaign = campaign;
                state.State.DeclaredBy = declaredBy;
                return (true, true);
            },
            DeactivateOnIdle);
        await StartRegionsAsync();
        return created;
    }

    public async Task<NoticeStatus?> GetAsync()
    {
        if (state.State.Campaign is not { } campaign)
        {
            return null;
        }

        var progress = await Task.WhenAll(campaign.Regions.Select(region => Fanout(region).ProgressAsync()));
        return new NoticeStatus(campaign, progress.Aggregate(NoticeProgress.None with { Done = true }, (sum, next) => sum.Add(next)), state.State.DeclaredBy!, state.State.Authority, time.GetUtcNow());
    }

    public async Task<NoticeStatus?> RecordAuthorityNotificationAsync(AuthorityNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (state.State.Campaign is not { Kind: NoticeKind.Breach })
        {
            return null;
        }

        await state.UpdateAsync(
            () =>
            {
                state.State.Authority = notification;
                return (true, true);
            },
            DeactivateOnIdle);
        return await GetAsync();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => StartRegionsAsync();

    private async Task StartRegionsAsync()
    {
        var campaign = state.State.Campaign!;
        var waiting = campaign.Regions.Except(state.State.StartedRegions, StringComparer.Ordinal).ToList();
        if (waiting.Count == 0)
        {
            return;
        }

        // Armed first: a region down now (or a crash here) is started later.
        await this.RegisterOrUpdateReminder(StartReminder, options.Value.ResumePeriod, options.Value.ResumePeriod);
        var started = new List<string>();
        foreach (var region in waiting)
        {
            try
            {
                await Fanout(region).StartAsync(campaign);
                started.Add(region);
            }
            catch (Exception exception)
            {
                LogRegionWaits(logger, region, exception.GetType().Name);
            }
        }

        await state.UpdateAsync(
            () =>
            {
                var fresh = started.Except(state.State.StartedRegions, StringComparer.Ordinal).ToList();
                state.State.StartedRegions.AddRange(fresh);
                return (fresh.Count > 0, true);
            },
            DeactivateOnIdle);
        if (campaign.Regions.All(state.State.StartedRegions.Contains) && await this.GetReminder(StartReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private IRegionFanoutGrain Fanout(string region) => GrainFactory.GetGrain<IRegionFanoutGrain>(NoticeKeys.Fanout(region, state.State.Campaign!.Id));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice campaign: region {Region} not started yet ({ExceptionType}); its reminder tries again")]
    private static partial void LogRegionWaits(ILogger logger, string region, string exceptionType);
}
