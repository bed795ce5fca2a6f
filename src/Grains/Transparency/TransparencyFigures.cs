using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Transparency;

namespace PrimeDirective.Grains.Transparency;

/// <summary>A breach as the report counts it: when it was declared and how many people hold its notice.</summary>
/// <param name="DeclaredAt">When it was declared.</param>
/// <param name="PeopleNotified">People notified so far.</param>
public sealed record BreachCount(DateTimeOffset DeclaredAt, long PeopleNotified);

/// <summary>
/// The report's figures from the regions' counts and the breaches: closed half-years only, from the first with anything
/// counted to the last closed one; gags only as a band of 250; medians of whole days.
/// </summary>
public static class TransparencyFigures
{
    /// <summary>The width of a gag band.</summary>
    public const int GagBandWidth = 250;

    /// <summary>The report as of <paramref name="now"/>.</summary>
    public static TransparencyReport Build(IEnumerable<TransparencyTally> tallies, IEnumerable<BreachCount> breaches, DateTimeOffset now)
    {
        var current = HalfYears.Of(now);
        var counted = tallies.Where(tally => Closed(tally.Period, current)).ToList();
        var declared = breaches.Select(breach => (Period: HalfYears.Of(breach.DeclaredAt), breach.PeopleNotified)).Where(breach => Closed(breach.Period, current)).ToList();
        var first = counted.Select(tally => tally.Period).Concat(declared.Select(breach => breach.Period)).Order(StringComparer.Ordinal).FirstOrDefault();
        var halfYears = ImmutableArray.CreateBuilder<TransparencyHalfYear>();
        for (var period = first; period is not null && string.CompareOrdinal(period, current) < 0; period = HalfYears.Next(period))
        {
            var (from, to) = HalfYears.Span(period)!.Value;
            var of = counted.Where(tally => tally.Period == period).ToList();
            var inPeriod = declared.Where(breach => breach.Period == period).ToList();
            halfYears.Add(new TransparencyHalfYear(period, from, to, Legal(of), [.. SubjectRequestKinds.All.Select(kind => Requests(of, kind))],
                new BreachFigures(inPeriod.Count, inPeriod.Sum(breach => breach.PeopleNotified))));
        }

        return new TransparencyReport(halfYears.ToImmutable(), now);
    }

    /// <summary>The band <paramref name="count"/> falls in: <c>0-249</c>, <c>250-499</c>, …</summary>
    public static string Band(long count)
    {
        var low = count / GagBandWidth * GagBandWidth;
        return $"{low}-{low + GagBandWidth - 1}";
    }

    /// <summary>The median of whole days, each weighted by its count; <c>null</c> for none.</summary>
    public static double? Median(IEnumerable<(int Days, long Count)> days)
    {
        var sorted = days.Where(entry => entry.Count > 0).OrderBy(entry => entry.Days).ToList();
        var total = sorted.Sum(entry => entry.Count);
        if (total == 0)
        {
            return null;
        }

        // The values at (1-based) ranks ceil(n/2) and floor(n/2)+1: one value for odd n, the two middle ones for even n.
        return (At(sorted, (total + 1) / 2) + At(sorted, (total / 2) + 1)) / 2.0;
    }

    private static bool Closed(string period, string current) => HalfYears.Span(period) is not null && string.CompareOrdinal(period, current) < 0;

    private static LegalRequestFigures Legal(List<TransparencyTally> of)
    {
        var kinds = WireNames.All<LegalAuthorityKind>().OrderBy(kind => kind == WireNames.Of(LegalAuthorityKind.Other)).ToList();
        var byKind = kinds.Select(kind => new AuthorityFigures(
            kind, Sum(of, TransparencyMeasures.LegalReceived, kind), Sum(of, TransparencyMeasures.LegalRejected, kind), Sum(of, TransparencyMeasures.LegalComplied, kind))).ToImmutableArray();
        return new LegalRequestFigures(
            byKind.Sum(kind => kind.Received), byKind.Sum(kind => kind.Rejected), byKind.Sum(kind => kind.CompliedWith),
            Band(Sum(of, TransparencyMeasures.LegalGagged, null)), byKind);
    }

    private static SubjectRequestFigures Requests(List<TransparencyTally> of, string kind) => new(
        kind,
        Sum(of, TransparencyMeasures.RequestReceived, kind),
        Sum(of, TransparencyMeasures.RequestCompleted, kind),
        Sum(of, TransparencyMeasures.RequestDenied, kind),
        Median(of.Where(tally => tally.Measure == TransparencyMeasures.RequestCompleted && tally.Kind == kind && tally.Days is not null)
            .Select(tally => (tally.Days!.Value, tally.Count))));

    private static long Sum(List<TransparencyTally> of, string measure, string? kind) =>
        of.Where(tally => tally.Measure == measure && (kind is null || tally.Kind == kind)).Sum(tally => tally.Count);

    private static int At(List<(int Days, long Count)> sorted, long rank)
    {
        foreach (var (days, count) in sorted)
        {
            if (rank <= count)
            {
                return days;
            }

            rank -= count;
        }

        return sorted[^1].Days;
    }
}
