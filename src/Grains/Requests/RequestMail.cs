using PrimeDirective.Grains.Outbox;

namespace PrimeDirective.Grains.Requests;

/// <summary>A request's side of the silo's outbox, as its components use it (tests record what they send).</summary>
public interface IRequestMail
{
    /// <summary>Seals a message for the request's state, worth sending for the outbox's notice lifetime; sends nothing yet.</summary>
    Task<QueuedMessage> PrepareAsync(OutboxMessage message);

    /// <summary>Hands a message the request has persisted to the sender, without waiting.</summary>
    void Hand(QueuedMessage message);

    /// <summary>Arms the request's outbox reminder: before the write that queues a message, so a crash cannot strand it.</summary>
    Task ArmAsync();
}

/// <summary>The request's shared <see cref="SubjectOutbox{TState}"/>, as its components use it.</summary>
public sealed class RequestMail(SubjectOutbox<PrivacyRequestState> outgoing, TimeProvider time) : IRequestMail
{
    public Task<QueuedMessage> PrepareAsync(OutboxMessage message) => outgoing.PrepareAsync(message, time.GetUtcNow() + outgoing.NoticeLifetime);

    public void Hand(QueuedMessage message) => outgoing.Send([], message);

    public Task ArmAsync() => outgoing.ArmAsync(force: true);
}
