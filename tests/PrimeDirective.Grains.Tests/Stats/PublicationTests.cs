using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Stats;
using PrimeDirective.Grains.Stats;

namespace PrimeDirective.Grains.Tests.Stats;

/// <summary>
/// The release rules of one day on their own, with a noise source the test scripts: every decision is taken on the
/// noisy numbers, every bucket of a fixed domain is noised, version labels need their margin, each number gets its
/// statistic's scale.
/// </summary>
public sealed class PublicationTests
{
    private static readonly DateOnly s_day = new(2026, 11, 30);

    /// <summary>k = 5, ε 1 a day, version labels named from a noisy 12 (k plus a margin of 7).</summary>
    private static readonly ImmutableArray<StatsBudget> s_budget =
    [
        new(StatsStatistics.Versions, 0.3, 1, 12), new(StatsStatistics.VersionsOther, 0.1, 1, 5), new(StatsStatistics.Hosts, 0.15, 1, 5),
        new(StatsStatistics.Databases, 0.15, 4, 5), new(StatsStatistics.WorkloadClusters, 0.1, 1, 5), new(StatsStatistics.WorkloadApps, 0.1, 100, null),
        new(StatsStatistics.WorkloadJobs, 0.1, 500, null),
    ];

    [Fact]
    public void A_bucket_is_shown_or_hidden_by_its_noisy_count_never_by_its_true_one()
    {
        AggregateCount[] counts = [Count("hosts", "1", 1), Count("hosts", "2-3", 20), Count("databases", "redis", 4), Count("databases", "postgres", 6)];
        var noise = new ScriptedNoise(new()
        {
            [("hosts", "1")] = 10,
            [("hosts", "2-3")] = -17,
            [("databases", "redis")] = 1,
            [("databases", "postgres")] = -2,
        });

        var rows = Publication.Release(s_day, counts, s_budget, k: 5, noise);

        // One cluster with noise +10 is shown as 11; twenty with noise -17 are hidden (3, merged into nothing: below k).
        Assert.Equal(11, Row(rows, "hosts", "1").Clusters);
        Assert.DoesNotContain(rows, row => row.Bucket == "2-3");
        Assert.Equal(5, Row(rows, "databases", "redis").Clusters);
        Assert.DoesNotContain(rows, row => row.Bucket == "postgres");
        Assert.DoesNotContain(rows, row => row.Clusters is 1 or 20 or 4 or 6);
    }

    [Fact]
    public void Hidden_host_ranges_are_merged_into_other_by_their_noisy_counts()
    {
        AggregateCount[] counts = [Count("hosts", "1", 3), Count("hosts", "2-3", 40), Count("hosts", "4-7", 2)];
        var merged = new ScriptedNoise(new() { [("hosts", "4-7")] = 1 });
        var lessNoise = new ScriptedNoise(new() { [("hosts", "4-7")] = -1 });

        var rows = Publication.Release(s_day, counts, s_budget, k: 5, merged);
        var fewer = Publication.Release(s_day, counts, s_budget, k: 5, lessNoise);

        // 3 + (2 + 1) = 6 noisy clusters in hidden ranges reach k; with the noise -1 instead they are 4, and "other" is hidden too.
        Assert.Equal([("2-3", 40L), ("other", 6L)], rows.Where(row => row.Metric == "hosts").Select(row => (row.Bucket, row.Clusters)));
        Assert.Equal([("2-3", 40L)], fewer.Where(row => row.Metric == "hosts").Select(row => (row.Bucket, row.Clusters)));
    }

    [Fact]
    public void Every_bucket_of_a_fixed_domain_is_noised_and_decided_even_with_no_cluster_in_it()
    {
        var noise = new ScriptedNoise(new()
        {
            [("hosts", "64+")] = 7,
            [("databases", "mongodb")] = 7,
            [("workloads.clusters", "all")] = 7,
        });

        var rows = Publication.Release(s_day, [], s_budget, k: 5, noise);

        Assert.Equal(
            [("databases", "mongodb", 7L), ("hosts", "64+", 7L), ("workloads", "all", 7L)],
            rows.Select(row => (row.Metric, row.Bucket, row.Clusters)));
        Assert.Equal((0L, 0L), (rows[2].Apps, rows[2].Jobs));
        Assert.Equal(
            AggregateBuckets.HostRanges.Select(range => ("hosts", range)),
            noise.Draws.Where(draw => draw.Statistic == "hosts").Select(draw => (draw.Statistic, draw.Bucket)));
        Assert.Equal(AggregateBuckets.DatabaseKinds.Length, noise.Draws.Count(draw => draw.Statistic == "databases"));
        Assert.Equal(["workloads.clusters", "workloads.apps", "workloads.jobs"], noise.Draws.Where(draw => draw.Statistic.StartsWith("workloads", StringComparison.Ordinal)).Select(draw => draw.Statistic));
    }

    [Fact]
    public void A_version_label_is_named_only_at_its_threshold_and_the_unnamed_clusters_are_other_with_noise_of_their_own()
    {
        AggregateCount[] counts = [Count("versions", "v20261130.1", 11), Count("versions", "v20261130.2", 30), Count("versions", "v20261130.3", 1), Count("versions", "other", 2)];
        var noise = new ScriptedNoise(new()
        {
            [("versions", "v20261130.1")] = 1,
            [("versions", "v20261130.2")] = -19,
            [("versions.other", "other")] = 3,
        });

        var rows = Publication.Release(s_day, counts, s_budget, k: 5, noise);

        // .1: 11 + 1 = 12 reaches the label threshold 12; .2: 30 - 19 = 11 does not, though its true count is far above it.
        // The unnamed clusters (30 + 1 + 2 unknown labels) get one fresh draw for "other": 33 + 3.
        Assert.Equal([("other", 36L), ("v20261130.1", 12L)], rows.Where(row => row.Metric == "versions").Select(row => (row.Bucket, row.Clusters)));
        Assert.Equal(
            [("versions", "v20261130.1"), ("versions", "v20261130.2"), ("versions", "v20261130.3"), ("versions.other", "other")],
            noise.Draws.Where(draw => draw.Statistic.StartsWith("versions", StringComparison.Ordinal)).Select(draw => (draw.Statistic, draw.Bucket)));
    }

    [Fact]
    public void Each_number_is_noised_with_its_statistics_sensitivity_and_share_of_epsilon()
    {
        var options = new StatsOptions { EpsilonPerDay = 2, K = 5, MaxAppsPerCluster = 50, MaxJobsPerCluster = 70 };
        var budget = PrivacyBudget.Of(options, options.MaxAppsPerCluster, options.MaxJobsPerCluster);
        AggregateCount[] counts = [Count("versions", "v20261130.1", 100), new(s_day, "workloads", "all", 100, 900, 3000, 50, 70)];
        var noise = new ScriptedNoise(new());

        Publication.Release(s_day, counts, budget, k: 5, noise);

        Assert.Equal(
            [
                ("versions", 1L, 0.6), ("versions.other", 1L, 0.2), ("hosts", 1L, 0.3), ("databases", 4L, 0.3),
                ("workloads.clusters", 1L, 0.2), ("workloads.apps", 50L, 0.2), ("workloads.jobs", 70L, 0.2),
            ],
            noise.Draws.Select(draw => (draw.Statistic, draw.Sensitivity, draw.Epsilon)).Distinct());
    }

    [Fact]
    public void Noisy_sums_are_shown_with_their_days_clusters_and_never_below_zero()
    {
        AggregateCount[] counts = [new(s_day, "workloads", "all", 10, 3, 5, 10, 10)];
        var noise = new ScriptedNoise(new() { [("workloads.apps", "all")] = -8, [("workloads.jobs", "all")] = 2, [("workloads.clusters", "all")] = -1 });

        var row = Assert.Single(Publication.Release(s_day, counts, s_budget, k: 5, noise));

        Assert.Equal((9L, 0L, 7L), (row.Clusters, row.Apps, row.Jobs));
    }

    [Fact]
    public void K_below_two_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Publication.Release(s_day, [], s_budget, k: 1, new ScriptedNoise(new())));
    }

    private static AggregateCount Count(string metric, string bucket, long clusters) => new(s_day, metric, bucket, clusters, 0, 0);

    private static StatsRow Row(ImmutableArray<StatsRow> rows, string metric, string bucket) => rows.Single(row => row.Metric == metric && row.Bucket == bucket);

    /// <summary>Noise as scripted per statistic and bucket (zero otherwise), every draw recorded.</summary>
    private sealed class ScriptedNoise(Dictionary<(string, string), long> script) : IStatsNoise
    {
        public List<(string Statistic, string Bucket, long Sensitivity, double Epsilon)> Draws { get; } = [];

        public long Draw(string statistic, string bucket, long sensitivity, double epsilon)
        {
            Draws.Add((statistic, bucket, sensitivity, epsilon));
            return script.GetValueOrDefault((statistic, bucket));
        }
    }
}
