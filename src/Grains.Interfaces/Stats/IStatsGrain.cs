using System.Collections.Immutable;
using Orleans.Concurrency;

namespace PrimeDirective.Grains.Interfaces.Stats;

/// <summary>One published aggregate: how many distinct clusters were in a bucket on a day, and what they brought.</summary>
/// <param name="Day">The day (UTC).</param>
/// <param name="Metric"><c>versions</c>, <c>hosts</c>, <c>databases</c> or <c>workloads</c>.</param>
/// <param name="Bucket">The bucket within the metric (a Flynn version, a host-count range, a database kind, <c>all</c>, <c>other</c>).</param>
/// <param name="Clusters">Distinct clusters counted, noised (shown only when the noisy count reached the statistic's threshold).</param>
/// <param name="Apps">Total running apps, noised (<c>workloads</c> only).</param>
/// <param name="Jobs">Total running jobs, noised (<c>workloads</c> only).</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.StatsRow")]
public sealed record StatsRow(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] string Metric,
    [property: Id(2)] string Bucket,
    [property: Id(3)] long Clusters,
    [property: Id(4)] long? Apps,
    [property: Id(5)] long? Jobs);

/// <summary>What one statistic of a day's release spent and needed.</summary>
/// <param name="Statistic">One of <see cref="StatsStatistics.All"/>.</param>
/// <param name="Epsilon">The ε this statistic spent on the day (its fixed share of the day's ε).</param>
/// <param name="Sensitivity">How much one cluster-day can change the statistic (the noise's scale is this over ε).</param>
/// <param name="Threshold">The noisy count a bucket needs to be shown; none for sums shown with their bucket.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.StatsBudget")]
public sealed record StatsBudget(
    [property: Id(0)] string Statistic,
    [property: Id(1)] double Epsilon,
    [property: Id(2)] long Sensitivity,
    [property: Id(3)] long? Threshold);

/// <summary>How one closed day was released: once, with its own k, ε and δ.</summary>
/// <param name="Day">The day (UTC).</param>
/// <param name="ReleasedAt">When it was released (never changed after).</param>
/// <param name="K">Buckets whose noisy count stayed below k were not shown.</param>
/// <param name="Epsilon">The day's ε: the sum over its statistics.</param>
/// <param name="Delta">δ: the chance a version label brought by fewer than k clusters was named anyway.</param>
/// <param name="Budget">Each statistic's ε, sensitivity and threshold.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.StatsDay")]
public sealed record StatsDay(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] DateTimeOffset ReleasedAt,
    [property: Id(2)] int K,
    [property: Id(3)] double Epsilon,
    [property: Id(4)] double Delta,
    [property: Id(5)] ImmutableArray<StatsBudget> Budget);

/// <summary>The published aggregates of a range of days: the rows of each released day, and how each was protected.</summary>
/// <param name="From">First day included.</param>
/// <param name="To">Last day included.</param>
/// <param name="K">The smallest k of the days included (the configured k when none was released).</param>
/// <param name="DifferentialPrivacy">Whether noise was added (always: every release is noised).</param>
/// <param name="Epsilon">The largest ε per day of the days included (the configured ε when none was released).</param>
/// <param name="Rows">The published rows.</param>
/// <param name="Days">The released days in the range, each with its k, ε per statistic and δ; unreleased days are absent.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.StatsRelease")]
public sealed record StatsRelease(
    [property: Id(0)] DateOnly From,
    [property: Id(1)] DateOnly To,
    [property: Id(2)] int K,
    [property: Id(3)] bool DifferentialPrivacy,
    [property: Id(4)] double? Epsilon,
    [property: Id(5)] ImmutableArray<StatsRow> Rows,
    [property: Id(6)] ImmutableArray<StatsDay> Days);

/// <summary>The statistics a day's release spends ε on, and which of them a published number belongs to.</summary>
public static class StatsStatistics
{
    /// <summary>Named version labels.</summary>
    public const string Versions = "versions";

    /// <summary>Clusters of a version no label was shown for.</summary>
    public const string VersionsOther = "versions.other";

    /// <summary>Clusters per host-count range.</summary>
    public const string Hosts = "hosts";

    /// <summary>Clusters per database kind in use.</summary>
    public const string Databases = "databases";

    /// <summary>Clusters reporting on the day.</summary>
    public const string WorkloadClusters = "workloads.clusters";

    /// <summary>Running apps, summed.</summary>
    public const string WorkloadApps = "workloads.apps";

    /// <summary>Running jobs, summed.</summary>
    public const string WorkloadJobs = "workloads.jobs";

    /// <summary>Every statistic, in the order releases state them.</summary>
    public static readonly ImmutableArray<string> All = [Versions, VersionsOther, Hosts, Databases, WorkloadClusters, WorkloadApps, WorkloadJobs];

    /// <summary>The statistic a row's cluster count belongs to.</summary>
    public static string OfClusters(string metric, string bucket) => metric switch
    {
        "versions" => bucket == "other" ? VersionsOther : Versions,
        "workloads" => WorkloadClusters,
        _ => metric,
    };
}

/// <summary>The days a request for the aggregates may cover.</summary>
public static class StatsWindow
{
    /// <summary>Days one answer may cover at most.</summary>
    public const int MaxDays = 366;

    /// <summary>Days an answer covers when its start is not given.</summary>
    public const int DefaultDays = 30;
}

/// <summary>Publishes the aggregates (stateless: any silo answers).</summary>
[Alias("PrimeDirective.IStatsGrain")]
public interface IStatsGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The released days between <paramref name="firstDay"/> and <paramref name="lastDay"/>, optionally one metric. Without
    /// <paramref name="lastDay"/>, up to the latest released day; without <paramref name="firstDay"/>,
    /// <see cref="StatsWindow.DefaultDays"/> days before it. Today and days not yet released are never included.
    /// </summary>
    [Alias("Published")]
    [ReadOnly]
    Task<StatsRelease> PublishedAsync(DateOnly? firstDay, DateOnly? lastDay, string? metric);
}
