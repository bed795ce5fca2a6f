namespace PrimeDirective.Grains.Outbox;

/// <summary>Sends messages to people, by SMTP or into a directory of <c>.eml</c> files.</summary>
public interface IOutbox
{
    /// <summary>Hands <paramref name="message"/> to the transport; completes once it has been accepted or written.</summary>
    /// <param name="message">What to send.</param>
    /// <param name="origin">The grain that kept it and its id: names any copy the transport keeps, so it can be destroyed.</param>
    /// <param name="cancellationToken">Stops the attempt.</param>
    Task SendAsync(OutboxMessage message, MessageOrigin origin, CancellationToken cancellationToken = default);

    /// <summary>
    /// Destroys the copies this transport keeps of <paramref name="owner"/>'s messages (only <paramref name="messageId"/>'s,
    /// when given); nothing when it keeps none (SMTP: the relay has the message, we do not).
    /// </summary>
    Task DestroyCopiesAsync(GrainId owner, string? messageId = null);

    /// <summary>
    /// Hands the copies this transport keeps of <paramref name="previous"/>'s messages to <paramref name="heir"/>, so that
    /// <paramref name="heir"/>'s erasure destroys them (an email change: the old address's entry is released, the account
    /// keeps what was sent there); nothing when it keeps none.
    /// </summary>
    Task AdoptCopiesAsync(GrainId previous, GrainId heir);
}

/// <summary>Whose message it is: the grain that kept it, and its id in that grain's outbox.</summary>
/// <param name="Owner">The owner grain (pseudonymous key).</param>
/// <param name="MessageId">The message's random id (32 hex digits).</param>
public sealed record MessageOrigin(GrainId Owner, string MessageId);
