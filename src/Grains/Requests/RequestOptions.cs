namespace PrimeDirective.Grains.Requests;

/// <summary>Privacy request workflows (configuration section <c>Requests</c>).</summary>
public sealed class RequestOptions
{
    public const string SectionName = "Requests";

    /// <summary>How often an unfinished request is resumed by its reminder (never below Orleans' reminder minimum).</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a child-removal request waits for an officer's decision: then it expires, the parent is told, and their
    /// name, address and statement go with it (90 days: the month the law allows, extended by two for a hard case).
    /// </summary>
    public TimeSpan ChildRemovalLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often officers are reminded of a child-removal request still waiting (weekly).</summary>
    public TimeSpan ReviewReminder { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often a waiting request's reminder looks at the policy's clock at most (due at its next step, or after this).</summary>
    public TimeSpan ReviewCheckPeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The officers' shared address that the weekly reminders go to (request ids and dates only; the officer console shows
    /// the rest). Unset: the reminder is only logged (counts, no ids) and the console lists the request with its expiry.
    /// </summary>
    public string? OfficerMailbox { get; set; }
}
