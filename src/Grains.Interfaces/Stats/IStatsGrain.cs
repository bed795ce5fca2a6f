using System.Collections.Immutable;

namespace PrimeDirective.Grains.Interfaces.Stats;

/// <summary>One published aggregate: how many distinct clusters were in a bucket on a day, and what they brought.</summary>
/// <param name="Day">The day (UTC).</param>
/// <param name="Metric"><c>versions</c>, <c>hosts</c>, <c>databases</c> or <c>workloads</c>.</param>
/// <param name="Bucket">The bucket within the metric (a Flynn version, a host-count range, a database kind, <c>all</c>, <c>other</c>).</param>
/// <param name="Clusters">Distinct clusters counted (never fewer than k).</param>
/// <param name="Apps">Total running apps (<c>workloads</c> only).</param>
/// <param name="Jobs">Total running jobs (<c>workloads</c> only).</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.StatsRow")]
public sealed record StatsRow(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] string Metric,
    [property: Id(2)] string Bucket,
    [property: Id(3)] long Clusters,
    [property: Id(4)] long? Apps,
    [property: Id(5)] long? Jobs);

/// <summary>A release of the public aggregates: the rows, and how they were protected.</summary>
/// <param name="From">First day included.</param>
/// <param name="To">Last day included.</param>
/// <param name="K">The k of k-anonymity: buckets with fewer distinct clusters were suppressed.</param>
/// <param name="DifferentialPrivacy">Whether Laplace noise was added to the published numbers.</param>
/// <param name="Epsilon">The ε of the noise, when it was added.</param>
/// <param name="Rows">The published rows.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.StatsRelease")]
public sealed record StatsRelease(
    [property: Id(0)] DateOnly From,
    [property: Id(1)] DateOnly To,
    [property: Id(2)] int K,
    [property: Id(3)] bool DifferentialPrivacy,
    [property: Id(4)] double? Epsilon,
    [property: Id(5)] ImmutableArray<StatsRow> Rows);

/// <summary>Publishes the aggregates (stateless: any silo answers).</summary>
[Alias("PrimeDirective.IStatsGrain")]
public interface IStatsGrain : IGrainWithIntegerKey
{
    /// <summary>The release for days <paramref name="firstDay"/> to <paramref name="lastDay"/>, optionally one metric: k-anonymous, noised if configured.</summary>
    [Alias("Release")]
    Task<StatsRelease> ReleaseAsync(DateOnly firstDay, DateOnly lastDay, string? metric);
}
