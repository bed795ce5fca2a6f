namespace PrimeDirective.Grains.Retention;

/// <summary>One named reminder of a grain, as a component that keeps it due sees it (tests record what it asks for).</summary>
public interface IReminderSlot
{
    /// <summary>Registers (or moves) the reminder: first due in <paramref name="dueIn"/> (now if that has passed), then every <paramref name="period"/>.</summary>
    Task SetAsync(TimeSpan dueIn, TimeSpan period);

    /// <summary>Removes the reminder if it is registered.</summary>
    Task ClearAsync();
}

/// <summary>A reminder of <paramref name="grain"/> named <paramref name="name"/>.</summary>
public sealed class GrainReminderSlot(Grain grain, string name) : IReminderSlot
{
    public Task SetAsync(TimeSpan dueIn, TimeSpan period) =>
        grain.RegisterOrUpdateReminder(name, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, period);

    public async Task ClearAsync()
    {
        if (await grain.GetReminder(name) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }
    }
}
