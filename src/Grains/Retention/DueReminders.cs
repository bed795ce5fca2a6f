using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Retention;

/// <summary>A subject's state that records when its one reminder is due, so a subject is not re-registered on every write.</summary>
public interface IDueReminderState
{
    /// <summary>When the reminder was last registered to be due; <c>null</c> when none is registered.</summary>
    DateTimeOffset? ReminderDueAt { get; set; }
}

/// <summary>Keeps a subject's one reminder due at the time its state says, deciding from fresh state after a write conflict.</summary>
public static class DueReminders
{
    private const int MaxAttempts = 3;

    /// <summary>
    /// Registers the reminder due at <paramref name="dueAt"/> of the state (or removes it when that is <c>null</c>), then
    /// records that time; <paramref name="registered"/> is told the due time once the reminder is registered (if that time
    /// has passed by then, the reminder's first tick comes a period late and the caller should do the work itself). Unless <paramref name="rearm"/>, a reminder recorded as due no later is left alone. When a
    /// write conflict shows another activation changed the state, the due time is decided again from the fresh state:
    /// the reminder is per grain, so the last registration wins and must be the one the stored state asks for.
    /// </summary>
    public static Task ArmAsync<TState>(
        this Grain grain,
        IPersistentState<TState> state,
        string reminderName,
        Func<TState, DateTimeOffset?> dueAt,
        DateTimeOffset now,
        TimeSpan period,
        bool rearm,
        Action onUnknownOutcome,
        Action<DateTimeOffset>? registered = null)
        where TState : IDueReminderState
    {
        ArgumentNullException.ThrowIfNull(grain);
        return new GrainHost(grain.GrainContext).ArmAsync(state, reminderName, dueAt, now, period, rearm, onUnknownOutcome, registered);
    }

    /// <summary>
    /// Registers the reminder due at <paramref name="due"/> ahead of the write that records it (a new subject's first
    /// write records its due time with everything else, through <see cref="Record"/>); <paramref name="registered"/> as
    /// for <see cref="ArmAsync{TState}(Grain, IPersistentState{TState}, string, Func{TState, DateTimeOffset?}, DateTimeOffset, TimeSpan, bool, Action, Action{DateTimeOffset}?)"/>.
    /// </summary>
    public static async Task RegisterAheadAsync(this Grain grain, string reminderName, DateTimeOffset due, DateTimeOffset now, TimeSpan period, Action<DateTimeOffset>? registered = null)
    {
        ArgumentNullException.ThrowIfNull(grain);
        var dueIn = due - now;
        await new GrainHost(grain.GrainContext).RegisterReminderAsync(reminderName, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, period);
        registered?.Invoke(due);
    }

    /// <summary>
    /// Records, inside a write of <paramref name="current"/>, that the reminder registered ahead for <paramref name="registered"/>
    /// is due then, if that is still when the state wants it (<paramref name="wanted"/>); <c>true</c> if it changed the state.
    /// Otherwise the state is left alone and arming it after the write registers what it does want.
    /// </summary>
    public static bool Record(IDueReminderState current, DateTimeOffset? wanted, DateTimeOffset registered)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (wanted != registered || current.ReminderDueAt == registered)
        {
            return false;
        }

        current.ReminderDueAt = registered;
        return true;
    }

    /// <summary>
    /// <see cref="ArmAsync{TState}(Grain, IPersistentState{TState}, string, Func{TState, DateTimeOffset?}, DateTimeOffset, TimeSpan, bool, Action, Action{DateTimeOffset}?)"/>
    /// for a component, through its host.
    /// </summary>
    public static async Task ArmAsync<TState>(
        this ISubjectHost host,
        IPersistentState<TState> state,
        string reminderName,
        Func<TState, DateTimeOffset?> dueAt,
        DateTimeOffset now,
        TimeSpan period,
        bool rearm,
        Action onUnknownOutcome,
        Action<DateTimeOffset>? registered = null)
        where TState : IDueReminderState
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(dueAt);
        for (var attempt = 1; ; attempt++)
        {
            var next = dueAt(state.State);
            if (!rearm && next is not null && state.State.ReminderDueAt is { } armed && armed <= next)
            {
                return;
            }

            if (next is { } due)
            {
                var dueIn = due - now;
                await host.RegisterReminderAsync(reminderName, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, period);

                // A reminder whose start has passed when its timer starts first fires a whole period later.
                registered?.Invoke(due);
            }
            else
            {
                await host.UnregisterReminderAsync(reminderName);
            }

            var settled = await state.UpdateAsync(
                () =>
                {
                    var current = state.State;
                    if (dueAt(current) != next)
                    {
                        return (false, false);
                    }

                    var changed = current.ReminderDueAt != next;
                    current.ReminderDueAt = next;
                    return (changed, true);
                },
                onUnknownOutcome);
            if (settled || attempt == MaxAttempts)
            {
                return;
            }

            rearm = true;
        }
    }
}
