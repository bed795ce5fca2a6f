using PrimeDirective.Grains.Interfaces.PrivacyCenter;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.PrivacyCenter;

/// <summary>An ended Privacy Center session, remembered only until its token would have expired.</summary>
[RegionPlacement]
public sealed class WebSessionGrain(
    [PersistentState("web-session", StorageNames.Subjects)] IPersistentState<WebSessionState> state,
    PolicyClock time) : Grain, IWebSessionGrain, IRemindable
{
    private const string ForgetReminder = "forget";

    public Task<bool> IsEndedAsync() => Task.FromResult(state.State.EndedUntil is not null);

    public async Task EndAsync(DateTimeOffset tokenExpiresAt)
    {
        var ended = await state.UpdateAsync(
            () => state.State.EndedUntil is null ? Record(tokenExpiresAt) : (false, false),
            DeactivateOnIdle);
        if (ended)
        {
            // Reminders' period is at least a minute; the first tick comes when the token expires.
            var dueIn = tokenExpiresAt - time.GetUtcNow();
            await this.RegisterOrUpdateReminder(ForgetReminder, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, TimeSpan.FromHours(1));
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.EndedUntil is { } until && until > time.GetUtcNow())
        {
            return;
        }

        // The token is dead by its own expiry now: nothing needs remembering.
        await state.ClearStateAsync();
        if (await this.GetReminder(ForgetReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        DeactivateOnIdle();
    }

    private (bool, bool) Record(DateTimeOffset tokenExpiresAt)
    {
        state.State.EndedUntil = tokenExpiresAt;
        return (true, true);
    }
}

/// <summary>The stored state of a Privacy Center session: when set, the session was ended and its token expires then.</summary>
public sealed class WebSessionState
{
    public DateTimeOffset? EndedUntil { get; set; }
}
