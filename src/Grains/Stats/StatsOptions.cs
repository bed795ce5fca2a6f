namespace PrimeDirective.Grains.Stats;

/// <summary>Projection and publication of the aggregates (configuration section <c>Stats</c>).</summary>
public sealed class StatsOptions
{
    public const string SectionName = "Stats";

    /// <summary>The smallest k allowed: a bucket of one is a person.</summary>
    public const int MinimumK = 2;

    /// <summary>The largest ε per day accepted: beyond it the noise is nothing, and the ratio ε/sensitivity stops being exact.</summary>
    public const double MaximumEpsilonPerDay = 1_000_000;

    /// <summary>The largest bound on one cluster's apps or jobs.</summary>
    public const long MaximumBound = 1_000_000;

    /// <summary>k: a bucket whose noisy count of distinct clusters stays below k is not shown.</summary>
    public int K { get; set; } = 5;

    /// <summary>ε of one day's release, split across the statistics in the fixed shares of <see cref="PrivacyBudget"/>.</summary>
    public double EpsilonPerDay { get; set; } = 1.0;

    /// <summary>δ: the chance a version label brought by fewer than k clusters is named anyway.</summary>
    public double Delta { get; set; } = 1e-6;

    /// <summary>B of the apps sum: one cluster's running apps count as at most this many.</summary>
    public long MaxAppsPerCluster { get; set; } = 100;

    /// <summary>B of the jobs sum: one cluster's running jobs count as at most this many.</summary>
    public long MaxJobsPerCluster { get; set; } = 500;

    /// <summary>Distinct buckets a metric may hold per day; later new ones are counted in <c>other</c>.</summary>
    public int MaxBucketsPerMetric { get; set; } = 256;

    /// <summary>How often a silo writes the increments its cluster grains projected, in one batch.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long after a day's UTC midnight it is released: every silo's last flush of the day is in by then.</summary>
    public TimeSpan ReleaseDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often each silo looks for a day due for release (one release per day whichever silo gets there first).</summary>
    public TimeSpan ReleaseCheckPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
