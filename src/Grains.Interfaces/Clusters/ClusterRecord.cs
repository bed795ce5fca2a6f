using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Interfaces.Clusters;

/// <summary>Everything held about one Flynn cluster (the access right for pseudonymous data).</summary>
/// <param name="ClusterId">The cluster's id; empty once it was destroyed (telemetry disabled: see <paramref name="RetentionRules"/>).</param>
/// <param name="Region">The region whose database holds the cluster's data.</param>
/// <param name="FirstSeenAt">When the cluster first reported.</param>
/// <param name="Telemetry">The server-side telemetry setting.</param>
/// <param name="Items">Every item held, none of them expired.</param>
/// <param name="Audit">What was done to the cluster's data and why (holds, destruction).</param>
/// <param name="LegalHold">The legal hold in force, if any.</param>
/// <param name="Notices">Notices (breaches, substantive policy changes) for the operator of a cluster nobody linked.</param>
/// <param name="RetentionRules">How long the identifiers, kept "while the cluster lives", are really kept.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ClusterRecord")]
public sealed record ClusterRecord(
    [property: Id(0), PersonalData] string ClusterId,
    [property: Id(1)] string Region,
    [property: Id(2)] DateTimeOffset FirstSeenAt,
    [property: Id(3)] TelemetrySetting Telemetry,
    [property: Id(4)] ImmutableArray<HeldItem> Items,
    [property: Id(5)] ImmutableArray<AuditEntry> Audit,
    [property: Id(6)] LegalHold? LegalHold,
    [property: Id(7)] ImmutableArray<Notification> Notices = default,
    [property: Id(8)] ImmutableArray<RetentionRule> RetentionRules = default);

/// <summary>The server-side equivalent of Flynn's <c>TELEMETRY_DISABLED</c>.</summary>
/// <param name="Disabled">Whether later reports are acknowledged and discarded.</param>
/// <param name="ChangedAt">When the setting last changed; <c>null</c> if never.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.TelemetrySetting")]
public sealed record TelemetrySetting(
    [property: Id(0)] bool Disabled,
    [property: Id(1)] DateTimeOffset? ChangedAt);
