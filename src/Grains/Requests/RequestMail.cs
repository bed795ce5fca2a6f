using PrimeDirective.Grains.Outbox;

namespace PrimeDirective.Grains.Requests;

/// <summary>A request's side of the silo's outbox, as its components use it (tests record what they send).</summary>
public interface IRequestMail
{
    /// <summary>Seals a message for the request's state, worth sending for the outbox's notice lifetime; sends nothing yet.</summary>
    QueuedMessage Prepare(OutboxMessage message);

    /// <summary>Hands a message the request has persisted to the sender, without waiting.</summary>
    void Hand(QueuedMessage message);

    /// <summary>Arms the request's outbox reminder: before the write that queues a message, so a crash cannot strand it.</summary>
    Task ArmAsync();
}

/// <summary>The silo's sender, for the request <paramref name="owner"/> whose outbox reminder <paramref name="arm"/> arms.</summary>
public sealed class RequestMail(OutboxSender outbox, GrainId owner, Func<Task> arm, TimeProvider time) : IRequestMail
{
    public QueuedMessage Prepare(OutboxMessage message) => outbox.Prepare(message, time.GetUtcNow() + outbox.NoticeLifetime);

    public void Hand(QueuedMessage message) => outbox.Hand(owner, [message]);

    public Task ArmAsync() => arm();
}
