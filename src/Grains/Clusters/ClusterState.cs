using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// The stored state of a cluster grain, written as plain JSON (System.Text.Json) to its region's database:
/// member names, not CLR type names, so a type or assembly rename never strands stored data.
/// </summary>
public sealed class ClusterState : ILegalHoldState, IDueReminderState, IDestructionProofState, IBoundedState, IDisclosureLedgerState
{
    [PersonalData]
    public string? ClusterId { get; set; }

    [PersonalData]
    public string? BootstrapId { get; set; }

    /// <summary>
    /// Once telemetry is disabled and nothing else needs the raw ids, they are destroyed (<see cref="ClusterId"/> empty,
    /// <see cref="BootstrapId"/> <c>null</c>) and this salted hash of the bootstrap id recognises the cluster's reports and operator.
    /// </summary>
    public string? BootstrapDigest { get; set; }

    /// <summary>The salted hash of the bootstrap id the operator replaced: its reports are kept until <see cref="PreviousProofUntil"/>.</summary>
    public string? PreviousBootstrapDigest { get; set; }

    /// <summary>The end of the grace period of <see cref="PreviousBootstrapDigest"/>.</summary>
    public DateTimeOffset? PreviousProofUntil { get; set; }

    public DateTimeOffset? FirstSeenAt { get; set; }

    public bool TelemetryDisabled { get; set; }

    public DateTimeOffset? TelemetryChangedAt { get; set; }

    /// <summary>The earliest expiry of the cluster's report rows (never later than it); <c>null</c> when it holds none.</summary>
    public DateTimeOffset? EarliestReportExpiry { get; set; }

    /// <summary>Reports as an earlier version kept them, in the state document; moved to the report log at activation.</summary>
    public List<HeldItem> Items { get; set; } = [];

    /// <summary>Report ids an earlier version remembered; the report log's key does this now. Emptied at activation.</summary>
    public Dictionary<string, AcceptedReport> Accepted { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the retention reminder is due, if one is registered.</summary>
    public DateTimeOffset? RetentionDueAt { get; set; }

    DateTimeOffset? IDueReminderState.ReminderDueAt { get => RetentionDueAt; set => RetentionDueAt = value; }

    /// <summary>Erasure requests the operator made with the proof; the request workflow erases under one of them.</summary>
    public List<string> AcceptedErasures { get; set; } = [];

    /// <summary>Accepted erasures whose request has not yet confirmed it exists; the reminder submits them again when due.</summary>
    public List<UnconfirmedErasure> UnconfirmedErasures { get; set; } = [];

    /// <summary>The legal hold in force, if any: it defers expiry and erasure.</summary>
    public LegalHold? LegalHold { get; set; }

    /// <summary>The id of the hold's row in the <c>legal_hold</c> mirror (<c>null</c>: a hold placed before the mirror, row <c>backfill</c>).</summary>
    public string? LegalHoldMirrorId { get; set; }

    /// <summary>A hold was placed since hold keys were last destroyed: once none is in force, its hold keys go (docs/keys.md).</summary>
    public bool HoldKeysMayExist { get; set; }

    /// <summary>
    /// Whether hold keys may exist: the flag, or a hold still recorded (a release before the flag placed it, or wrote this
    /// state back without the flag during a rolling upgrade).
    /// </summary>
    public bool MayHaveHoldKeys() => HoldKeysMayExist || LegalHold is not null;

    /// <summary>Erasure requests deferred by the hold; resumed when it is lifted.</summary>
    public List<string> WaitingErasures { get; set; } = [];

    /// <summary>What was done to the cluster's data and why (holds, destruction); nothing personal. The newest entries.</summary>
    public List<AuditEntry> Audit { get; set; } = [];

    /// <summary>Older audit entries, folded into counts.</summary>
    public FoldedHistory EarlierAudit { get; set; } = new();

    /// <summary>Proofs of destruction not yet confirmed recorded in the region's ledger.</summary>
    public List<DestructionProof> PendingProofs { get; set; } = [];

    /// <summary>Accounts that proved they run the cluster, by their grain key (pseudonymous).</summary>
    public Dictionary<string, ClusterLink> Links { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Linked accounts (grain keys) that granted <c>crash-reports</c> consent. Crash reports of a linked cluster are kept
    /// only while every linked account is listed: not granted, the default included, counts as withdrawn.
    /// </summary>
    public List<string> CrashReportsGrantedBy { get; set; } = [];

    /// <summary>The day (UTC) <see cref="CrashReportsThatDay"/> counts.</summary>
    public DateOnly? CrashReportDay { get; set; }

    /// <summary>Crash reports kept on <see cref="CrashReportDay"/>: at the cap, later ones that day are acknowledged and discarded.</summary>
    public int CrashReportsThatDay { get; set; }

    /// <summary>The last day (UTC) this cluster was counted in the aggregates: once a day, by its first report.</summary>
    public DateOnly? CountedDay { get; set; }

    /// <summary>Every disclosure of the cluster's data, hash-chained.</summary>
    public List<DisclosureEntry> DisclosureLedger { get; set; } = [];

    /// <summary>The last ledger entry's hash.</summary>
    public string? DisclosureHead { get; set; }

    /// <inheritdoc/>
    public int EvidenceSeq { get; set; }

    /// <inheritdoc/>
    public List<LedgerEvidence> PendingEvidence { get; set; } = [];

    /// <inheritdoc/>
    public Dictionary<string, ListedPackage> DisclosurePackages { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Notices (breaches) shown to the operator of a cluster nobody linked; one per campaign.</summary>
    public List<Notification> OperatorNotices { get; set; } = [];

    /// <inheritdoc/>
    public void Bound() => BoundedHistory.FoldAudit(Audit, EarlierAudit);

    /// <param name="RequestId">The accepted request.</param>
    /// <param name="CapabilityHash">Hash of its receipt URL's secret.</param>
    /// <param name="ResubmitAt">When the reminder submits it again if it has still not arrived.</param>
    public sealed record UnconfirmedErasure(string RequestId, string CapabilityHash, DateTimeOffset ResubmitAt);

    public sealed record AcceptedReport(DateTimeOffset AcceptedAt, DateTimeOffset ExpiresAt);

    /// <param name="LinkedAt">When the account linked the cluster.</param>
    /// <param name="UsageStatisticsConsent">Whether that account lets us keep usage statistics.</param>
    public sealed record ClusterLink(DateTimeOffset LinkedAt, bool UsageStatisticsConsent);
}
