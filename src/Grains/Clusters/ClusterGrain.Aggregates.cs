using PrimeDirective.Grains.Interfaces.Clusters;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// The projection of reports into the public aggregates. The unit of privacy is one cluster-day: only the first stored
/// report of a day is projected (one bucket per metric; up to four database kinds), so what a cluster reports later
/// that day, whatever version label it carries, changes no aggregate. The aggregates count distinct clusters without
/// ever holding an id.
/// </summary>
public sealed partial class ClusterGrain
{
    /// <summary>
    /// Marks the day counted in the state first (at most once: a crash after it undercounts, never counts twice), then
    /// hands the report to the silo's projector, which writes its buckets in a batch later: no database round trip of
    /// its own. Only the first report of a day writes the state.
    /// </summary>
    private async Task ProjectAsync(ClusterReport report, DateTimeOffset now)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        if (state.State.CountedDay == day)
        {
            return;
        }

        var first = await UpdateAsync(_ =>
        {
            if (state.State.CountedDay == day)
            {
                return (false, false);
            }

            state.State.CountedDay = day;
            return (true, true);
        });
        if (first)
        {
            aggregates.AddFirstReport(report, day);
        }
    }
}
