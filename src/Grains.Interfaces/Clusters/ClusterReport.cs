using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Clusters;

/// <summary>A validated telemetry report from a Flynn cluster, as the gateway hands it to the cluster's grain.</summary>
/// <param name="ClusterId">The cluster's id (a UUID in canonical lower-case form).</param>
/// <param name="BootstrapId">The id the cluster was bootstrapped with; only its operator knows it.</param>
/// <param name="ReportId">Idempotency key: a repeat is stored once. <c>null</c> for Flynn's scheduler reports.</param>
/// <param name="Version">The reporting Flynn version.</param>
/// <param name="IpAddress">The address the report came from, as the gateway established it.</param>
/// <param name="Usage">Usage statistics by metric name.</param>
/// <param name="Performance">Performance statistics by metric name.</param>
/// <param name="Configuration">Configuration statistics by metric name.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ClusterReport")]
public sealed record ClusterReport(
    [property: Id(0), PersonalData] string ClusterId,
    [property: Id(1), PersonalData] string BootstrapId,
    [property: Id(2)] string? ReportId,
    [property: Id(3)] string Version,
    [property: Id(4), PersonalData] string? IpAddress,
    [property: Id(5)] ImmutableDictionary<string, double> Usage,
    [property: Id(6)] ImmutableDictionary<string, double> Performance,
    [property: Id(7)] ImmutableDictionary<string, double> Configuration);

/// <summary>What became of a report.</summary>
[Alias("PrimeDirective.ReportOutcome")]
public enum ReportOutcome
{
    /// <summary>Stored durably, now.</summary>
    Stored = 0,

    /// <summary>A repeat of a report already stored; nothing new was kept.</summary>
    Duplicate = 1,

    /// <summary>Acknowledged and discarded: the cluster disabled telemetry (or the report could not be its own).</summary>
    Discarded = 2,
}

/// <summary>The acknowledgement of a report; a repeated report id gets the first acknowledgement again.</summary>
/// <param name="ReportId">The report's idempotency key (generated for reports that carry none).</param>
/// <param name="AcceptedAt">When the report was first accepted.</param>
/// <param name="Outcome">What became of it.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ReportReceipt")]
public sealed record ReportReceipt(
    [property: Id(0)] string ReportId,
    [property: Id(1)] DateTimeOffset AcceptedAt,
    [property: Id(2)] ReportOutcome Outcome);
