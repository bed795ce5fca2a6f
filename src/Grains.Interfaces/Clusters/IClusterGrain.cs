using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Clusters;

/// <summary>
/// A Flynn cluster as a data subject. Keyed <c>{region}/{hmac(clusterId)}</c>: the key names the region
/// and carries no identifier; the real ids live only in the grain's state, in its region's database.
/// </summary>
[Alias("PrimeDirective.IClusterGrain")]
public interface IClusterGrain : IGrainWithStringKey
{
    /// <summary>Records a report durably (or discards it when telemetry is disabled); returns only once durable.</summary>
    [Alias("RecordReport")]
    Task<ReportReceipt> RecordReportAsync(ClusterReport report);

    /// <summary>Everything held about the cluster, or <c>null</c> if unknown or the proof does not match.</summary>
    [Alias("Get")]
    Task<ClusterRecord?> GetAsync([PersonalData] string bootstrapProof);

    /// <summary>Switches telemetry off or on; with <paramref name="purge"/>, destroys what was collected.</summary>
    /// <returns>The new setting, or <c>null</c> if unknown or the proof does not match.</returns>
    [Alias("SetTelemetry")]
    Task<TelemetrySetting?> SetTelemetryAsync([PersonalData] string bootstrapProof, bool disabled, bool purge);

    /// <summary>Erases everything about the cluster; afterwards it is unknown.</summary>
    /// <returns>The receipt, or <c>null</c> if unknown or the proof does not match.</returns>
    [Alias("Erase")]
    Task<ErasureReceipt?> EraseAsync([PersonalData] string bootstrapProof, string requestId);
}
