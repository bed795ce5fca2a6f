namespace PrimeDirective.Grains.Outbox;

/// <summary>Where and how outgoing messages go (configuration section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "Outbox";

    /// <summary>Directory of the file outbox (used when no SMTP host is set); defaults to <c>.outbox</c> beside the binaries.</summary>
    public string? Directory { get; set; }

    /// <summary>The sender, as a mailbox (<c>Name &lt;address&gt;</c> or a bare address).</summary>
    public string From { get; set; } = "Prime Directive <privacy@prime-directive.invalid>";

    /// <summary>The SMTP relay; setting <see cref="SmtpSettings.Host"/> switches the outbox to SMTP.</summary>
    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>
    /// The processors registry's id of the SMTP relay (it receives addresses, names and codes): the officer console flags it
    /// while it is unnamed, unregistered or out of contract, and a person's export names it.
    /// </summary>
    public string? RelayProcessorId { get; set; }

    /// <summary>Wait after a message's first failed delivery; it doubles after each further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two delivery attempts of one message.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often a grain with undelivered messages hands them to a sender again through its reminder, so a message a
    /// crashed silo held is sent by another (never below Orleans' reminder minimum, one minute by default).
    /// </summary>
    public TimeSpan RecheckPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a message without a code (a notice, an answer to a parent) is retried before it is dropped unsent.</summary>
    public TimeSpan NoticeLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long a file of the file outbox is kept after it was written (the policy's clock); an erasure deletes its subject's at once.</summary>
    public TimeSpan FileLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Deliveries a silo attempts at the same time.</summary>
    public int MaxConcurrentSends { get; set; } = 4;
}
