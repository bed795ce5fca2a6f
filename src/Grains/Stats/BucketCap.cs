namespace PrimeDirective.Grains.Stats;

/// <summary>
/// The cap on distinct buckets per metric and day: a script that reports ever new version labels cannot grow the
/// aggregates without bound. A bucket not yet held once the cap is reached is counted in <c>other</c> instead.
/// </summary>
public static class BucketCap
{
    /// <summary>
    /// <paramref name="increments"/> with every bucket beyond the cap renamed <c>other</c> and summed per bucket, given the
    /// buckets already <paramref name="held"/>. <c>other</c> itself is always allowed and is not counted against the cap.
    /// </summary>
    public static IReadOnlyCollection<AggregateCount> Apply(IEnumerable<(DateOnly Day, string Metric, string Bucket)> held, IEnumerable<AggregateCount> increments, int cap)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(increments);
        ArgumentOutOfRangeException.ThrowIfNegative(cap);
        var named = new Dictionary<(DateOnly, string), HashSet<string>>();
        foreach (var (day, metric, bucket) in held)
        {
            if (bucket != AggregateBuckets.Other)
            {
                NamedOf(named, day, metric).Add(bucket);
            }
        }

        var admitted = new Dictionary<(DateOnly, string, string), AggregateCount>();
        foreach (var increment in increments)
        {
            var buckets = NamedOf(named, increment.Day, increment.Metric);
            var bucket = increment.Bucket;
            if (bucket != AggregateBuckets.Other && !buckets.Contains(bucket))
            {
                if (buckets.Count < cap)
                {
                    buckets.Add(bucket);
                }
                else
                {
                    bucket = AggregateBuckets.Other;
                }
            }

            var key = (increment.Day, increment.Metric, bucket);
            var renamed = increment with { Bucket = bucket };
            admitted[key] = admitted.TryGetValue(key, out var sum) ? sum.Plus(renamed) : renamed;
        }

        return admitted.Values;
    }

    private static HashSet<string> NamedOf(Dictionary<(DateOnly, string), HashSet<string>> named, DateOnly day, string metric)
    {
        if (!named.TryGetValue((day, metric), out var buckets))
        {
            buckets = new HashSet<string>(StringComparer.Ordinal);
            named[(day, metric)] = buckets;
        }

        return buckets;
    }
}
