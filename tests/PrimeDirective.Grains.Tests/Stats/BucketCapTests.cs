using PrimeDirective.Grains.Stats;

namespace PrimeDirective.Grains.Tests.Stats;

/// <summary>The cap on distinct buckets per metric and day.</summary>
public sealed class BucketCapTests
{
    private static readonly DateOnly s_day = new(2026, 11, 30);

    [Fact]
    public void Beyond_the_cap_new_buckets_count_as_other_while_held_ones_and_other_metrics_and_days_keep_counting()
    {
        (DateOnly, string, string)[] held = [(s_day, "versions", "v20261130.1"), (s_day, "versions", "v20261130.2"), (s_day, "versions", "other")];
        AggregateCount[] increments =
        [
            Count(s_day, "versions", "v20261130.1"), Count(s_day, "versions", "v20261130.3"), Count(s_day, "versions", "v20261130.4"),
            Count(s_day, "versions", "v20261130.5"), Count(s_day, "versions", "v20261130.5"), Count(s_day, "hosts", "2-3"),
            Count(s_day.AddDays(1), "versions", "v20261130.6"),
        ];

        var admitted = BucketCap.Apply(held, increments, cap: 3);

        // Two named buckets held (other does not count): one more new one fits, .4 and both .5 go to other.
        Assert.Equal(
            [
                (s_day, "versions", "v20261130.1", 1L), (s_day, "versions", "v20261130.3", 1L), (s_day, "versions", "other", 3L),
                (s_day, "hosts", "2-3", 1L), (s_day.AddDays(1), "versions", "v20261130.6", 1L),
            ],
            admitted.Select(count => (count.Day, count.Metric, count.Bucket, count.Clusters)));
        Assert.Equal(increments.Sum(count => count.Clusters), admitted.Sum(count => count.Clusters));
        Assert.Equal(increments.Sum(count => count.Apps), admitted.Sum(count => count.Apps));
    }

    private static AggregateCount Count(DateOnly day, string metric, string bucket) => new(day, metric, bucket, 1, 2, 3);
}
