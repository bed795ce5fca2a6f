using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// A child-removal request does not wait forever with a parent's name, address and statement: officers are reminded every
/// <c>Requests:ReviewReminder</c> (weekly) while it waits, and after <c>Requests:ChildRemovalLifetime</c> (90 days) it
/// expires, the parent is told, and their details go as they would with a decision. One reminder, due at the next step
/// or after <c>Requests:ReviewCheckPeriod</c>, whichever is sooner. Owns <see cref="PrivacyRequestState.LastReviewReminderAt"/>.
/// </summary>
/// <param name="document">The request's state.</param>
/// <param name="options">The lifetime, reminder and check periods.</param>
/// <param name="mail">The request's outbox (the officers' reminders).</param>
/// <param name="reminder">The request's review reminder.</param>
/// <param name="answerParent">Tells the parent the request expired, and forgets them.</param>
/// <param name="logger">The grain's logger.</param>
public sealed partial class ReviewDeadline(
    SubjectDocument<PrivacyRequestState> document, RequestOptions options, IRequestMail mail, IReminderSlot reminder, Func<Task> answerParent, ILogger logger)
{
    /// <summary>When a child-removal request awaiting review expires; <c>null</c> for any other request or state.</summary>
    public DateTimeOffset? ExpiresAt(PrivacyRequestState current) =>
        current is { Kind: PrivacyRequestKinds.ChildRemoval, Status: PrivacyRequestStatus.AwaitingReview, RequestId: not null }
            ? current.SubmittedAt + options.ChildRemovalLifetime
            : null;

    /// <summary>Makes the reminder due at the next step (an officers' reminder or the expiry), or after the check period; removes it once nothing waits.</summary>
    public async Task ArmAsync()
    {
        if (ExpiresAt(document.State) is not { } expiresAt)
        {
            await reminder.ClearAsync();
            return;
        }

        var remindAt = (document.State.LastReviewReminderAt ?? document.State.SubmittedAt) + options.ReviewReminder;
        var next = remindAt < expiresAt ? remindAt : expiresAt;
        var period = options.ReviewCheckPeriod;
        var dueIn = next - document.Now;
        await reminder.SetAsync(dueIn < period ? dueIn : period, period);
    }

    /// <summary>The reminder fired: expire the request, or remind the officers if a reminder period passed, then arm again.</summary>
    public async Task CheckAsync()
    {
        if (ExpiresAt(document.State) is not { } expiresAt)
        {
            await reminder.ClearAsync();
            return;
        }

        var now = document.Now;
        if (now >= expiresAt)
        {
            await ExpireAsync();
            return;
        }

        if (now >= (document.State.LastReviewReminderAt ?? document.State.SubmittedAt) + options.ReviewReminder)
        {
            await RemindOfficersAsync(expiresAt);
        }

        await ArmAsync();
    }

    /// <summary>Reminds the officers' mailbox (ids and dates only), recorded in the same write so it goes once a period.</summary>
    private async Task RemindOfficersAsync(DateTimeOffset expiresAt)
    {
        var requestId = document.State.RequestId!;
        var mailbox = options.OfficerMailbox;
        var message = mailbox is { Length: > 0 }
            ? await mail.PrepareAsync(Messages.ChildRemovalAwaitingReview(mailbox, requestId, document.State.SubmittedAt, expiresAt))
            : null;
        if (message is not null)
        {
            await mail.ArmAsync();
        }

        var reminded = await document.UpdateAsync(now =>
        {
            var current = document.State;
            if (ExpiresAt(current) is null || now < (current.LastReviewReminderAt ?? current.SubmittedAt) + options.ReviewReminder)
            {
                return (false, false);
            }

            current.LastReviewReminderAt = now;
            if (message is not null)
            {
                OutgoingMessages.Add(current.Outgoing, message);
            }

            return (true, true);
        });
        if (!reminded)
        {
            return;
        }

        if (message is not null)
        {
            mail.Hand(message);
        }
        else
        {
            LogReviewWaiting(logger, requestId);
        }
    }

    /// <summary>Nobody decided in time: the request closes, the parent is told and their details go (as with a decision).</summary>
    private async Task ExpireAsync()
    {
        var expired = await document.UpdateAsync(now =>
        {
            var current = document.State;
            if (ExpiresAt(current) is not { } expiresAt || now < expiresAt)
            {
                return (false, false);
            }

            current.Status = PrivacyRequestStatus.Expired;
            current.CompletedAt = now;
            current.DecisionReason = "not decided within its lifetime";
            return (true, true);
        });
        if (expired)
        {
            LogExpired(logger, document.State.RequestId!);
        }

        await answerParent();
        await reminder.ClearAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Child-removal request {RequestId} waits for review; no Requests:OfficerMailbox is set to remind officers")]
    private static partial void LogReviewWaiting(ILogger logger, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Child-removal request {RequestId} expired undecided; the parent is told and their details destroyed")]
    private static partial void LogExpired(ILogger logger, string requestId);
}
