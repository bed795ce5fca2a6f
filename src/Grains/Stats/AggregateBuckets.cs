using System.Globalization;
using System.Text.RegularExpressions;
using PrimeDirective.Grains.Interfaces.Clusters;

namespace PrimeDirective.Grains.Stats;

/// <summary>One increment of an aggregate: +1 distinct cluster in a bucket on a day, and what it brought. No identifier.</summary>
public sealed record AggregateCount(DateOnly Day, string Metric, string Bucket, long Clusters, long Apps, long Jobs)
{
    /// <summary>The bucket's name as the cluster grain remembers it: <c>metric/bucket</c>.</summary>
    public string Name => $"{Metric}/{Bucket}";
}

/// <summary>
/// The non-personal facts a report projects into the aggregates: its Flynn version, host-count range, the database
/// kinds in use and its running apps and jobs. Nothing else of the report is read: no id, no address, no other metric.
/// </summary>
public static partial class AggregateBuckets
{
    public const string Versions = "versions";

    public const string Hosts = "hosts";

    public const string Databases = "databases";

    public const string Workloads = "workloads";

    /// <summary>The bucket that collects what may not be named: unknown version labels, and suppressed buckets merged.</summary>
    public const string Other = "other";

    public static readonly string[] Metrics = [Versions, Hosts, Databases, Workloads];

    /// <summary>Metrics whose buckets split the day's clusters (each cluster in one bucket): suppression must hide their totals too.</summary>
    public static readonly string[] Partitions = [Versions, Hosts];

    private static readonly string[] s_databaseKinds = ["postgres", "mongodb", "mysql", "redis"];

    /// <summary>The increments of one report on <paramref name="day"/>.</summary>
    public static IEnumerable<AggregateCount> Of(ClusterReport report, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(report);

        // Only release labels (vYYYYMMDD.N): a version field that carried anything else, even an id, never reaches a row.
        yield return new AggregateCount(day, Versions, ReleaseLabel().IsMatch(report.Version) ? report.Version : Other, 1, 0, 0);
        if (report.Usage.TryGetValue("hosts", out var hosts) && hosts >= 1)
        {
            yield return new AggregateCount(day, Hosts, HostRange(hosts), 1, 0, 0);
        }

        foreach (var kind in s_databaseKinds)
        {
            if (report.Usage.TryGetValue($"{kind}_dbs", out var count) && count >= 1)
            {
                yield return new AggregateCount(day, Databases, kind, 1, 0, 0);
            }
        }

        yield return new AggregateCount(day, Workloads, "all", 1, Whole(report.Usage.GetValueOrDefault("running_apps")), Whole(report.Usage.GetValueOrDefault("running_jobs")));
    }

    /// <summary>Powers of two: 1, 2-3, 4-7 ... 32-63, 64+.</summary>
    public static string HostRange(double hosts)
    {
        var lower = 1L;
        while (lower * 2 <= hosts && lower < 64)
        {
            lower *= 2;
        }

        return lower >= 64 ? "64+" : lower == 1 ? "1" : string.Create(CultureInfo.InvariantCulture, $"{lower}-{(lower * 2) - 1}");
    }

    private static long Whole(double value) => double.IsFinite(value) && value > 0 ? (long)Math.Min(value, 1_000_000) : 0;

    [GeneratedRegex("^v[0-9]{8}\\.[0-9]{1,6}$")]
    private static partial Regex ReleaseLabel();
}
