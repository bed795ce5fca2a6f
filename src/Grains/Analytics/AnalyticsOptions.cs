namespace PrimeDirective.Grains.Analytics;

/// <summary>Site analytics (configuration section <c>Analytics</c>).</summary>
public sealed class AnalyticsOptions
{
    public const string SectionName = "Analytics";

    /// <summary>How long an event is kept (policy: pseudonymous analytics, 30 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often a silo sweeps expired events away.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}
