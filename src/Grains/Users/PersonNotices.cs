using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// Notices to the person (breaches, policy changes, legal requests, a dormant account): each recorded once, with its
/// email queued in the same write; the silo's sender delivers it and the outbox reminder hands it again while any is
/// undelivered. A campaign's email is never dropped silently: delivered, it is remembered (a policy version is accepted
/// by continued use only once its announcement was delivered); dropped or displaced, it is reported to the campaign as failed.
/// </summary>
public sealed partial class PersonNotices(
    IPersistentState<UserState> state,
    SubjectOutbox<UserState> outbox,
    SubjectDisclosures<UserState> disclosures,
    NoticeReach reach,
    IGrainFactory grains,
    TimeProvider time,
    ISubjectHost host,
    ILogger logger)
{
    /// <summary>Whether the account still needs its outbox reminder: a message to deliver, or a failure to report.</summary>
    public static bool Busy(UserState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current.Outgoing.Count > 0 || current.NoticeEmailFailures.Count > 0;
    }

    /// <summary>Inside the write that removes a campaign's email from the outbox: what became of it, to report or to remember.</summary>
    public static void Settle(UserState current, QueuedMessage message, MessageFate fate)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(message);
        if (message.Campaign is not { } campaign)
        {
            return;
        }

        if (fate != MessageFate.Delivered)
        {
            current.NoticeEmailFailures[campaign] = fate == MessageFate.Displaced ? "displaced" : "undelivered";
        }
        else if (!current.NoticesDelivered.Contains(campaign))
        {
            current.NoticesDelivered.Add(campaign);
        }
    }

    /// <summary>Records the campaign's notice once, reached via <paramref name="via"/>; a repeat answers as the first did.</summary>
    public async Task<NoticeOutcome> DeliverAsync(NoticeCampaign campaign, string via)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (!state.State.IsActive)
        {
            return NoticeOutcome.Absent;
        }

        if (state.State.NoticesReceived.TryGetValue(campaign.Id, out var first))
        {
            return first == via ? NoticeOutcome.Notified : NoticeOutcome.NotifiedElsewhere;
        }

        // Reached directly, everything the account held decides; reached through a cluster, that cluster already did.
        if (via == host.Key && !HeldDuring(campaign))
        {
            return NoticeOutcome.NotAffected;
        }

        return await NotifyAsync(NoticeMessages.For(campaign, state.State.Email!, state.State.Name!), campaign.Id, (current, now) =>
        {
            if (!current.IsActive)
            {
                return (false, NoticeOutcome.Absent);
            }

            if (current.NoticesReceived.TryGetValue(campaign.Id, out var recorded))
            {
                return (false, recorded == via ? NoticeOutcome.Notified : NoticeOutcome.NotifiedElsewhere);
            }

            current.NoticesReceived[campaign.Id] = via;
            current.Notifications.Add(new Notification(campaign.Id, now, NoticeMessages.Kind(campaign), $"{campaign.Title}. {campaign.Text}"));
            return (true, NoticeOutcome.Notified);
        });
    }

    /// <summary>
    /// Records a notice decided from fresh state by <paramref name="record"/> (<c>Record</c>: it changed the state) and
    /// queues <paramref name="email"/> in the same write; the outbox reminder is armed before, failures reported after.
    /// </summary>
    public async Task<T> NotifyAsync<T>(OutboxMessage email, string? campaign, Func<UserState, DateTimeOffset, (bool Record, T Result)> record)
    {
        ArgumentNullException.ThrowIfNull(record);
        await outbox.ArmAsync();
        var queued = await outbox.PrepareAsync(email, time.GetUtcNow() + outbox.NoticeLifetime, campaign: campaign);
        var (result, displaced) = await state.UpdateAsync(time, now =>
        {
            var (changed, result) = record(state.State, now);
            return (changed, (result, changed ? outbox.Queue(state.State, queued) : []));
        }, host.DeactivateOnIdle);
        outbox.Withdraw(displaced);
        outbox.HandAll();
        await ReportEmailFailuresAsync();
        return result;
    }

    /// <summary>The sender handled a message: forgotten (a campaign's remembered or reported), and the reminder goes once idle.</summary>
    public async Task MessageHandledAsync(string messageId, bool delivered)
    {
        await outbox.HandledAsync(messageId, delivered);
        await ReportEmailFailuresAsync();
        await outbox.DisarmWhenIdleAsync();
    }

    /// <summary>The outbox reminder's tick: pointless emails go (a campaign's reported), failures are told, the rest handed again.</summary>
    public async Task RecheckAsync()
    {
        await outbox.DropUselessAsync(time);
        await ReportEmailFailuresAsync();
        await outbox.DisarmWhenIdleAsync();
        outbox.HandAll();
    }

    /// <summary>Whether the account held data of the campaign's categories during its window (a policy change reaches every account).</summary>
    private bool HeldDuring(NoticeCampaign campaign)
    {
        var current = state.State;
        var since = current.CreatedAt!.Value;
        return campaign.Covers(DataCategory.Account, since, null) ||
            campaign.Covers(DataCategory.Identifier, since, null) ||
            ThirdPartyRecords.Items(current).Any(item => NoticeReach.Covers(campaign, item)) ||
            reach.CoversPackages(campaign, disclosures.Get() ?? [], time.GetUtcNow());
    }

    /// <summary>
    /// Tells each campaign whose email could not be delivered (through the fan-out that reached the person), then forgets
    /// it; what cannot be told now stays and is told from the outbox reminder.
    /// </summary>
    private async Task ReportEmailFailuresAsync()
    {
        foreach (var (campaign, reason) in state.State.NoticeEmailFailures.ToList())
        {
            try
            {
                if (state.State.NoticesReceived.TryGetValue(campaign, out var via))
                {
                    await grains.GetGrain<IRegionFanoutGrain>(NoticeKeys.FanoutVia(via, campaign)).EmailFailedAsync(host.Key, reason);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogEmailFailureUnreported(logger, exception.GetType().Name);
                await outbox.ArmAsync(force: true);
                return;
            }

            await state.UpdateAsync(time, _ => (state.State.NoticeEmailFailures.Remove(campaign), true), host.DeactivateOnIdle);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A notice email that failed could not be reported to its campaign yet ({ExceptionType}); the outbox reminder tries again")]
    private static partial void LogEmailFailureUnreported(ILogger logger, string exceptionType);
}
