using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Outbox;

/// <summary>
/// A message a grain keeps in its state until a sender has delivered it: written in the same write that decides to send
/// it, so there is never a code without its message, nor a message without its code.
/// </summary>
/// <param name="Id">Random id; the sender reports delivery by it.</param>
/// <param name="Sealed">The message, encrypted by <see cref="MessageSeal"/>: the database never holds a code or an address in clear here.</param>
/// <param name="Topic">Messages of the same topic replace each other (a new code makes the old code's message useless); <c>null</c>: none.</param>
/// <param name="DropAfter">After this the message is pointless (its code expired): dropped unsent.</param>
/// <param name="RecheckAt">When the owner's reminder hands it to a sender again if it is still here.</param>
/// <param name="Campaign">The notice campaign it announces (a breach, a substantive policy change): never dropped silently.</param>
public sealed record QueuedMessage(
    string Id,
    [property: PersonalData] string Sealed,
    string? Topic,
    DateTimeOffset DropAfter,
    DateTimeOffset RecheckAt,
    string? Campaign = null)
{
    /// <summary>The most messages one grain keeps; the oldest goes first, a campaign's last (rate limits keep real counts far below).</summary>
    public const int MaxPerOwner = 16;

    /// <summary>Names the id only: the sealed text is nobody's business in a log.</summary>
    public override string ToString() => $"{nameof(QueuedMessage)} {Id}";
}
