using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Users;

/// <summary>One-time codes of an email index entry: issued with their message, rate-limited, checked, and destroyed when they expire.</summary>
public sealed partial class EmailIndexGrain
{
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminder)
        {
            return;
        }

        var now = time.GetUtcNow();
        var dropped = await UpdateAsync(() =>
        {
            var current = state.State;
            var changed = current.Pending is { } pending && pending.ExpiresAt <= now;
            if (changed)
            {
                current.Pending = null;
            }

            var trimmed = current.MessagesSent.RemoveAll(sent => sent + Options.CodeLifetime <= now) > 0;
            var useless = OutgoingMessages.DropUseless(current.Outgoing, now);
            var postponed = OutgoingMessages.PostponeRecheck(current.Outgoing, now, outbox.RecheckPeriod);
            return (changed || trimmed || useless.Count > 0 || postponed, useless);
        });
        outbox.Withdraw(dropped);

        // A sender that still has them ignores them; after a crash this is how they get sent at all.
        HandOutgoing();
        await ForgetIfEmptyAsync();
        if (state.RecordExists)
        {
            // The reminder just fired: whatever it was registered for is spent.
            await ArmAsync(rearm: true);
        }
    }

    /// <summary>
    /// Issues a fresh code (replacing any outstanding one, and its message if still undelivered) for the account
    /// <paramref name="userIdFor"/> names from the current state (<c>null</c>: none): its hash and its message are
    /// persisted in one write, then the message is handed to the sender, whose delivery nobody waits for. Decided again
    /// from fresh state after a write conflict, so a duplicate activation's messages count against the limit and its
    /// claim is respected.
    /// </summary>
    private async Task IssueCodeAsync(PendingKind kind, SignUpDetails? signUp, Func<EmailIndexState, string?> userIdFor, Func<string, OutboxMessage> message)
    {
        var now = time.GetUtcNow();
        var code = OneTimeCode.New();
        var salt = OneTimeCode.NewSalt();
        var expiresAt = now + Options.CodeLifetime;
        var queued = outbox.Prepare(message(code), dropAfter: expiresAt, CodeTopic);
        var replaced = await UpdateAsync<List<string>?>(() =>
        {
            var current = state.State;
            if (IsRateLimited(current, now) || userIdFor(current) is not { } userId)
            {
                return (false, null);
            }

            current.Pending = new PendingCode(kind, OneTimeCode.Hash(code, salt), salt, expiresAt, 0, signUp, userId);
            current.MessagesSent.Add(now);
            return (true, OutgoingMessages.Add(current.Outgoing, queued));
        });
        await SendIfQueuedAsync(queued, replaced);
    }

    /// <summary>Queues a notice unless the address already got its share of messages; it is pointless once the rate-limit window closes.</summary>
    private async Task SendLimitedAsync(OutboxMessage message)
    {
        var now = time.GetUtcNow();
        var queued = outbox.Prepare(message, dropAfter: now + Options.CodeLifetime);
        var replaced = await UpdateAsync<List<string>?>(() =>
        {
            var current = state.State;
            if (IsRateLimited(current, now))
            {
                return (false, null);
            }

            current.MessagesSent.Add(now);
            return (true, OutgoingMessages.Add(current.Outgoing, queued));
        });
        await SendIfQueuedAsync(queued, replaced);
    }

    /// <summary>Hands a persisted message to the sender (<paramref name="replaced"/> <c>null</c>: it was not persisted) and arms the reminder.</summary>
    private async Task SendIfQueuedAsync(QueuedMessage queued, List<string>? replaced)
    {
        if (replaced is null)
        {
            LogRateLimited(logger, this.GetPrimaryKeyString());
            return;
        }

        outbox.Withdraw(replaced);
        outbox.Hand(this.GetGrainId(), [queued]);
        await ArmAsync();
    }

    private bool IsRateLimited(EmailIndexState current, DateTimeOffset now) =>
        current.MessagesSent.Count(sent => sent + Options.CodeLifetime > now) >= Options.MaxMessagesPerWindow;

    /// <summary>
    /// The pending code if <paramref name="code"/> is it, used up at once; a wrong guess counts, and burns the code at the
    /// limit. Decided from fresh state after a conflict: a code a duplicate activation used, or guesses it counted, hold.
    /// </summary>
    private async Task<PendingCode?> CheckCodeAsync(string code, Func<PendingKind, bool> acceptable)
    {
        var now = time.GetUtcNow();
        if (state.State.Pending is not { } seen || !acceptable(seen.Kind))
        {
            return null;
        }

        var accepted = await UpdateAsync<PendingCode?>(() =>
        {
            var current = state.State;
            if (current.Pending is not { } pending || !acceptable(pending.Kind))
            {
                return (false, null);
            }

            if (pending.ExpiresAt <= now)
            {
                current.Pending = null;
                return (true, null);
            }

            if (!OneTimeCode.Matches(code, pending.Salt, pending.CodeHash))
            {
                var attempts = pending.Attempts + 1;
                current.Pending = attempts >= Options.MaxCodeAttempts ? null : pending with { Attempts = attempts };
                return (true, null);
            }

            // Single use: the code is gone before anything it unlocks happens.
            current.Pending = null;
            return (true, pending);
        });
        if (accepted is null)
        {
            await ForgetIfEmptyAsync();
        }

        return accepted;
    }

    /// <summary>
    /// The reminder is due when the pending code expires, the rate-limit window closes, or an undelivered message is to
    /// be handed to a sender again, whichever is first.
    /// </summary>
    private Task ArmAsync(bool rearm = false) =>
        this.ArmAsync(state, ExpiryReminder, DueAt, time.GetUtcNow(), outbox.RecheckPeriod, rearm, DeactivateOnIdle);

    private DateTimeOffset? DueAt(EmailIndexState current)
    {
        var due = current.Pending?.ExpiresAt;
        if (current.MessagesSent.Count > 0)
        {
            var windowEnd = current.MessagesSent.Min() + Options.CodeLifetime;
            due = due is null || windowEnd < due ? windowEnd : due;
        }

        if (OutgoingMessages.NextRecheck(current.Outgoing) is { } recheck)
        {
            due = due is null || recheck < due ? recheck : due;
        }

        return due;
    }

    private async Task DisarmAsync()
    {
        if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
