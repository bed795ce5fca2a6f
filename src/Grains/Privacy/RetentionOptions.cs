using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Privacy;

/// <summary>How long each category of data is kept (configuration section <c>Retention</c>); DESIGN §3 defaults.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    public TimeSpan IpAddress { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan RawReport { get; set; } = TimeSpan.FromDays(90);

    public TimeSpan CrashReport { get; set; } = TimeSpan.FromDays(180);

    public TimeSpan Inferred { get; set; } = TimeSpan.FromDays(1);

    /// <summary>An account without a sign-in for this long is warned by email that it will be erased (2 years).</summary>
    public TimeSpan DormantWarning { get; set; } = TimeSpan.FromDays(730);

    /// <summary>An account without a sign-in for this long is erased (3 years); the warning goes out a year before.</summary>
    public TimeSpan DormantAccount { get; set; } = TimeSpan.FromDays(1095);

    /// <summary>
    /// How often an account's dormancy reminder looks at the policy's clock at most (its reminder is due at the next
    /// warning or erasure, or after this, whichever is sooner): with a long period an account is woken rarely.
    /// </summary>
    public TimeSpan DormantCheckPeriod { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often a retention reminder fires again if a destruction did not complete (never below Orleans' minimum).</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How finely report expiries are kept: a report item's expiry is rounded down to it (destroyed early, never late), so
    /// one retention tick destroys a whole period's reports. At most a tenth of the category's retention.
    /// </summary>
    public TimeSpan ExpiryGranularity { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Subjects whose retention runs at once in a silo at most: a wave of due reminders queues behind them instead of
    /// draining the connection pools (<see cref="Retention.RetentionRunner"/>).
    /// </summary>
    public int MaxConcurrentRuns { get; set; } = 32;

    /// <summary>
    /// How often each silo asks each region it serves for a retention wave, which deletes every expired, unheld report row
    /// in bulk (docs/retention.md): the guaranteed destroyer behind the subjects' own reminders.
    /// </summary>
    public TimeSpan WavePeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><see cref="ExpiryOf"/> rounded down to <see cref="ExpiryGranularity"/> (or a tenth of the retention, if less).</summary>
    public DateTimeOffset? RoundedExpiryOf(DataCategory category, DateTimeOffset collectedAt)
    {
        if (ExpiryOf(category, collectedAt) is not { } expiry)
        {
            return null;
        }

        var tenth = (expiry - collectedAt) / 10;
        var step = ExpiryGranularity < tenth ? ExpiryGranularity : tenth;
        return step <= TimeSpan.Zero ? expiry : new DateTimeOffset(expiry.UtcTicks - (expiry.UtcTicks % step.Ticks), TimeSpan.Zero);
    }

    /// <summary>The expiry of an item of <paramref name="category"/> collected at <paramref name="collectedAt"/>; <c>null</c> while its subject lives.</summary>
    public DateTimeOffset? ExpiryOf(DataCategory category, DateTimeOffset collectedAt) => category switch
    {
        DataCategory.IpAddress => collectedAt + IpAddress,
        DataCategory.Usage or DataCategory.Performance or DataCategory.Configuration => collectedAt + RawReport,
        DataCategory.CrashReport => collectedAt + CrashReport,
        DataCategory.Inferred => collectedAt + Inferred,
        DataCategory.Identifier or DataCategory.Account or DataCategory.ThirdPartyRecord => null,
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "No retention is defined for this category."),
    };
}
