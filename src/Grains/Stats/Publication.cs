using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Stats;

namespace PrimeDirective.Grains.Stats;

/// <summary>
/// What one closed day publishes of its aggregates. Every number is the true one plus discrete Laplace noise of its
/// statistic's scale, and every decision (shown, hidden, merged into <c>other</c>) is taken on the noisy numbers only,
/// never on the true ones. Host ranges, database kinds and the day's total are fixed domains: each bucket is noised and
/// decided even when no cluster is in it, so a bucket's presence says nothing the noise does not cover. Version labels
/// are an open domain: a label is named when its noisy count reaches k plus the margin of δ, and the clusters of every
/// label not named are published as <c>other</c> with noise of its own.
/// </summary>
public static class Publication
{
    /// <summary>The rows of <paramref name="day"/> from its raw <paramref name="counts"/> (one per metric and bucket).</summary>
    public static ImmutableArray<StatsRow> Release(DateOnly day, IReadOnlyCollection<AggregateCount> counts, ImmutableArray<StatsBudget> budget, int k, IStatsNoise noise)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, StatsOptions.MinimumK);
        var release = new DayRelease(day, counts.Where(count => count.Day == day).ToList(), budget.ToDictionary(entry => entry.Statistic, StringComparer.Ordinal), k, noise);
        release.Versions();
        release.Hosts();
        release.Databases();
        release.Workloads();
        return [.. release.Rows.OrderBy(row => row.Metric, StringComparer.Ordinal).ThenBy(row => row.Bucket, StringComparer.Ordinal)];
    }

    private sealed class DayRelease(DateOnly day, List<AggregateCount> counts, Dictionary<string, StatsBudget> budget, int k, IStatsNoise noise)
    {
        public List<StatsRow> Rows { get; } = [];

        public void Versions()
        {
            var named = budget[StatsStatistics.Versions];
            var unnamed = 0L;
            foreach (var label in counts.Where(count => count.Metric == AggregateBuckets.Versions).OrderBy(count => count.Bucket, StringComparer.Ordinal))
            {
                var noisy = label.Bucket == AggregateBuckets.Other ? (long?)null : Noisy(named, label.Bucket, label.Clusters);
                if (noisy is { } shown && shown >= named.Threshold)
                {
                    Rows.Add(new StatsRow(day, AggregateBuckets.Versions, label.Bucket, shown, null, null));
                }
                else
                {
                    unnamed += label.Clusters;
                }
            }

            // Which labels stayed unnamed was decided on noisy counts; their clusters get noise of their own, once.
            var other = Noisy(budget[StatsStatistics.VersionsOther], AggregateBuckets.Other, unnamed);
            if (other >= k)
            {
                Rows.Add(new StatsRow(day, AggregateBuckets.Versions, AggregateBuckets.Other, other, null, null));
            }
        }

        public void Hosts()
        {
            var hosts = budget[StatsStatistics.Hosts];
            var hidden = 0L;
            var anyHidden = false;
            foreach (var range in AggregateBuckets.HostRanges)
            {
                var noisy = Noisy(hosts, range, Clusters(AggregateBuckets.Hosts, range));
                if (noisy >= k)
                {
                    Rows.Add(new StatsRow(day, AggregateBuckets.Hosts, range, noisy, null, null));
                }
                else
                {
                    // A fixed domain: the sum of hidden noisy counts is a function of what was already noised.
                    hidden += noisy;
                    anyHidden = true;
                }
            }

            if (anyHidden && hidden >= k)
            {
                Rows.Add(new StatsRow(day, AggregateBuckets.Hosts, AggregateBuckets.Other, hidden, null, null));
            }
        }

        public void Databases()
        {
            var databases = budget[StatsStatistics.Databases];
            foreach (var kind in AggregateBuckets.DatabaseKinds)
            {
                var noisy = Noisy(databases, kind, Clusters(AggregateBuckets.Databases, kind));
                if (noisy >= k)
                {
                    Rows.Add(new StatsRow(day, AggregateBuckets.Databases, kind, noisy, null, null));
                }
            }
        }

        public void Workloads()
        {
            var all = counts.FirstOrDefault(count => count.Metric == AggregateBuckets.Workloads && count.Bucket == AggregateBuckets.All);
            var clusters = Noisy(budget[StatsStatistics.WorkloadClusters], AggregateBuckets.All, all?.Clusters ?? 0);
            var apps = Noisy(budget[StatsStatistics.WorkloadApps], AggregateBuckets.All, all?.Apps ?? 0);
            var jobs = Noisy(budget[StatsStatistics.WorkloadJobs], AggregateBuckets.All, all?.Jobs ?? 0);
            if (clusters >= k)
            {
                // A noisy sum may fall below zero; no cluster runs fewer than none (rounding what was published changes nothing).
                Rows.Add(new StatsRow(day, AggregateBuckets.Workloads, AggregateBuckets.All, clusters, Math.Max(0, apps), Math.Max(0, jobs)));
            }
        }

        private long Clusters(string metric, string bucket) =>
            counts.Where(count => count.Metric == metric && count.Bucket == bucket).Sum(count => count.Clusters);

        private long Noisy(StatsBudget statistic, string bucket, long value) =>
            checked(value + noise.Draw(statistic.Statistic, bucket, statistic.Sensitivity, statistic.Epsilon));
    }
}
