using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Tests.ComponentFakes;

/// <summary>An activation for a component alone: its reminders and deactivations are recorded.</summary>
public sealed class FakeHost(string type, string key) : ISubjectHost
{
    public GrainId Id { get; } = GrainId.Create(type, key);

    public string Key => key;

    public string Region => key[..key.IndexOf('/', StringComparison.Ordinal)];

    /// <summary>Registered reminders: due in, period.</summary>
    public Dictionary<string, (TimeSpan DueIn, TimeSpan Period)> Reminders { get; } = new(StringComparer.Ordinal);

    public int Deactivations { get; private set; }

    /// <summary>A fresh subject key in region <c>eu</c>.</summary>
    public static FakeHost Fresh(string type) => new(type, $"eu/{Guid.NewGuid():N}");

    public Task RegisterReminderAsync(string name, TimeSpan dueIn, TimeSpan period)
    {
        Reminders[name] = (dueIn, period);
        return Task.CompletedTask;
    }

    public Task UnregisterReminderAsync(string name)
    {
        Reminders.Remove(name);
        return Task.CompletedTask;
    }

    public void DeactivateOnIdle() => Deactivations++;
}
