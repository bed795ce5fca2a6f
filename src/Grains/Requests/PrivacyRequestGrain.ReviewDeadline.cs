using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// A child-removal request does not wait forever with a parent's name, address and statement: officers are reminded every
/// <c>Requests:ReviewReminder</c> (weekly) while it waits, and after <c>Requests:ChildRemovalLifetime</c> (90 days) it
/// expires, the parent is told, and their details go as they would with a decision. One reminder, due at the next step
/// or after <c>Requests:ReviewCheckPeriod</c>, whichever is sooner.
/// </summary>
public sealed partial class PrivacyRequestGrain
{
    private const string ReviewReminder = "review";

    /// <summary>When a child-removal request awaiting review expires; <c>null</c> for any other request or state.</summary>
    private DateTimeOffset? ReviewExpiresAt(PrivacyRequestState current) =>
        current is { Kind: PrivacyRequestKinds.ChildRemoval, Status: PrivacyRequestStatus.AwaitingReview, RequestId: not null }
            ? current.SubmittedAt + options.Value.ChildRemovalLifetime
            : null;

    private async Task ArmReviewAsync()
    {
        if (ReviewExpiresAt(state.State) is not { } expiresAt)
        {
            await DisarmReviewAsync();
            return;
        }

        var now = time.GetUtcNow();
        var remindAt = (state.State.LastReviewReminderAt ?? state.State.SubmittedAt) + options.Value.ReviewReminder;
        var next = remindAt < expiresAt ? remindAt : expiresAt;
        var period = options.Value.ReviewCheckPeriod;
        var dueIn = next - now < period ? next - now : period;
        await this.RegisterOrUpdateReminder(ReviewReminder, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, period);
    }

    private async Task CheckReviewAsync()
    {
        if (ReviewExpiresAt(state.State) is not { } expiresAt)
        {
            await DisarmReviewAsync();
            return;
        }

        var now = time.GetUtcNow();
        if (now >= expiresAt)
        {
            await ExpireAsync();
            return;
        }

        if (now >= (state.State.LastReviewReminderAt ?? state.State.SubmittedAt) + options.Value.ReviewReminder)
        {
            await RemindOfficersAsync(expiresAt);
        }

        await ArmReviewAsync();
    }

    /// <summary>Reminds the officers' mailbox (ids and dates only), recorded in the same write so it goes once a period.</summary>
    private async Task RemindOfficersAsync(DateTimeOffset expiresAt)
    {
        var requestId = state.State.RequestId!;
        var mailbox = options.Value.OfficerMailbox;
        var reminder = mailbox is { Length: > 0 }
            ? outbox.Prepare(Messages.ChildRemovalAwaitingReview(mailbox, requestId, state.State.SubmittedAt, expiresAt), time.GetUtcNow() + outbox.NoticeLifetime)
            : null;
        if (reminder is not null)
        {
            await ArmOutboxAsync();
        }

        var reminded = await UpdateAsync(now =>
        {
            var current = state.State;
            if (ReviewExpiresAt(current) is null || now < (current.LastReviewReminderAt ?? current.SubmittedAt) + options.Value.ReviewReminder)
            {
                return (false, false);
            }

            current.LastReviewReminderAt = now;
            if (reminder is not null)
            {
                OutgoingMessages.Add(current.Outgoing, reminder);
            }

            return (true, true);
        });
        if (!reminded)
        {
            return;
        }

        if (reminder is not null)
        {
            outbox.Hand(this.GetGrainId(), [reminder]);
        }
        else
        {
            LogReviewWaiting(logger, requestId);
        }
    }

    /// <summary>Nobody decided in time: the request closes, the parent is told and their details go (as with a decision).</summary>
    private async Task ExpireAsync()
    {
        var expired = await UpdateAsync(now =>
        {
            var current = state.State;
            if (ReviewExpiresAt(current) is not { } expiresAt || now < expiresAt)
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
            LogExpired(logger, state.State.RequestId!);
        }

        await AnswerParentAsync();
        await DisarmReviewAsync();
    }

    private async Task DisarmReviewAsync()
    {
        if (await this.GetReminder(ReviewReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Child-removal request {RequestId} waits for review; no Requests:OfficerMailbox is set to remind officers")]
    private static partial void LogReviewWaiting(ILogger logger, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Child-removal request {RequestId} expired undecided; the parent is told and their details destroyed")]
    private static partial void LogExpired(ILogger logger, string requestId);
}
