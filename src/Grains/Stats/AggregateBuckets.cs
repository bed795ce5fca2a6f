using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using PrimeDirective.Grains.Interfaces.Clusters;

namespace PrimeDirective.Grains.Stats;

/// <summary>
/// One increment of an aggregate: distinct clusters in a bucket on a day, and what they brought. No identifier.
/// <paramref name="AppsBound"/> and <paramref name="JobsBound"/> are the largest bound any cluster's apps and jobs were
/// clamped to: the sensitivity of their sums.
/// </summary>
public sealed record AggregateCount(DateOnly Day, string Metric, string Bucket, long Clusters, long Apps, long Jobs, long AppsBound = 0, long JobsBound = 0)
{
    /// <summary>This increment and <paramref name="more"/> of the same bucket, summed.</summary>
    public AggregateCount Plus(AggregateCount more)
    {
        ArgumentNullException.ThrowIfNull(more);
        return this with
        {
            Clusters = Clusters + more.Clusters,
            Apps = Apps + more.Apps,
            Jobs = Jobs + more.Jobs,
            AppsBound = Math.Max(AppsBound, more.AppsBound),
            JobsBound = Math.Max(JobsBound, more.JobsBound),
        };
    }
}

/// <summary>
/// The non-personal facts a cluster's first report of a day projects into the aggregates: its Flynn version, host-count
/// range, the database kinds in use and its running apps and jobs (each clamped to a bound). Nothing else of the
/// report is read: no id, no address, no other metric.
/// </summary>
public static partial class AggregateBuckets
{
    public const string Versions = "versions";

    public const string Hosts = "hosts";

    public const string Databases = "databases";

    public const string Workloads = "workloads";

    /// <summary>The bucket that collects what may not be named: unknown version labels, buckets over the cap, hidden buckets.</summary>
    public const string Other = "other";

    /// <summary>The one bucket of <see cref="Workloads"/>.</summary>
    public const string All = "all";

    public static readonly string[] Metrics = [Versions, Hosts, Databases, Workloads];

    /// <summary>Every host-count range, whether or not a cluster is in it: a fixed domain, each noised every day.</summary>
    public static readonly ImmutableArray<string> HostRanges = ["1", "2-3", "4-7", "8-15", "16-31", "32-63", "64+"];

    /// <summary>Every database kind: a fixed domain; a cluster can count in each, so the noise's scale is their number over ε.</summary>
    public static readonly ImmutableArray<string> DatabaseKinds = ["postgres", "mongodb", "mysql", "redis"];

    /// <summary>The increments of a cluster's first report on <paramref name="day"/>, its apps and jobs clamped to the bounds.</summary>
    public static IEnumerable<AggregateCount> Of(ClusterReport report, DateOnly day, long appsBound, long jobsBound)
    {
        ArgumentNullException.ThrowIfNull(report);

        // Only release labels (vYYYYMMDD.N): a version field that carried anything else, even an id, never reaches a row.
        yield return new AggregateCount(day, Versions, ReleaseLabel().IsMatch(report.Version) ? report.Version : Other, 1, 0, 0);
        if (report.Usage.TryGetValue("hosts", out var hosts) && hosts >= 1)
        {
            yield return new AggregateCount(day, Hosts, HostRange(hosts), 1, 0, 0);
        }

        foreach (var kind in DatabaseKinds)
        {
            if (report.Usage.TryGetValue($"{kind}_dbs", out var count) && count >= 1)
            {
                yield return new AggregateCount(day, Databases, kind, 1, 0, 0);
            }
        }

        yield return new AggregateCount(
            day, Workloads, All, 1, Clamp(report.Usage.GetValueOrDefault("running_apps"), appsBound), Clamp(report.Usage.GetValueOrDefault("running_jobs"), jobsBound),
            appsBound, jobsBound);
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

    /// <summary>One cluster's contribution to a sum: a whole number in [0, bound], so one cluster-day moves the sum by at most the bound.</summary>
    private static long Clamp(double value, long bound) => double.IsFinite(value) && value > 0 ? (long)Math.Min(Math.Floor(value), bound) : 0;

    [GeneratedRegex("^v[0-9]{8}\\.[0-9]{1,6}$")]
    private static partial Regex ReleaseLabel();
}
