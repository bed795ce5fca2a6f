using Orleans.Concurrency;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Retention;

namespace PrimeDirective.Grains.Interfaces.Clusters;

/// <summary>
/// A Flynn cluster as a data subject. Keyed <c>{region}/{hmac(clusterId)}</c>: the key names the region
/// and carries no identifier; the real ids live only in the grain's state, in its region's database.
/// </summary>
[Alias("PrimeDirective.IClusterGrain")]
public interface IClusterGrain : ILegalHoldSubject, IErasable
{
    /// <summary>Records a report durably (or discards it when telemetry is disabled); returns only once durable.</summary>
    [Alias("RecordReport")]
    Task<ReportReceipt> RecordReportAsync(ClusterReport report);

    /// <summary>
    /// The cluster's identifiers, settings, audit trail and hold, or <c>null</c> if unknown or the proof does not match;
    /// its report items come by page from <see cref="ReadReportsAsync"/>.
    /// </summary>
    [Alias("Get")]
    [ReadOnly]
    Task<ClusterRecord?> GetAsync([PersonalData] string bootstrapProof);

    /// <summary>
    /// The cluster's report items not expired, a page at a time after <paramref name="after"/> (the previous page's
    /// cursor); <c>null</c> if unknown or the proof does not match. <see cref="GetAsync"/> lists the identifiers.
    /// </summary>
    [Alias("ReadReports")]
    [ReadOnly]
    Task<ItemPage?> ReadReportsAsync([PersonalData] string bootstrapProof, string? after);

    /// <summary>Switches telemetry off or on; with <paramref name="purge"/>, destroys what was collected.</summary>
    /// <returns>The new setting, or <c>null</c> if unknown or the proof does not match.</returns>
    [Alias("SetTelemetry")]
    Task<TelemetrySetting?> SetTelemetryAsync([PersonalData] string bootstrapProof, bool disabled, bool purge);

    /// <summary>
    /// The operator (proven by the current bootstrap id) sets a new one: the old one keeps being recognised for reports
    /// until the returned time (the grace period), and nothing else; after that its reports are acknowledged and discarded.
    /// </summary>
    /// <returns>Until when reports with the old id are kept, or <c>null</c> if unknown or the proof does not match.</returns>
    [Alias("RotateProof")]
    Task<DateTimeOffset?> RotateProofAsync([PersonalData] string bootstrapProof, [PersonalData] string newProof);

    /// <summary>
    /// The operator (proven by the bootstrap id) asks for erasure under <paramref name="requestId"/>: the cluster records
    /// it, then submits the request workflow; if that submission fails, the cluster's reminder submits it again.
    /// </summary>
    /// <param name="bootstrapProof">The bootstrap id the caller presented.</param>
    /// <param name="requestId">The new request's id (names the cluster's region).</param>
    /// <param name="capabilityHash">Hash of the receipt URL's secret.</param>
    /// <returns>The accepted request, or <c>null</c> if unknown or the proof does not match.</returns>
    [Alias("RequestErasure")]
    Task<PrivacyRequestView?> RequestErasureAsync([PersonalData] string bootstrapProof, string requestId, string capabilityHash);

    /// <summary>Erases everything about the cluster for an accepted erasure request; afterwards it is unknown.</summary>
    /// <returns>The receipt; none if the cluster is gone or never accepted the request; deferred under a legal hold.</returns>
    [Alias("EraseForRequest")]
    Task<ErasureStep> EraseForRequestAsync(string requestId);

    /// <summary>Links the cluster to an account whose holder proved they run it; <c>false</c> if unknown or unproven.</summary>
    /// <param name="bootstrapProof">The bootstrap id the holder presented.</param>
    /// <param name="userKey">The account's grain key (pseudonymous).</param>
    /// <param name="usageStatisticsConsent">Whether the account consents to usage statistics.</param>
    [Alias("Link")]
    Task<bool> LinkAsync([PersonalData] string bootstrapProof, string userKey, bool usageStatisticsConsent);

    /// <summary>A linked account's usage-statistics consent changed: while any linked account withdraws it, reports are discarded.</summary>
    [Alias("SetLinkedConsent")]
    Task SetLinkedConsentAsync(string userKey, bool usageStatisticsConsent);

    /// <summary>The cluster's report items for an account linked to it, by page (as <see cref="ReadReportsAsync"/>); <c>null</c> otherwise.</summary>
    [Alias("ReadReportsForLink")]
    [ReadOnly]
    Task<ItemPage?> ReadReportsForLinkAsync(string userKey, string? after);

    /// <summary>The cluster as its linked account may see it (identifiers and settings; reports by page); <c>null</c> if not linked.</summary>
    [Alias("GetForLink")]
    [ReadOnly]
    Task<ClusterRecord?> GetForLinkAsync(string userKey);

    /// <summary>Erases the cluster on behalf of a linked account's erasure; nothing if it is gone or not linked; deferred under a legal hold.</summary>
    [Alias("EraseForLink")]
    Task<ErasureStep> EraseForLinkAsync(string userKey, string requestId);
}
