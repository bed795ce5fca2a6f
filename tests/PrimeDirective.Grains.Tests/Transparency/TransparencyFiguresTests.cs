using PrimeDirective.Grains.Interfaces.Transparency;
using PrimeDirective.Grains.Transparency;

namespace PrimeDirective.Grains.Tests.Transparency;

/// <summary>The report's arithmetic: half-years by UTC, closed ones only, gags as bands of 250, medians of whole days.</summary>
public sealed class TransparencyFiguresTests
{
    private static readonly DateTimeOffset s_now = new(2031, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2030-06-30T23:59:59Z", "2030-H1")]
    [InlineData("2030-07-01T00:00:00Z", "2030-H2")]
    [InlineData("2030-07-01T01:00:00+02:00", "2030-H1")]
    [InlineData("2030-12-31T23:59:59Z", "2030-H2")]
    public void A_half_year_is_named_by_the_UTC_instant(string at, string period) =>
        Assert.Equal(period, HalfYears.Of(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(0, "0-249")]
    [InlineData(1, "0-249")]
    [InlineData(249, "0-249")]
    [InlineData(250, "250-499")]
    [InlineData(1234, "1000-1249")]
    public void Gags_are_published_as_a_band_of_250(long count, string band) => Assert.Equal(band, TransparencyFigures.Band(count));

    [Fact]
    public void The_median_weighs_each_day_by_its_count_and_averages_the_middle_two()
    {
        Assert.Null(TransparencyFigures.Median([]));
        Assert.Equal(3, TransparencyFigures.Median([(3, 1)]));
        Assert.Equal(1.5, TransparencyFigures.Median([(0, 1), (3, 1)]));
        Assert.Equal(2, TransparencyFigures.Median([(9, 1), (0, 2), (2, 3)]));
        Assert.Equal(5.5, TransparencyFigures.Median([(1, 2), (5, 1), (6, 1), (30, 2)]));
    }

    [Fact]
    public void Only_closed_half_years_are_published_from_the_first_counted_with_empty_ones_between()
    {
        TransparencyTally[] tallies =
        [
            new("2029-H2", TransparencyMeasures.LegalReceived, "court", null, 2),
            new("2029-H2", TransparencyMeasures.LegalRejected, "court", null, 1),
            new("2029-H2", TransparencyMeasures.LegalGagged, string.Empty, null, 251),
            new("2030-H2", TransparencyMeasures.RequestReceived, SubjectRequestKinds.Erasure, null, 3),
            new("2030-H2", TransparencyMeasures.RequestCompleted, SubjectRequestKinds.Erasure, 4, 2),
            new("2030-H2", TransparencyMeasures.RequestDenied, SubjectRequestKinds.ChildRemoval, null, 1),
            new("2031-H1", TransparencyMeasures.LegalReceived, "court", null, 7),
        ];
        BreachCount[] breaches = [new(new(2030, 1, 5, 0, 0, 0, TimeSpan.Zero), 40), new(new(2030, 6, 1, 0, 0, 0, TimeSpan.Zero), 2), new(s_now.AddDays(-1), 99)];

        var report = TransparencyFigures.Build(tallies, breaches, s_now);

        Assert.Equal(["2029-H2", "2030-H1", "2030-H2"], report.HalfYears.Select(half => half.Period));
        var (first, empty, last) = (report.HalfYears[0], report.HalfYears[1], report.HalfYears[2]);
        Assert.Equal((new DateOnly(2029, 7, 1), new DateOnly(2029, 12, 31)), (first.From, first.To));
        Assert.Equal((2L, 1L, 0L, "250-499"), (first.LegalRequests.Received, first.LegalRequests.Rejected, first.LegalRequests.CompliedWith, first.LegalRequests.GaggedBand));
        Assert.Equal(["law-enforcement", "court", "government", "private-party", "other"], first.LegalRequests.ByAuthorityKind.Select(kind => kind.AuthorityKind));
        Assert.Equal(new AuthorityFigures("court", 2, 1, 0), first.LegalRequests.ByAuthorityKind.Single(kind => kind.AuthorityKind == "court"));
        Assert.Equal(new BreachFigures(0, 0), first.Breaches);

        Assert.Equal(new BreachFigures(2, 42), empty.Breaches);
        Assert.Equal((0L, "0-249"), (empty.LegalRequests.Received, empty.LegalRequests.GaggedBand));
        Assert.All(empty.DataSubjectRequests, kind => Assert.Equal(new SubjectRequestFigures(kind.Kind, 0, 0, 0, null), kind));

        Assert.Equal(SubjectRequestKinds.All, last.DataSubjectRequests.Select(kind => kind.Kind));
        Assert.Equal(new SubjectRequestFigures(SubjectRequestKinds.Erasure, 3, 2, 0, 4), last.DataSubjectRequests.Single(kind => kind.Kind == SubjectRequestKinds.Erasure));
        Assert.Equal(new SubjectRequestFigures(SubjectRequestKinds.ChildRemoval, 0, 0, 1, null), last.DataSubjectRequests.Single(kind => kind.Kind == SubjectRequestKinds.ChildRemoval));
        Assert.Equal(new BreachFigures(0, 0), last.Breaches);
        Assert.Equal(s_now, report.AsOf);
    }

    [Fact]
    public void Nothing_closed_yet_publishes_nothing()
    {
        TransparencyTally[] running = [new("2031-H1", TransparencyMeasures.LegalReceived, "court", null, 7)];

        Assert.Empty(TransparencyFigures.Build(running, [new(s_now, 3)], s_now).HalfYears);
        Assert.Empty(TransparencyFigures.Build([], [], s_now).HalfYears);
    }
}
