using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Outbox;

/// <summary>A message to one person. Every field is personal: none of them may reach a log.</summary>
/// <param name="To">The recipient's mail address.</param>
/// <param name="ToName">The recipient's display name, if known.</param>
/// <param name="Subject">The subject line.</param>
/// <param name="Body">The plain-text body.</param>
public sealed record OutboxMessage(
    [property: PersonalData] string To,
    [property: PersonalData] string? ToName,
    [property: PersonalData] string Subject,
    [property: PersonalData] string Body)
{
    /// <summary>Names the type only: the generated record text would print the recipient and the content.</summary>
    public override string ToString() => nameof(OutboxMessage);
}
