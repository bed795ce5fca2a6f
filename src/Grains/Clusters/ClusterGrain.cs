using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Stats;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// A Flynn cluster as a data subject. The grain wires the components that own the slices of its one state document
/// (identifiers, consents, reports, crash reports, aggregates, notices, erasure, retention) and keeps what needs the
/// grain itself: its reminder, its legal hold, its activation.
/// </summary>
[RegionPlacement]
public sealed partial class ClusterGrain(
    [PersistentState("cluster", StorageNames.Subjects)] IPersistentState<ClusterState> state,
    PolicyClock time,
    IOptions<RetentionOptions> retention,
    IOptions<RequestOptions> requests,
    IOptions<CrashReportOptions> crashReports,
    IOptions<ClusterProofOptions> clusters,
    IPrivacyRequestFaults faults,
    IDestructionLedger ledger,
    IReportLog reportLog,
    RetentionRunner retentionRunner,
    AggregateProjector aggregates,
    NoticeReach reach,
    ISubjectRegistry registry,
    ILogger<ClusterGrain> logger,
    DisclosureDesk disclosures,
    KeyShredder shredder,
    Sealer sealer,
    ILegalHoldMirror holdMirror,
    ReportMetrics metrics) : Grain, IClusterGrain, IClusterCrashReports, IClusterNotices, IRetentionSubject, IRemindable
{
    /// <summary>The one reminder of this subject: due at its next expiry.</summary>
    private const string RetentionReminder = "retention";

    private string Region => SubjectKey.RegionOf(this.GetGrainId());

    private string Key => this.GetPrimaryKeyString();

    private SubjectDocument<ClusterState> Document => field ??= new(state, time, DeactivateOnIdle);

    private ClusterIdentifiers Identifiers => field ??= new(Document, Key);

    private ClusterConsents Consents => field ??= new(Document, logger, Key);

    private ClusterReports Reports => field ??= new(Document, reportLog, retention.Value, Identifiers, sealer, logger, Region, Key);

    private ClusterCrashReports CrashReports => field ??= new(Document, Reports, retention.Value, crashReports.Value, sealer, logger, Key);

    private ClusterAggregates Aggregates => field ??= new(Document, aggregates);

    private ClusterNotices Notices => field ??= new(Document, Reports, reach);

    private ClusterErasure Erasure => field ??= new(Document, Reports, new(ledger, disclosures.Ledger, registry, GrainFactory, faults, shredder), requests.Value, logger, Region, Key);

    private ClusterRetention Retention => field ??= new(Document, Reports, Identifiers, Erasure, GrainFactory, holdMirror, shredder, logger, Region, Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Erasure.CompleteDestructionAsync(ForgottenAsync);
        await Reports.MoveEarlierAsync();
    }

    public async Task<ReportReceipt> RecordReportAsync(ClusterReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var reportId = report.ReportId ?? Guid.NewGuid().ToString("N");
        var now = ClusterReports.Stored(time.GetUtcNow());
        var items = Reports.ItemsOf(report, reportId, now);
        if (state.State.FirstSeenAt is null)
        {
            // Once per cluster, at its first report; listed before the write, so no stored cluster is missing from the list.
            await registry.AddAsync(Region, Key, SubjectKinds.Cluster);
        }

        var earliest = items.Min(item => item.ExpiresAt)!.Value;
        Func<ClusterState, bool>? alongside = null;
        var counted = false;
        var armNow = time.GetUtcNow();
        var registeredAhead = !Document.RecordExists ? ClusterRetention.NextDue(state.State, armNow, earliest) : null;
        if (registeredAhead is { } due)
        {
            // A new cluster in one write: its reminder is registered first, for the time its first write then records
            // with its ids, its expiry and the day counted, so arming it below finds nothing left to write. A crash in
            // between leaves a reminder for a cluster with no state, which forgets it when it fires.
            await RegisterRetentionAheadAsync(due);
            alongside = current =>
            {
                counted = ClusterAggregates.MarkCounted(current, now);
                return DueReminders.Record(current, ClusterRetention.NextDue(current, armNow), due) || counted;
            };
        }

        if (!await Reports.AdmitAsync(report, earliest, alongside))
        {
            LogReport(logger, Key, ReportOutcome.Discarded);
            metrics.Discarded(Region, ClusterConsents.WithholdsReports(state.State) ? ReportMetrics.Reasons.Withheld : ReportMetrics.Reasons.NotRecognised);
            return new ReportReceipt(reportId, now, ReportOutcome.Discarded);
        }

        // Armed before the rows exist, so no row is ever without the reminder that destroys it. A reminder registered
        // ahead that the write did not record (another activation's state wants another time) is registered again.
        await ArmRetentionAsync(rearm: registeredAhead is not null && state.State.RetentionDueAt != registeredAhead);
        var append = await Reports.AppendAsync(reportId, items);
        if (append.Stored && counted)
        {
            Aggregates.Project(report, now);
        }
        else if (append.Stored)
        {
            await Aggregates.ProjectAsync(report, now);
        }

        var outcome = append.Stored ? ReportOutcome.Stored : ReportOutcome.Duplicate;
        LogReport(logger, Key, outcome);
        metrics.Accepted(Region, duplicate: !append.Stored);
        return new ReportReceipt(reportId, append.AcceptedAt, outcome);
    }

    public Task<ClusterRecord?> GetAsync(string bootstrapProof) => RecordAsync(Identifiers.Proves(bootstrapProof));

    public Task<ClusterRecord?> GetForLinkAsync(string userKey) => RecordAsync(Consents.IsLinkedTo(userKey));

    /// <summary>The cluster's record if <paramref name="allowed"/>, its identifiers saying how the state keeps them.</summary>
    private async Task<ClusterRecord?> RecordAsync(bool allowed) =>
        allowed && ClusterIdentifiers.Record(state.State, Region, Notices.Shown) is var record
            ? record with { Items = await sealer.WithStateProtectionAsync(Key, record.Items) }
            : null;

    public async Task<ItemPage?> ReadReportsAsync(string bootstrapProof, string? after) =>
        Identifiers.Proves(bootstrapProof) ? await Reports.ReadAsync(time.GetUtcNow(), after) : null;

    public async Task<ItemPage?> ReadReportsForLinkAsync(string userKey, string? after) =>
        Consents.IsLinkedTo(userKey) ? await Reports.ReadAsync(time.GetUtcNow(), after) : null;

    public async Task<bool> LinkAsync(string bootstrapProof, string userKey, bool usageStatisticsConsent)
    {
        if (!Identifiers.Proves(bootstrapProof))
        {
            return false;
        }

        await Consents.LinkAsync(userKey, usageStatisticsConsent);
        return true;
    }

    public Task SetLinkedConsentAsync(string userKey, bool usageStatisticsConsent) => Consents.SetLinkedConsentAsync(userKey, usageStatisticsConsent);

    public Task SetLinkedCrashConsentAsync(string userKey, bool withdrawn) => Consents.SetLinkedCrashConsentAsync(userKey, withdrawn);

    public async Task<TelemetrySetting?> SetTelemetryAsync(string bootstrapProof, bool disabled, bool purge)
    {
        if (!Identifiers.Proves(bootstrapProof))
        {
            return null;
        }

        var setting = await Consents.SetTelemetryAsync(disabled, purge);
        if (purge && !ExpirySchedule.Defers(state.State.LegalHold, time.GetUtcNow()))
        {
            // The ids stay: they are what lets us keep honouring the opt-out and prove who may change it.
            await Reports.PurgeAsync(time.GetUtcNow());
        }

        await ArmRetentionAsync();

        // Nothing but the opt-out is left to honour (purged, or nothing held): the ids go now.
        await Retention.MinimizeAsync(ForgottenAsync);
        return setting;
    }

    public Task<DateTimeOffset?> RotateProofAsync(string bootstrapProof, string newProof) =>
        Identifiers.RotateAsync(bootstrapProof, newProof, clusters.Value.ProofGracePeriod);

    public async Task<ReportReceipt?> RecordCrashReportAsync(string bootstrapProof, CrashReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!Identifiers.Proves(bootstrapProof))
        {
            return null;
        }

        return await CrashReports.RecordAsync(report, () => ArmRetentionAsync());
    }

    public Task<ClusterNoticeReach> ReachNoticeAsync(NoticeCampaign campaign) => Notices.ReachAsync(campaign);

    public Task<NoticeOutcome> ShowOperatorNoticeAsync(NoticeCampaign campaign) => Notices.ShowOperatorAsync(campaign);

    public async Task<PrivacyRequestView?> RequestErasureAsync(string bootstrapProof, string requestId, string capabilityHash) =>
        Identifiers.Proves(bootstrapProof) ? await Erasure.RequestAsync(requestId, capabilityHash, () => ArmRetentionAsync()) : null;

    public async Task<ErasureStep> EraseForRequestAsync(string requestId)
    {
        await Erasure.ConfirmSubmittedAsync(requestId);
        return await Erasure.EraseAsync(() => Erasure.Accepted(requestId), requestId, ForgottenAsync);
    }

    public Task<ErasureStep> EraseForLinkAsync(string userKey, string requestId) =>
        Erasure.EraseAsync(() => Consents.IsLinkedTo(userKey), requestId, ForgottenAsync);

    public Task<ErasureReceipt?> PreviewErasureAsync(string requestId) => Erasure.PreviewAsync(requestId);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // The tick only queues the work: a wave of due reminders then waits in the silo's queue, not inside ticks.
        if (reminderName == RetentionReminder)
        {
            retentionRunner.Enqueue(this.GetGrainId());
        }

        return Task.CompletedTask;
    }

    public Task RunRetentionAsync() => Retention.RunAsync(ForgottenAsync, () => ArmRetentionAsync(rearm: true));

    public Task<bool> PlaceLegalHoldAsync(LegalHold hold) => Retention.PlaceHoldAsync(hold, () => ArmRetentionAsync(rearm: true));

    // The reminder is made due now first: if we crash after it, the lift is retried and the reminder still fires; one due
    // at once first fires a period later, so what the hold kept waiting is queued at once too.
    public Task<bool> LiftLegalHoldAsync(string officerId) => Retention.LiftHoldAsync(
        officerId, () => this.RegisterOrUpdateReminder(RetentionReminder, TimeSpan.Zero, retention.Value.RetryPeriod), () => retentionRunner.Enqueue(this.GetGrainId()));

    public Task<LegalHold?> GetLegalHoldAsync() => Task.FromResult(state.State.LegalHold);

    /// <summary>
    /// Makes the retention reminder due at the next expiry (or removes it when nothing expires or an open-ended hold runs);
    /// <paramref name="rearm"/> when the registered reminder is no longer known to be due then. Orleans starts a reminder's
    /// timer at the next point of its schedule: one due by then first fires a period later, so its work is queued here.
    /// </summary>
    private Task ArmRetentionAsync(bool rearm = false)
    {
        var now = time.GetUtcNow();
        return this.ArmAsync(state, RetentionReminder, current => ClusterRetention.NextDue(current, now), now, retention.Value.RetryPeriod, rearm, DeactivateOnIdle, due =>
        {
            if (time.GetUtcNow() >= due)
            {
                retentionRunner.Enqueue(this.GetGrainId());
            }
        });
    }

    private Task RegisterRetentionAheadAsync(DateTimeOffset due)
    {
        var now = time.GetUtcNow();
        return this.RegisterAheadAsync(RetentionReminder, due, now, retention.Value.RetryPeriod, at =>
        {
            if (time.GetUtcNow() >= at)
            {
                retentionRunner.Enqueue(this.GetGrainId());
            }
        });
    }

    /// <summary>The cluster is forgotten (its row deleted): its reminder goes and the activation with it.</summary>
    private async Task ForgottenAsync()
    {
        if (await this.GetReminder(RetentionReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        DeactivateOnIdle();
    }

    private static IEnumerable<HeldItem> IdentifierItems(ClusterState current) => ClusterIdentifiers.Items(current);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Report for cluster {GrainKey}: {Outcome}")]
    private static partial void LogReport(ILogger logger, string grainKey, ReportOutcome outcome);
}
