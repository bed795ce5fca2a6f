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
}
