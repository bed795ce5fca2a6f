using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// One-time codes of an email index entry: issued with their message in one write, at most
/// <c>Accounts:MaxMessagesPerWindow</c> messages to an address per code lifetime, checked (a wrong guess counts, and
/// burns the code at <c>Accounts:MaxCodeAttempts</c>), and destroyed by the entry's one reminder when they expire. An
/// entry left with nothing leaves no row behind.
/// </summary>
public sealed partial class OneTimeCodes(
    IPersistentState<EmailIndexState> state,
    SubjectOutbox<EmailIndexState> outbox,
    IOptions<AccountOptions> options,
    TimeProvider time,
    ISubjectHost host,
    ILogger logger)
{
    /// <summary>The entry's one reminder: code expiry, the rate-limit window's end, and undelivered messages.</summary>
    public const string Reminder = "code-expiry";

    /// <summary>The topic of code messages: a new code makes an undelivered older one pointless.</summary>
    public const string CodeTopic = "code";

    private AccountOptions Options => options.Value;

    /// <summary>
    /// Issues a fresh code (replacing any outstanding one, and its message if still undelivered) for the account
    /// <paramref name="userIdFor"/> names from the current state (<c>null</c>: none): its hash and its message are
    /// persisted in one write, then the message is handed to the sender. Decided again from fresh state after a write
    /// conflict, so a duplicate activation's messages count against the limit and its claim is respected. A code lives
    /// <paramref name="lifetime"/> if given, else <c>Accounts:CodeLifetime</c>.
    /// </summary>
    public async Task IssueAsync(
        PendingKind kind, SignUpDetails? signUp, Func<EmailIndexState, string?> userIdFor, Func<string, OutboxMessage> message, string? purpose = null, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(userIdFor);
        ArgumentNullException.ThrowIfNull(message);
        var now = time.GetUtcNow();
        var code = OneTimeCode.New();
        var salt = OneTimeCode.NewSalt();
        var expiresAt = now + (lifetime ?? Options.CodeLifetime);
        var queued = await outbox.PrepareAsync(message(code), dropAfter: expiresAt, CodeTopic);
        var replaced = await state.UpdateAsync<EmailIndexState, List<string>?>(() =>
        {
            var current = state.State;
            if (IsRateLimited(current, now) || userIdFor(current) is not { } userId)
            {
                return (false, null);
            }

            current.Pending = new PendingCode(kind, OneTimeCode.Hash(code, salt), salt, expiresAt, 0, signUp, userId, purpose);
            current.MessagesSent.Add(now);
            return (true, outbox.Queue(current, queued));
        }, host.DeactivateOnIdle);
        await SendIfQueuedAsync(queued, replaced);
    }

    /// <summary>Queues a notice unless the address already got its share of messages; it is pointless once the rate-limit window closes.</summary>
    public async Task SendLimitedAsync(OutboxMessage message)
    {
        var now = time.GetUtcNow();
        var queued = await outbox.PrepareAsync(message, dropAfter: now + Options.CodeLifetime);
        var replaced = await state.UpdateAsync<EmailIndexState, List<string>?>(() =>
        {
            var current = state.State;
            if (IsRateLimited(current, now))
            {
                return (false, null);
            }

            current.MessagesSent.Add(now);
            return (true, outbox.Queue(current, queued));
        }, host.DeactivateOnIdle);
        await SendIfQueuedAsync(queued, replaced);
    }

    /// <summary>
    /// The pending code if <paramref name="code"/> is it, used up at once; a wrong guess counts, and burns the code at the
    /// limit. Decided from fresh state after a conflict: a code a duplicate activation used, or guesses it counted, hold.
    /// </summary>
    public async Task<PendingCode?> CheckAsync(string code, Func<PendingKind, bool> acceptable)
    {
        ArgumentNullException.ThrowIfNull(acceptable);
        var now = time.GetUtcNow();
        if (state.State.Pending is not { } seen || !acceptable(seen.Kind))
        {
            // A duplicate activation may have issued the code this one has not seen: look once more in storage.
            await state.ReadStateAsync();
            if (state.State.Pending is not { } stored || !acceptable(stored.Kind))
            {
                return null;
            }
        }

        var accepted = await state.UpdateAsync<EmailIndexState, PendingCode?>(() =>
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
        }, host.DeactivateOnIdle);
        if (accepted is null)
        {
            await ForgetIfEmptyAsync();
        }

        return accepted;
    }

    /// <summary>The reminder's tick: what expired goes, undelivered messages are handed again, and the reminder moves to what is next.</summary>
    public async Task ExpireAsync()
    {
        var now = time.GetUtcNow();
        var dropped = await state.UpdateAsync(() =>
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
        }, host.DeactivateOnIdle);
        outbox.Withdraw(dropped);

        // A sender that still has them ignores them; after a crash this is how they get sent at all.
        outbox.HandAll();
        await ForgetIfEmptyAsync();
        if (state.RecordExists)
        {
            // The reminder just fired: whatever it was registered for is spent.
            await ArmAsync(rearm: true);
        }
    }

    /// <summary>An entry that claims nothing and has nothing pending leaves no row behind.</summary>
    public async Task ForgetIfEmptyAsync()
    {
        if (state.RecordExists && state.State.IsEmpty)
        {
            await state.DeleteAsync(() => state.State.IsEmpty, host.DeactivateOnIdle);
            await host.UnregisterReminderAsync(Reminder);
            host.DeactivateOnIdle();
        }
    }

    /// <summary>Hands a persisted message to the sender (<paramref name="replaced"/> <c>null</c>: it was not persisted) and arms the reminder.</summary>
    private async Task SendIfQueuedAsync(QueuedMessage queued, List<string>? replaced)
    {
        if (replaced is null)
        {
            LogRateLimited(logger, host.Key);
            return;
        }

        outbox.Send(replaced, queued);
        await ArmAsync();
    }

    private bool IsRateLimited(EmailIndexState current, DateTimeOffset now) =>
        current.MessagesSent.Count(sent => sent + Options.CodeLifetime > now) >= Options.MaxMessagesPerWindow;

    /// <summary>The reminder is due when the pending code expires, the rate-limit window closes, or an undelivered message is to be handed again.</summary>
    private Task ArmAsync(bool rearm = false) =>
        host.ArmAsync(state, Reminder, DueAt, time.GetUtcNow(), outbox.RecheckPeriod, rearm, host.DeactivateOnIdle);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email index {GrainKey}: nothing sent (message rate limit reached, or the entry changed meanwhile)")]
    private static partial void LogRateLimited(ILogger logger, string grainKey);
}
