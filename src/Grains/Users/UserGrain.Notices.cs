using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Outbox;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// Notices to the person (breaches, policy changes): each campaign recorded once, with its email queued in the same
/// write; the silo's sender delivers it and a reminder hands it again while any is undelivered (after a crash).
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

        // Reached directly, the account's own data decides; reached through a cluster, that cluster already did.
        if (via == Key && !campaign.Covers(DataCategory.Account, state.State.CreatedAt!.Value, null) &&
            !campaign.Covers(DataCategory.Identifier, state.State.CreatedAt!.Value, null))
        {
            return NoticeOutcome.NotAffected;
        }

        await ArmOutboxAsync();
        var queued = Outbox.Prepare(NoticeMessages.For(campaign, state.State.Email!, state.State.Name!), time.GetUtcNow() + Outbox.NoticeLifetime);
        var outcome = await UpdateAsync(now =>
        {
            var current = state.State;
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
            OutgoingMessages.Add(current.Outgoing, queued);
            return (true, NoticeOutcome.Notified);
        });
        HandOutgoing();
        return outcome;
    }

    public async Task MessageHandledAsync(string messageId)
    {
        await UpdateAsync(_ => (state.State.Outgoing.RemoveAll(message => message.Id == messageId) > 0, true));
        if (state.State.Outgoing.Count == 0)
        {
            await DisarmOutboxAsync();
        }
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
            var useless = OutgoingMessages.DropUseless(state.State.Outgoing, now);
            return (useless.Count > 0, useless);
        });
        Outbox.Withdraw(dropped);
        if (state.State.Outgoing.Count == 0)
        {
            await DisarmOutboxAsync();
            return;
        }

        HandOutgoing();
    }

    /// <summary>After a crash, or a move to another silo, no sender holds the undelivered messages any more.</summary>
    private void HandOutgoing()
    {
        if (state.State.Outgoing.Count > 0)
        {
            Outbox.Hand(this.GetGrainId(), state.State.Outgoing);
        }
    }

    /// <summary>Armed before the write that queues a message, so a crash right after that write cannot strand it.</summary>
    private async Task ArmOutboxAsync()
    {
        if (state.State.Outgoing.Count == 0)
        {
            await this.RegisterOrUpdateReminder(OutboxReminder, Outbox.RecheckPeriod, Outbox.RecheckPeriod);
        }
    }

    private async Task DisarmOutboxAsync()
    {
        if (await this.GetReminder(OutboxReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
