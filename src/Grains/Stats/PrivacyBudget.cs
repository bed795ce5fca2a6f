using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Stats;

namespace PrimeDirective.Grains.Stats;

/// <summary>
/// How a day's ε is spent. The unit of privacy is one cluster-day: a cluster counts once per metric per day (its first
/// report's buckets), in one bucket of versions and hosts, in up to four database kinds, and with its apps and jobs
/// clamped to their bounds. Each statistic gets a fixed, published share of the day's ε, and noise of scale
/// sensitivity/ε.
/// </summary>
public static class PrivacyBudget
{
    /// <summary>The fixed shares of the day's ε (they add up to one); the README publishes them.</summary>
    public static readonly ImmutableArray<(string Statistic, double Share)> Shares =
    [
        (StatsStatistics.Versions, 0.30),
        (StatsStatistics.VersionsOther, 0.10),
        (StatsStatistics.Hosts, 0.15),
        (StatsStatistics.Databases, 0.15),
        (StatsStatistics.WorkloadClusters, 0.10),
        (StatsStatistics.WorkloadApps, 0.10),
        (StatsStatistics.WorkloadJobs, 0.10),
    ];

    /// <summary>The budget of a day whose apps and jobs were clamped to at most <paramref name="appsBound"/> and <paramref name="jobsBound"/>.</summary>
    public static ImmutableArray<StatsBudget> Of(StatsOptions options, long appsBound, long jobsBound)
    {
        ArgumentNullException.ThrowIfNull(options);
        var budget = ImmutableArray.CreateBuilder<StatsBudget>(Shares.Length);
        foreach (var (statistic, share) in Shares)
        {
            // To a millionth, as the noise takes it: what is stated is what was spent.
            var epsilon = Math.Round(options.EpsilonPerDay * share, 6);
            var sensitivity = statistic switch
            {
                StatsStatistics.Databases => AggregateBuckets.DatabaseKinds.Length,
                StatsStatistics.WorkloadApps => appsBound,
                StatsStatistics.WorkloadJobs => jobsBound,
                _ => 1L,
            };
            long? threshold = statistic switch
            {
                StatsStatistics.Versions => options.K + LabelMargin(epsilon, options.Delta),
                StatsStatistics.WorkloadApps or StatsStatistics.WorkloadJobs => null,
                _ => options.K,
            };
            budget.Add(new StatsBudget(statistic, epsilon, sensitivity, threshold));
        }

        return budget.MoveToImmutable();
    }

    /// <summary>
    /// How far above k a version label's noisy count must be to be named. Labels are an open domain: a label only one
    /// cluster ran exists only because of it, so naming it at all must be unlikely. With noise of sensitivity one,
    /// P(noise ≥ j) = p^j/(1+p) for p = exp(−ε); the margin m is the least with P(noise ≥ m+1) ≤ δ, so a label brought
    /// by fewer than k clusters is named with probability at most δ.
    /// </summary>
    public static long LabelMargin(double epsilon, double delta)
    {
        var p = Math.Exp(-epsilon);
        if (p <= 0)
        {
            return 0;
        }

        var reach = (long)Math.Ceiling(Math.Log(delta * (1 + p)) / Math.Log(p));
        return Math.Max(0, reach - 1);
    }
}
