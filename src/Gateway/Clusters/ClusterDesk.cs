using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Gateway.Clusters;

/// <summary>
/// What clusters and their operators do, for the routes and the operator's page alike: reports, crash reports,
/// telemetry off, a new bootstrap id, erasure. Operator commands carry the proof; a wrong one reads as an unknown cluster.
/// </summary>
internal sealed class ClusterDesk(IGrainFactory grains, ClusterKeys keys)
{
    /// <summary>Stores a report in the cluster's region: acknowledged only once durable.</summary>
    public Task<ReportReceipt> RecordReportAsync(string region, ClusterReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return grains.GetGrain<IClusterGrain>(keys.For(region, report.ClusterId)).RecordReportAsync(report);
    }

    /// <summary>Stores (or, while not allowed, acknowledges and discards) a crash report the operator sent.</summary>
    public async Task<Outcome<ReportReceipt>> RecordCrashReportAsync(string clusterKey, string proof, CrashReport report) =>
        await grains.GetGrain<IClusterCrashReports>(clusterKey).RecordCrashReportAsync(proof, report) is { } receipt
            ? Outcome.Done(receipt)
            : new Outcome<ReportReceipt>.Unknown("cluster");

    /// <summary>The server-side TELEMETRY_DISABLED, optionally purging what is held.</summary>
    public async Task<Outcome<TelemetrySetting>> SetTelemetryAsync(string clusterKey, string proof, bool disabled, bool purge) =>
        await grains.GetGrain<IClusterGrain>(clusterKey).SetTelemetryAsync(proof, disabled, purge) is { } setting
            ? Outcome.Done(setting)
            : new Outcome<TelemetrySetting>.Unknown("cluster");

    /// <summary>Replaces the bootstrap id (the current one is the proof); the old one keeps working for reports through the grace period.</summary>
    public async Task<Outcome<ProofRotated>> RotateProofAsync(string clusterKey, string proof, string newProof) =>
        await grains.GetGrain<IClusterGrain>(clusterKey).RotateProofAsync(proof, newProof) is { } until
            ? Outcome.Done(new ProofRotated(until))
            : new Outcome<ProofRotated>.Unknown("cluster");

    /// <summary>Erases everything about the cluster: the request lives in its region, and the cluster records it (proof checked) before submitting it.</summary>
    public async Task<Outcome<ErasureAccepted>> RequestErasureAsync(string clusterKey, string proof)
    {
        var requestId = SubjectIds.New(SubjectKey.RegionOf(clusterKey)!);
        var (secret, hash) = Capabilities.New();
        return await grains.GetGrain<IClusterGrain>(clusterKey).RequestErasureAsync(proof, requestId, hash) is { } view
            ? Outcome.Done(ErasureAccepted.From(view, secret))
            : new Outcome<ErasureAccepted>.Unknown("cluster");
    }
}
