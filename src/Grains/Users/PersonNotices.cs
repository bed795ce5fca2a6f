using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// Notices to the person. A campaign's (a breach, a policy change) is decided here and kept as a row the fan-out appends
/// with its batch (<see cref="IPersonNoticeLog"/>, whose drain delivers and settles its email). Legal requests and a
/// dormant account are recorded once in the account's state, with their email queued in the same write; the silo's
/// sender delivers it and the outbox mark hands it again while any is undelivered. Campaign emails an earlier version
/// queued in the state are still settled here: delivered, remembered; dropped or displaced, reported to the campaign.
/// </summary>
public sealed partial class PersonNotices(
    IPersistentState<UserState> state,
    SubjectOutbox<UserState> outbox,
    SubjectDisclosures<UserState> disclosures,
    NoticeReach reach,
    IPersonNoticeLog rows,
    MessageSeal seal,
    Sealer sealer,
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

    /// <summary>
    /// Decides, writing nothing, whether the person takes the campaign's notice reached via <paramref name="via"/>: the
    /// fan-out appends what is taken, sealed here under the person's data key, with the rest of its batch. A notice an
    /// earlier version recorded in the account's state answers as it did then.
    /// </summary>
    public async Task<NoticeDecision> DecideAsync(NoticeCampaign campaign, string via)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var current = state.State;
        if (!current.IsActive)
        {
            return NoticeDecision.Final(NoticeOutcome.Absent);
        }

        if (current.NoticesReceived.TryGetValue(campaign.Id, out var first))
        {
            return NoticeDecision.Final(first == via ? NoticeOutcome.Notified : NoticeOutcome.NotifiedElsewhere);
        }

        // Reached directly, everything the account held decides; reached through a cluster, that cluster already did.
        if (via == host.Key && !HeldDuring(campaign))
        {
            return NoticeDecision.Final(NoticeOutcome.NotAffected);
        }

        var body = Encoding.UTF8.GetBytes($"{campaign.Title}. {campaign.Text}");
        var email = await seal.SealValueAsync(host.Key, PersonNoticeLog.EmailId(host.Key, campaign.Id), NoticeMessages.For(campaign, current.Email!, current.Name!));
        return new NoticeDecision(
            null, NoticeMessages.Kind(campaign), time.GetUtcNow(),
            ImmutableCollectionsMarshal.AsImmutableArray(await sealer.SealAsync(PersonNoticeLog.BodyContext(host.Key, campaign.Id), body)),
            ImmutableCollectionsMarshal.AsImmutableArray(email));
    }

    /// <summary>
    /// The notices shown to the person: those the account's state holds (legal requests, a dormant account, and campaigns
    /// recorded there before notices became rows) and the campaign notices kept as rows, oldest first.
    /// </summary>
    public async Task<ImmutableArray<Notification>> ShownAsync(IEnumerable<Notification> inState)
    {
        ArgumentNullException.ThrowIfNull(inState);
        var shown = inState.ToList();
        var known = shown.Select(notice => notice.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var (row, _) in await rows.ForPersonAsync(host.Region, host.Key))
        {
            if (!known.Contains(row.CampaignId) &&
                await sealer.OpenAsync(PersonNoticeLog.BodyContext(host.Key, row.CampaignId), row.Body) is { } text)
            {
                shown.Add(new Notification(row.CampaignId, row.At, row.Kind, Encoding.UTF8.GetString(text)));
            }
        }

        return [.. shown.OrderBy(notice => notice.At)];
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
