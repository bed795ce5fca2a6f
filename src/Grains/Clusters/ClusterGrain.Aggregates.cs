using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Stats;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// The projection of reports into the public aggregates: the grain remembers which buckets it was counted in today, so
/// a cluster counts at most once per bucket per day, and the aggregates count distinct clusters without holding an id.
/// </summary>
public sealed partial class ClusterGrain
{
    /// <summary>Buckets one cluster is counted in per day at most (a report brings about eight).</summary>
    private const int MaxBucketsPerDay = 64;

    /// <summary>
    /// Marks today's new buckets in the state first (at most once: a crash after it undercounts, never counts twice),
    /// then hands them to the silo's projector, which writes them in a batch later: no database round trip of its own.
    /// Only the first report of a day (or one that brings a new bucket) writes the state.
    /// </summary>
    private async Task ProjectAsync(ClusterReport report, DateTimeOffset now)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var increments = AggregateBuckets.Of(report, day).ToList();
        var current = state.State;
        if (current.CountedDay == day && (current.CountedBuckets.Count >= MaxBucketsPerDay ||
            increments.All(increment => current.CountedBuckets.Contains(increment.Name, StringComparer.Ordinal))))
        {
            return;
        }

        var fresh = await UpdateAsync(_ =>
        {
            var counted = state.State;
            if (counted.CountedDay != day)
            {
                counted.CountedDay = day;
                counted.CountedBuckets.Clear();
            }

            // Bounded: a cluster cycling through version labels stops being counted for the day, its state stays small.
            var added = increments.Where(increment => !counted.CountedBuckets.Contains(increment.Name, StringComparer.Ordinal))
                .Take(Math.Max(0, MaxBucketsPerDay - counted.CountedBuckets.Count)).ToList();
            counted.CountedBuckets.AddRange(added.Select(increment => increment.Name));
            return (added.Count > 0, added);
        });
        if (fresh.Count > 0)
        {
            ServiceProvider.GetRequiredService<AggregateProjector>().Add(fresh);
        }
    }
}
