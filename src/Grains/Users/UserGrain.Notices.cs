using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Outbox;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// Notices to the person (breaches, policy changes): each campaign recorded once, with its email queued in the same
/// write; the silo's sender delivers it and a reminder hands it again while any is undelivered (after a crash). A
/// campaign's email is never dropped silently: delivered, it is remembered (a policy version is accepted by continued
/// use only once its announcement was delivered); dropped or displaced, it is reported to the campaign as failed.
/// </summary>
public sealed partial class UserGrain : INoticeRecipient, IOutboxOwner, IRemindable
{
    private const string OutboxReminder = "outbox";

    private OutboxSender Outbox => ServiceProvider.GetRequiredService<OutboxSender>();

    private ISubjectRegistry Registry => ServiceProvider.GetRequiredService<ISubjectRegistry>();

    public async Task<NoticeOutcome> DeliverNoticeAsync(NoticeCampaign campaign, string via)
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
        if (via == Key && !await HeldDuringAsync(campaign))
        {
            return NoticeOutcome.NotAffected;
        }

        await ArmOutboxAsync();
        var queued = Outbox.Prepare(NoticeMessages.For(campaign, state.State.Email!, state.State.Name!), time.GetUtcNow() + Outbox.NoticeLifetime, campaign: campaign.Id);
        var (outcome, displaced) = await UpdateAsync(now =>
        {
            var current = state.State;
            if (!current.IsActive)
            {
                return (false, (NoticeOutcome.Absent, new List<string>()));
            }

            if (current.NoticesReceived.TryGetValue(campaign.Id, out var recorded))
            {
                return (false, (recorded == via ? NoticeOutcome.Notified : NoticeOutcome.NotifiedElsewhere, new List<string>()));
            }

            current.NoticesReceived[campaign.Id] = via;
            current.Notifications.Add(new Notification(campaign.Id, now, NoticeMessages.Kind(campaign), $"{campaign.Title}. {campaign.Text}"));
            return (true, (NoticeOutcome.Notified, Queue(current, queued)));
        });
        Outbox.Withdraw(displaced);
        HandOutgoing();
        await ReportEmailFailuresAsync();
        return outcome;
    }

    public async Task MessageHandledAsync(string messageId, bool delivered)
    {
        await UpdateAsync(_ =>
        {
            var current = state.State;
            if (current.Outgoing.Find(message => message.Id == messageId) is not { } handled)
            {
                return (false, true);
            }

            current.Outgoing.Remove(handled);
            if (handled.Campaign is { } campaign)
            {
                if (delivered)
                {
                    if (!current.NoticesDelivered.Contains(campaign))
                    {
                        current.NoticesDelivered.Add(campaign);
                    }
                }
                else
                {
                    current.NoticeEmailFailures[campaign] = "undelivered";
                }
            }

            return (true, true);
        });
        await ReportEmailFailuresAsync();
        await DisarmOutboxWhenEmptyAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == DormancyReminder)
        {
            await CheckDormancyAsync();
            return;
        }

        if (reminderName != OutboxReminder)
        {
            return;
        }

        var dropped = await UpdateAsync(now =>
        {
            var current = state.State;
            var useless = current.Outgoing.Where(message => message.DropAfter <= now).ToList();
            foreach (var campaign in useless.Select(message => message.Campaign).OfType<string>())
            {
                current.NoticeEmailFailures[campaign] = "undelivered";
            }

            current.Outgoing.RemoveAll(useless.Contains);
            return (useless.Count > 0, useless.Select(message => message.Id).ToList());
        });
        Outbox.Withdraw(dropped);
        await ReportEmailFailuresAsync();
        await DisarmOutboxWhenEmptyAsync();
        HandOutgoing();
    }

    /// <summary>
    /// Queues <paramref name="message"/> in the account's outbox (inside a state write); a campaign's email it displaces
    /// (only when every one kept is one) is recorded as failed. Returns the ids displaced.
    /// </summary>
    private static List<string> Queue(UserState current, QueuedMessage message)
    {
        var before = current.Outgoing.ToList();
        var displaced = OutgoingMessages.Add(current.Outgoing, message);
        foreach (var campaign in before.Where(queued => displaced.Contains(queued.Id)).Select(queued => queued.Campaign).OfType<string>())
        {
            current.NoticeEmailFailures[campaign] = "displaced";
        }

        return displaced;
    }

    /// <summary>Whether the account held data of the campaign's categories during its window (a policy change reaches every account).</summary>
    private async Task<bool> HeldDuringAsync(NoticeCampaign campaign)
    {
        var current = state.State;
        var since = current.CreatedAt!.Value;
        return campaign.Covers(DataCategory.Account, since, null) ||
            campaign.Covers(DataCategory.Identifier, since, null) ||
            ThirdPartyItems(current).Any(item => NoticeReach.Covers(campaign, item)) ||
            reach.CoversPackages(campaign, await GetDisclosuresAsync() ?? [], time.GetUtcNow());
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
                    await GrainFactory.GetGrain<IRegionFanoutGrain>(NoticeKeys.FanoutVia(via, campaign)).EmailFailedAsync(Key, reason);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogEmailFailureUnreported(logger, exception.GetType().Name);
                await ArmOutboxAsync(force: true);
                return;
            }

            await UpdateAsync(_ => (state.State.NoticeEmailFailures.Remove(campaign), true));
        }
    }

    /// <summary>An erasure: what is queued is withdrawn and every copy of the account's messages (the outbox's files) destroyed.</summary>
    private Task DestroyOutboxCopiesAsync() =>
        Outbox.DestroyCopiesAsync(this.GetGrainId(), [.. state.State.Outgoing.Select(message => message.Id)]);

    /// <summary>After a crash, or a move to another silo, no sender holds the undelivered messages any more.</summary>
    private void HandOutgoing()
    {
        if (state.State.Outgoing.Count > 0)
        {
            Outbox.Hand(this.GetGrainId(), state.State.Outgoing);
        }
    }

    /// <summary>Armed before the write that queues a message, so a crash right after that write cannot strand it.</summary>
    private async Task ArmOutboxAsync(bool force = false)
    {
        if (force || (state.State.Outgoing.Count == 0 && state.State.NoticeEmailFailures.Count == 0))
        {
            await this.RegisterOrUpdateReminder(OutboxReminder, Outbox.RecheckPeriod, Outbox.RecheckPeriod);
        }
    }

    private async Task DisarmOutboxWhenEmptyAsync()
    {
        if (state.State.Outgoing.Count == 0 && state.State.NoticeEmailFailures.Count == 0 && await this.GetReminder(OutboxReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A notice email that failed could not be reported to its campaign yet ({ExceptionType}); the outbox reminder tries again")]
    private static partial void LogEmailFailureUnreported(ILogger logger, string exceptionType);
}
