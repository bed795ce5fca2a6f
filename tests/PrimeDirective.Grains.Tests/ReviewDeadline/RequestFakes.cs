using System.Collections.Concurrent;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Tests.ReviewDeadline;

/// <summary>A reminder that records what it was asked for.</summary>
internal sealed class RecordingReminder : IReminderSlot
{
    /// <summary>When it is due from the last registration, and its period; <c>null</c> when none is registered.</summary>
    public (TimeSpan DueIn, TimeSpan Period)? Registered { get; private set; }

    public int Registrations { get; private set; }

    public Task SetAsync(TimeSpan dueIn, TimeSpan period)
    {
        Registered = (dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, period);
        Registrations++;
        return Task.CompletedTask;
    }

    public Task ClearAsync()
    {
        Registered = null;
        return Task.CompletedTask;
    }
}

/// <summary>A request's mail that keeps what it prepared and handed, unsealed (the subject line stands for the message).</summary>
internal sealed class RecordingMail : IRequestMail
{
    private readonly ConcurrentDictionary<string, OutboxMessage> _prepared = new(StringComparer.Ordinal);

    public List<OutboxMessage> Handed { get; } = [];

    public int Armed { get; private set; }

    public Task<QueuedMessage> PrepareAsync(OutboxMessage message)
    {
        var id = Guid.NewGuid().ToString("N");
        _prepared[id] = message;
        return Task.FromResult(new QueuedMessage(id, "sealed", null, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue));
    }

    public void Hand(QueuedMessage message) => Handed.Add(_prepared[message.Id]);

    public Task ArmAsync()
    {
        Armed++;
        return Task.CompletedTask;
    }
}
