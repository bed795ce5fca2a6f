using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Stats;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// The projection of reports into the public aggregates (owns <see cref="ClusterState.CountedDay"/>). The unit of
/// privacy is one cluster-day: only the first stored report of a day is projected (one bucket per metric; up to four
/// database kinds), so what a cluster reports later that day, whatever version label it carries, changes no aggregate.
/// The aggregates count distinct clusters without ever holding an id.
/// </summary>
public sealed class ClusterAggregates(SubjectDocument<ClusterState> document, AggregateProjector aggregates)
{
    /// <summary>
    /// Marks the day counted in the state first (at most once: a crash after it undercounts, never counts twice; a
    /// conflict decides again on what another activation stored), then hands the report to the silo's projector, which
    /// writes its buckets in a batch later. Only the first report of a day writes the state.
    /// </summary>
    /// <returns>Whether this report was the day's first, and projected.</returns>
    public async Task<bool> ProjectAsync(ClusterReport report, DateTimeOffset at)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        if (document.State.CountedDay == day)
        {
            return false;
        }

        var first = await document.UpdateAsync(_ =>
        {
            if (document.State.CountedDay == day)
            {
                return (false, false);
            }

            document.State.CountedDay = day;
            return (true, true);
        });
        if (first)
        {
            aggregates.AddFirstReport(report, day);
        }

        return first;
    }

    /// <summary>
    /// Marks the day counted inside another write of <paramref name="current"/> (a new cluster's first, so it is its
    /// only write); <c>true</c> if this report is the day's first, to be handed over by <see cref="Project"/> once stored.
    /// </summary>
    public static bool MarkCounted(ClusterState current, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(current);
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        if (current.CountedDay == day)
        {
            return false;
        }

        current.CountedDay = day;
        return true;
    }

    /// <summary>Hands a stored report whose day <see cref="MarkCounted"/> marked to the silo's projector.</summary>
    public void Project(ClusterReport report, DateTimeOffset at) => aggregates.AddFirstReport(report, DateOnly.FromDateTime(at.UtcDateTime));
}
