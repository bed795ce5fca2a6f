namespace PrimeDirective.Grains.Outbox;

/// <summary>Sends messages to people, by SMTP or into a directory of <c>.eml</c> files.</summary>
public interface IOutbox
{
    /// <summary>Hands <paramref name="message"/> to the transport; completes once it has been accepted or written.</summary>
    Task SendAsync(OutboxMessage message, CancellationToken cancellationToken = default);
}
