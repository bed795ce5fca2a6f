namespace PrimeDirective.Grains.Users;

/// <summary>Accounts, one-time codes and consent bookkeeping (configuration section <c>Accounts</c>).</summary>
public sealed class AccountOptions
{
    public const string SectionName = "Accounts";

    /// <summary>How long a one-time code (and the pending sign-up it carries) lives.</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a step-up code (a fresh proof before an irreversible action) lives.</summary>
    public TimeSpan StepUpCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Wrong guesses after which a code is burnt.</summary>
    public int MaxCodeAttempts { get; set; } = 5;

    /// <summary>Messages sent to one address per <see cref="CodeLifetime"/>; more requests are answered alike but send nothing.</summary>
    public int MaxMessagesPerWindow { get; set; } = 5;
}
