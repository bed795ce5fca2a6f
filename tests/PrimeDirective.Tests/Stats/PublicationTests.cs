using System.Text;
using PrimeDirective.Grains.Stats;

namespace PrimeDirective.Tests.Stats;

/// <summary>The release rules on their own: k-anonymity that subtraction cannot undo, and the Laplace mechanism.</summary>
public sealed class PublicationTests
{
    private static readonly DateOnly s_day = new(2026, 11, 30);
    private static readonly DifferentialPrivacyOptions s_off = new();
    private static readonly byte[] s_key = Encoding.UTF8.GetBytes("fixed test seed");

    [Fact]
    public void A_bucket_below_k_is_suppressed_and_one_at_k_is_published()
    {
        AggregateCount[] counts = [Count("databases", "redis", 4), Count("databases", "postgres", 5)];

        var rows = Publication.Release(counts, k: 5, s_off, s_key);

        Assert.Equal(5, Assert.Single(rows).Clusters);
        Assert.Equal("postgres", rows[0].Bucket);
    }

    [Fact]
    public void A_suppressed_bucket_cannot_be_derived_by_subtracting_published_numbers()
    {
        // 10 clusters: 7 run version A, 3 run version B; all have 2-3 hosts; the day's workloads count all 10.
        AggregateCount[] counts =
        [
            Count("versions", "v20261130.1", 7), Count("versions", "v20261130.2", 3), Count("hosts", "2-3", 10),
            new(s_day, "workloads", "all", 10, 40, 90),
        ];

        var rows = Publication.Release(counts, k: 5, s_off, s_key);

        Assert.DoesNotContain(rows, row => row.Bucket == "v20261130.2");
        Assert.All(rows, row => Assert.True(row.Clusters >= 5, $"{row.Metric}/{row.Bucket} shows {row.Clusters}"));

        // The attack: every published number, and every difference of a number and a sum of others, never yields B's 3.
        var numbers = rows.Select(row => row.Clusters).ToList();
        var derivable = new HashSet<long>(numbers);
        for (var mask = 1; mask < 1 << numbers.Count; mask++)
        {
            var sum = Enumerable.Range(0, numbers.Count).Where(bit => (mask & (1 << bit)) != 0).Sum(bit => numbers[bit]);
            foreach (var total in numbers)
            {
                derivable.Add(total - sum);
                derivable.Add(sum);
            }
        }

        Assert.DoesNotContain(3L, derivable);
        Assert.DoesNotContain(7L, derivable);

        // What is published still adds up: versions show "other" = 10, the same as the hosts and workloads totals.
        Assert.Equal(10, rows.Single(row => row.Metric == "versions").Clusters);
        Assert.Equal("other", rows.Single(row => row.Metric == "versions").Bucket);
    }

    [Fact]
    public void Suppressed_buckets_of_a_partition_that_reach_k_together_are_published_as_other()
    {
        AggregateCount[] counts = [Count("versions", "v20261130.1", 5), Count("versions", "v20261130.2", 2), Count("versions", "v20261130.3", 3)];

        var rows = Publication.Release(counts, k: 5, s_off, s_key);

        Assert.Equal([("other", 5L), ("v20261130.1", 5L)], rows.Select(row => (row.Bucket, row.Clusters)));
    }

    [Fact]
    public void Fewer_than_k_clusters_in_all_publish_nothing()
    {
        AggregateCount[] counts = [Count("versions", "v20261130.1", 3), Count("hosts", "1", 3), new(s_day, "workloads", "all", 3, 1, 1)];

        Assert.Empty(Publication.Release(counts, k: 5, s_off, s_key));
    }

    [Fact]
    public void K_below_two_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Publication.Release([], k: 1, s_off, s_key));
    }

    [Fact]
    public void With_a_fixed_seed_the_Laplace_noise_has_mean_zero_and_mean_absolute_value_one_over_epsilon()
    {
        const double epsilon = 0.5;
        var draws = Enumerable.Range(0, 20_000).Select(i => LaplaceNoise.Sample(s_key, $"cell-{i}", 1 / epsilon)).ToList();

        Assert.InRange(draws.Average(), -0.05, 0.05);
        Assert.InRange(draws.Average(Math.Abs), 2 * 0.97, 2 * 1.03);

        // Laplace(b): P(|X| > b·ln 20) = 5 %.
        Assert.InRange(draws.Count(draw => Math.Abs(draw) > 2 * Math.Log(20)) / 20_000.0, 0.045, 0.055);

        // Reproducible: the same key and cell give the same noise.
        Assert.Equal(draws[17], LaplaceNoise.Sample(s_key, "cell-17", 1 / epsilon));
    }

    [Fact]
    public void With_DP_off_counts_are_exact_and_with_DP_on_they_are_noised_the_same_way_every_time()
    {
        var counts = Enumerable.Range(0, 40).Select(i => Count("databases", $"kind-{i}", 100 + i)).ToArray();
        var on = new DifferentialPrivacyOptions { Enabled = true, Epsilon = 0.1 };

        var exact = Publication.Release(counts, k: 5, s_off, s_key);
        var noised = Publication.Release(counts, k: 5, on, s_key);

        Assert.Equal(counts.Select(count => (count.Bucket, count.Clusters)).Order(), exact.Select(row => (row.Bucket, row.Clusters)).Order());
        Assert.Contains(noised, row => row.Clusters != counts.Single(count => count.Bucket == row.Bucket).Clusters);
        Assert.Equal(noised.Select(row => (row.Bucket, row.Clusters)), Publication.Release(counts, k: 5, on, s_key).Select(row => (row.Bucket, row.Clusters)));
    }

    private static AggregateCount Count(string metric, string bucket, long clusters) => new(s_day, metric, bucket, clusters, 0, 0);
}
