using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using PrimeDirective.Grains.Interfaces.Stats;

namespace PrimeDirective.Grains.Stats;

/// <summary>
/// What may be published of the aggregates. k-anonymity: a bucket with fewer than k distinct clusters is never shown.
/// In a metric that splits the day's clusters (versions, hosts), the suppressed buckets are merged into <c>other</c>,
/// and while <c>other</c> is still below k the smallest shown buckets join it; so every number shown is at least k and
/// the shown buckets always add up to the day's total: no suppressed count is left to find by subtraction. Then,
/// optionally, Laplace noise (scale 1/ε) on every number shown.
/// </summary>
public static class Publication
{
    /// <summary>The release of <paramref name="counts"/> (raw rows, one per day, metric and bucket).</summary>
    public static ImmutableArray<StatsRow> Release(IEnumerable<AggregateCount> counts, int k, DifferentialPrivacyOptions privacy, byte[] noiseKey)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(privacy);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, StatsOptions.MinimumK);
        var rows = ImmutableArray.CreateBuilder<StatsRow>();
        foreach (var group in counts.GroupBy(count => (count.Day, count.Metric)).OrderBy(group => group.Key.Day).ThenBy(group => group.Key.Metric, StringComparer.Ordinal))
        {
            var shown = AggregateBuckets.Partitions.Contains(group.Key.Metric) ? Partition([.. group], k) : [.. group.Where(count => count.Clusters >= k)];
            foreach (var count in shown.OrderBy(count => count.Bucket, StringComparer.Ordinal))
            {
                var workload = count.Metric == AggregateBuckets.Workloads;
                rows.Add(privacy.Enabled
                    ? new StatsRow(count.Day, count.Metric, count.Bucket, Noised(count, "clusters", count.Clusters, privacy, noiseKey),
                        workload ? Noised(count, "apps", count.Apps, privacy, noiseKey) : null, workload ? Noised(count, "jobs", count.Jobs, privacy, noiseKey) : null)
                    : new StatsRow(count.Day, count.Metric, count.Bucket, count.Clusters, workload ? count.Apps : null, workload ? count.Jobs : null));
            }
        }

        return rows.ToImmutable();
    }

    /// <summary>Shown buckets of a partition: each at least k, the suppressed ones (and as many small ones as needed) merged into <c>other</c>.</summary>
    private static List<AggregateCount> Partition(List<AggregateCount> buckets, int k)
    {
        // Buckets already named "other" (unknown version labels) are never shown on their own.
        var hidden = buckets.Where(bucket => bucket.Clusters < k || bucket.Bucket == AggregateBuckets.Other).ToList();
        var shown = buckets.Except(hidden).OrderBy(bucket => bucket.Clusters).ThenBy(bucket => bucket.Bucket, StringComparer.Ordinal).ToList();
        while (hidden.Count > 0 && hidden.Sum(bucket => bucket.Clusters) < k && shown.Count > 0)
        {
            hidden.Add(shown[0]);
            shown.RemoveAt(0);
        }

        var other = hidden.Sum(bucket => bucket.Clusters);
        if (other >= k)
        {
            shown.Add(new AggregateCount(buckets[0].Day, buckets[0].Metric, AggregateBuckets.Other, other, 0, 0));
        }

        return shown;
    }

    private static long Noised(AggregateCount count, string field, long value, DifferentialPrivacyOptions privacy, byte[] noiseKey)
    {
        var noise = LaplaceNoise.Sample(noiseKey, $"{count.Day:yyyy-MM-dd}|{count.Metric}|{count.Bucket}|{field}", 1 / privacy.Epsilon);
        return Math.Max(0, (long)Math.Round(value + noise, MidpointRounding.AwayFromZero));
    }
}

/// <summary>
/// Laplace noise drawn deterministically from a key and a label: the same cell of the same release always gets the same
/// noise (asking again cannot average it away), and a fixed key makes it reproducible.
/// </summary>
public static class LaplaceNoise
{
    /// <summary>A draw of Laplace(0, <paramref name="scale"/>): mean 0, mean absolute value <paramref name="scale"/>.</summary>
    public static double Sample(byte[] key, string label, double scale)
    {
        var hash = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(label));

        // 53 random bits, strictly inside (0, 1).
        var u = ((BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11) + 0.5) / (1UL << 53);
        return u < 0.5 ? scale * Math.Log(2 * u) : -scale * Math.Log(2 * (1 - u));
    }
}
