namespace PrimeDirective.Grains.Outbox;

/// <summary>A grain that keeps messages in its state until the silo's <see cref="OutboxSender"/> reports them handled.</summary>
[Alias("PrimeDirective.IOutboxOwner")]
public interface IOutboxOwner : IGrainWithStringKey
{
    /// <summary>
    /// The message was delivered (<paramref name="delivered"/>), or dropped unsent (pointless, or unreadable): the owner
    /// forgets it (nothing if it already did).
    /// </summary>
    [Alias("MessageHandled")]
    Task MessageHandledAsync(string messageId, bool delivered);
}
