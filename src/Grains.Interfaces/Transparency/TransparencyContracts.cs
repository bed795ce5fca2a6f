using System.Collections.Immutable;
using Orleans.Concurrency;

namespace PrimeDirective.Grains.Interfaces.Transparency;

/// <summary>
/// What a region's transparency log holds: events counted, summed. Nothing names a request or a person: a period, what
/// was counted, a kind, and for a completed request the whole days it took.
/// </summary>
/// <param name="Period">The half-year it was counted in (policy's clock), e.g. <c>2026-H2</c>.</param>
/// <param name="Measure">What was counted (<see cref="TransparencyMeasures"/>).</param>
/// <param name="Kind">The legal request's authority kind or the data-subject request's kind; empty for a gag.</param>
/// <param name="Days">Whole days from receipt to completion, for <see cref="TransparencyMeasures.RequestCompleted"/>.</param>
/// <param name="Count">How many.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.TransparencyTally")]
public sealed record TransparencyTally(
    [property: Id(0)] string Period,
    [property: Id(1)] string Measure,
    [property: Id(2)] string Kind,
    [property: Id(3)] int? Days,
    [property: Id(4)] long Count);

/// <summary>The measures a transparency log counts.</summary>
public static class TransparencyMeasures
{
    /// <summary>A legal request recorded (kind: its authority kind).</summary>
    public const string LegalReceived = "legal-received";

    /// <summary>A legal request received under a gag.</summary>
    public const string LegalGagged = "legal-gagged";

    /// <summary>A legal request decided <c>reject</c>.</summary>
    public const string LegalRejected = "legal-rejected";

    /// <summary>A legal request decided <c>disclose</c>.</summary>
    public const string LegalComplied = "legal-complied";

    /// <summary>A data-subject request received (kind: <see cref="SubjectRequestKinds"/>).</summary>
    public const string RequestReceived = "request-received";

    /// <summary>A data-subject request completed.</summary>
    public const string RequestCompleted = "request-completed";

    /// <summary>A data-subject request denied.</summary>
    public const string RequestDenied = "request-denied";
}

/// <summary>The kinds of data-subject request the report counts, in its order.</summary>
public static class SubjectRequestKinds
{
    /// <summary>A person read or exported what we hold about them.</summary>
    public const string Access = "access";

    /// <summary>A person corrected their data.</summary>
    public const string Correction = "correction";

    /// <summary>A person or a cluster operator (or a controller for a person) asked for erasure.</summary>
    public const string Erasure = "erasure";

    /// <summary>A parent asked us to remove a child's data.</summary>
    public const string ChildRemoval = "child-removal";

    /// <summary>A person withdrew a consent.</summary>
    public const string ConsentWithdrawal = "consent-withdrawal";

    /// <summary>Every kind, in the report's order.</summary>
    public static ImmutableArray<string> All { get; } = [Access, Correction, Erasure, ChildRemoval, ConsentWithdrawal];
}

/// <summary>The public transparency report: one entry per closed half-year, oldest first; the running half-year is never in it.</summary>
/// <param name="HalfYears">Closed half-years, from the first with anything counted to the last closed one.</param>
/// <param name="AsOf">The policy's time when it was read.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.TransparencyReport")]
public sealed record TransparencyReport(
    [property: Id(0)] ImmutableArray<TransparencyHalfYear> HalfYears,
    [property: Id(1)] DateTimeOffset AsOf);

/// <summary>One closed half-year's figures.</summary>
/// <param name="Period"><c>yyyy-H1</c> (January to June) or <c>yyyy-H2</c> (July to December), by the policy's clock in UTC.</param>
/// <param name="From">Its first day.</param>
/// <param name="To">Its last day.</param>
/// <param name="LegalRequests">Requests from governments and lawsuits.</param>
/// <param name="DataSubjectRequests">People's requests, one entry per kind in <see cref="SubjectRequestKinds.All"/>'s order.</param>
/// <param name="Breaches">Breaches declared in it.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.TransparencyHalfYear")]
public sealed record TransparencyHalfYear(
    [property: Id(0)] string Period,
    [property: Id(1)] DateOnly From,
    [property: Id(2)] DateOnly To,
    [property: Id(3)] LegalRequestFigures LegalRequests,
    [property: Id(4)] ImmutableArray<SubjectRequestFigures> DataSubjectRequests,
    [property: Id(5)] BreachFigures Breaches);

/// <summary>Legal requests in a half-year: received, rejected and complied with, in all and by authority kind; gags only as a band.</summary>
/// <param name="Received">Recorded in the half-year.</param>
/// <param name="Rejected">Decided <c>reject</c> in it.</param>
/// <param name="CompliedWith">Decided <c>disclose</c> in it.</param>
/// <param name="GaggedBand">Requests received under a gag, as a band of 250 (<c>0-249</c>, <c>250-499</c>, …).</param>
/// <param name="ByAuthorityKind">The same three counts per authority kind, every kind listed.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalRequestFigures")]
public sealed record LegalRequestFigures(
    [property: Id(0)] long Received,
    [property: Id(1)] long Rejected,
    [property: Id(2)] long CompliedWith,
    [property: Id(3)] string GaggedBand,
    [property: Id(4)] ImmutableArray<AuthorityFigures> ByAuthorityKind);

/// <summary>Legal requests of one authority kind in a half-year.</summary>
/// <param name="AuthorityKind">The kind's wire name.</param>
/// <param name="Received">Recorded.</param>
/// <param name="Rejected">Decided <c>reject</c>.</param>
/// <param name="CompliedWith">Decided <c>disclose</c>.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.AuthorityFigures")]
public sealed record AuthorityFigures(
    [property: Id(0)] string AuthorityKind,
    [property: Id(1)] long Received,
    [property: Id(2)] long Rejected,
    [property: Id(3)] long CompliedWith);

/// <summary>Data-subject requests of one kind in a half-year.</summary>
/// <param name="Kind">One of <see cref="SubjectRequestKinds"/>.</param>
/// <param name="Received">Received in the half-year.</param>
/// <param name="Completed">Completed in it.</param>
/// <param name="Denied">Denied in it.</param>
/// <param name="MedianDaysToComplete">The median of the whole days those completed took; <c>null</c> when none completed.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.SubjectRequestFigures")]
public sealed record SubjectRequestFigures(
    [property: Id(0)] string Kind,
    [property: Id(1)] long Received,
    [property: Id(2)] long Completed,
    [property: Id(3)] long Denied,
    [property: Id(4)] double? MedianDaysToComplete);

/// <summary>Breaches declared in a half-year, and the people they notified (so far).</summary>
/// <param name="Declared">Breaches declared.</param>
/// <param name="PeopleNotified">People who hold their notices.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.BreachFigures")]
public sealed record BreachFigures(
    [property: Id(0)] long Declared,
    [property: Id(1)] long PeopleNotified);

/// <summary>A region's transparency log, read on a silo of that region, keyed <c>{region}/transparency</c>. Holds no state.</summary>
[Alias("PrimeDirective.ITransparencyRegionGrain")]
public interface ITransparencyRegionGrain : IGrainWithStringKey
{
    /// <summary>Everything the region counted, summed by period, measure, kind and days.</summary>
    [Alias("Tallies")]
    [ReadOnly]
    Task<ImmutableArray<TransparencyTally>> TalliesAsync();

    /// <summary>Counts one data-subject request that was received and completed at once (access, correction, consent withdrawal), once per <paramref name="eventId"/>.</summary>
    [Alias("CountImmediate")]
    Task CountImmediateAsync(string eventId, string kind);
}

/// <summary>The public report, gathered from every region and the home region's breaches, keyed <c>{home}/transparency-report</c>.</summary>
[Alias("PrimeDirective.ITransparencyReportGrain")]
public interface ITransparencyReportGrain : IGrainWithStringKey
{
    /// <summary>The closed half-years' figures.</summary>
    [Alias("Report")]
    [ReadOnly]
    Task<TransparencyReport> ReportAsync();
}

/// <summary>The keys of the transparency grains.</summary>
public static class TransparencyKeys
{
    /// <summary>A region's log.</summary>
    public static string Region(string region) => $"{region}/transparency";

    /// <summary>The report, in the home region.</summary>
    public static string Report(string homeRegion) => $"{homeRegion}/transparency-report";
}
