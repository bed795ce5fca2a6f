using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;

namespace PrimeDirective.Grains.Users;

/// <summary>One-time codes of an email index entry: issued, rate-limited, checked, and destroyed when they expire.</summary>
public sealed partial class EmailIndexGrain
{
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminder)
        {
            return;
        }

        var now = time.GetUtcNow();
        await UpdateAsync(() =>
        {
            var current = state.State;
            var changed = current.Pending is { } pending && pending.ExpiresAt <= now;
            if (changed)
            {
                current.Pending = null;
            }

            var trimmed = current.MessagesSent.RemoveAll(sent => sent + Options.CodeLifetime <= now) > 0;
            current.ExpiryDueAt = null;
            return (changed || trimmed, true);
        });
        await ForgetIfEmptyAsync();
        if (state.RecordExists)
        {
            await ArmAsync();
        }
    }

    /// <summary>Issues a fresh code (replacing any outstanding one), persists its hash, then sends it.</summary>
    private async Task IssueCodeAsync(PendingKind kind, SignUpDetails? signUp, string userId, Func<string, OutboxMessage> message)
    {
        var now = time.GetUtcNow();
        if (IsRateLimited(now))
        {
            LogRateLimited(logger, this.GetPrimaryKeyString());
            return;
        }

        var code = OneTimeCode.New();
        var salt = OneTimeCode.NewSalt();
        await UpdateAsync(() =>
        {
            state.State.Pending = new PendingCode(kind, OneTimeCode.Hash(code, salt), salt, now + Options.CodeLifetime, 0, signUp, userId);
            state.State.MessagesSent.Add(now);
            return (true, true);
        });
        await ArmAsync();
        await outbox.SendAsync(message(code));
    }

    /// <summary>Sends a notice unless the address already got its share of messages.</summary>
    private async Task SendLimitedAsync(OutboxMessage message)
    {
        var now = time.GetUtcNow();
        if (IsRateLimited(now))
        {
            LogRateLimited(logger, this.GetPrimaryKeyString());
            return;
        }

        await UpdateAsync(() =>
        {
            state.State.MessagesSent.Add(now);
            return (true, true);
        });
        await ArmAsync();
        await outbox.SendAsync(message);
    }

    private bool IsRateLimited(DateTimeOffset now) =>
        state.State.MessagesSent.Count(sent => sent + Options.CodeLifetime > now) >= Options.MaxMessagesPerWindow;

    /// <summary>The pending code if <paramref name="code"/> is it; a wrong guess counts, and burns the code at the limit.</summary>
    private async Task<PendingCode?> CheckCodeAsync(string code, Func<PendingKind, bool> acceptable)
    {
        var now = time.GetUtcNow();
        if (state.State.Pending is not { } pending || !acceptable(pending.Kind))
        {
            return null;
        }

        if (pending.ExpiresAt <= now)
        {
            await UpdateAsync(() => (true, state.State.Pending = null));
            await ForgetIfEmptyAsync();
            return null;
        }

        if (!OneTimeCode.Matches(code, pending.Salt, pending.CodeHash))
        {
            var attempts = pending.Attempts + 1;
            await UpdateAsync(() =>
            {
                state.State.Pending = attempts >= Options.MaxCodeAttempts ? null : pending with { Attempts = attempts };
                return (true, true);
            });
            await ForgetIfEmptyAsync();
            return null;
        }

        // Single use: the code is gone before anything it unlocks happens.
        await UpdateAsync(() => (true, state.State.Pending = null));
        return pending;
    }

    /// <summary>The reminder is due when the pending code expires or the rate-limit window closes, whichever is first.</summary>
    private async Task ArmAsync()
    {
        var current = state.State;
        var due = current.Pending?.ExpiresAt;
        if (current.MessagesSent.Count > 0)
        {
            var windowEnd = current.MessagesSent.Min() + Options.CodeLifetime;
            due = due is null || windowEnd < due ? windowEnd : due;
        }

        if (due is null)
        {
            await DisarmAsync();
            return;
        }

        if (current.ExpiryDueAt is { } armed && armed <= due)
        {
            return;
        }

        var dueIn = due.Value - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(ExpiryReminder, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, TimeSpan.FromMinutes(1));
        await UpdateAsync(() => (true, current.ExpiryDueAt = due));
    }

    private async Task DisarmAsync()
    {
        if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
