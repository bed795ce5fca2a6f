using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Grains.Storage;

/// <summary>What a component needs of the grain activation that hosts it: who it is, its reminders, and a way out.</summary>
public interface ISubjectHost
{
    /// <summary>The hosting grain's id (messages and packages name their owner by it).</summary>
    GrainId Id { get; }

    /// <summary>The grain's string key.</summary>
    string Key { get; }

    /// <summary>The region the key names.</summary>
    string Region { get; }

    /// <summary>Registers (or moves) the grain's reminder <paramref name="name"/>.</summary>
    Task RegisterReminderAsync(string name, TimeSpan dueIn, TimeSpan period);

    /// <summary>Removes the grain's reminder <paramref name="name"/>, if registered.</summary>
    Task UnregisterReminderAsync(string name);

    /// <summary>After a write whose outcome is unknown: the in-memory state may differ from storage, so the activation goes.</summary>
    void DeactivateOnIdle();
}

/// <summary>The host of a live activation, from its grain context (injected into the grain's constructor).</summary>
public sealed class GrainHost(IGrainContext context) : ISubjectHost
{
    public GrainId Id => context.GrainId;

    public string Key => context.GrainReference.GetPrimaryKeyString();

    public string Region => SubjectKey.RegionOf(context.GrainId);

    private IGrainBase Grain => context.GrainInstance as IGrainBase ?? throw new InvalidOperationException("The activation has no grain yet.");

    public Task RegisterReminderAsync(string name, TimeSpan dueIn, TimeSpan period) => Grain.RegisterOrUpdateReminder(name, dueIn, period);

    public async Task UnregisterReminderAsync(string name)
    {
        if (await Grain.GetReminder(name) is { } reminder)
        {
            await Grain.UnregisterReminder(reminder);
        }
    }

    public void DeactivateOnIdle() =>
        context.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "A state write's outcome is unknown."));
}
