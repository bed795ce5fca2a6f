using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Clusters;

/// <summary>
/// A crash report the operator of a cluster chose to send. It may contain anything (paths, host names, user names), so it
/// is personal as a whole and never logged.
/// </summary>
/// <param name="Version">The Flynn version that crashed.</param>
/// <param name="Component">The component that crashed (e.g. <c>scheduler</c>).</param>
/// <param name="OccurredAt">When it crashed, by the cluster's clock.</param>
/// <param name="Message">The crash message.</param>
/// <param name="Stack">The stack trace.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.CrashReport")]
public sealed record CrashReport(
    [property: Id(0)] string Version,
    [property: Id(1)] string Component,
    [property: Id(2)] DateTimeOffset OccurredAt,
    [property: Id(3), UserContent] string Message,
    [property: Id(4), UserContent] string Stack);

/// <summary>The cluster grain's crash reports (the cluster grain implements it, keyed as <see cref="IClusterGrain"/>).</summary>
[Alias("PrimeDirective.IClusterCrashReports")]
public interface IClusterCrashReports : IGrainWithStringKey
{
    /// <summary>
    /// Keeps the crash report for its retention, durably before answering; acknowledged and discarded (nothing kept)
    /// while telemetry is disabled, while a linked account has not granted <c>crash-reports</c> consent (the default),
    /// or beyond the cluster's cap for the day.
    /// </summary>
    /// <returns>The receipt, or <c>null</c> if the cluster is unknown or the proof does not match.</returns>
    [Alias("RecordCrashReport")]
    Task<ReportReceipt?> RecordCrashReportAsync([PersonalData] string bootstrapProof, CrashReport report);

    /// <summary>A linked account's <c>crash-reports</c> consent (<paramref name="withdrawn"/>: not granted): unless every linked account granted it, crash reports are discarded.</summary>
    [Alias("SetLinkedCrashConsent")]
    Task SetLinkedCrashConsentAsync(string userKey, bool withdrawn);
}
