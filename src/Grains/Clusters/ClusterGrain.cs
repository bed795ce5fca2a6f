using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Stats;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>A Flynn cluster as a data subject: its reports, its identifiers and its telemetry setting.</summary>
[RegionPlacement]
public sealed partial class ClusterGrain(
    [PersistentState("cluster", StorageNames.Subjects)] IPersistentState<ClusterState> state,
    PolicyClock time,
    IOptions<RetentionOptions> retention,
    IOptions<RequestOptions> requests,
    IOptions<CrashReportOptions> crashReports,
    IPrivacyRequestFaults faults,
    IDestructionLedger ledger,
    IReportLog reportLog,
    RetentionRunner retentionRunner,
    AggregateProjector aggregates,
    Notices.NoticeReach reach,
    ILogger<ClusterGrain> logger,
    DisclosureDesk disclosures) : Grain, IClusterGrain, IRetentionSubject, IRemindable
{
    /// <summary>The one reminder of this subject: due at its next expiry.</summary>
    private const string RetentionReminder = "retention";

    private string Region => SubjectKey.RegionOf(this.GetGrainId());

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await CompleteDestructionAsync();
        await MoveEarlierReportsAsync();
    }

    public async Task<ReportReceipt> RecordReportAsync(ClusterReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var reportId = report.ReportId ?? Guid.NewGuid().ToString("N");

        // Microseconds: what PostgreSQL keeps, so a repeat is answered with exactly the time the first was.
        var now = time.GetUtcNow();
        now = now.AddTicks(-(now.UtcTicks % 10));
        var items = ReportItems(report, reportId, now, retention.Value).ToList();
        var earliest = items.Min(item => item.ExpiresAt)!.Value;
        if (state.State.FirstSeenAt is null)
        {
            // Once per cluster, at its first report; listed before the write, so no stored cluster is missing from the list.
            await Registry.AddAsync(Region, Key, Notices.SubjectKinds.Cluster);
        }

        if (!await UpdateAsync(_ => Admit(report, earliest, now)))
        {
            LogReport(logger, Key, ReportOutcome.Discarded);
            return new ReportReceipt(reportId, now, ReportOutcome.Discarded);
        }

        // Armed before the rows exist, so no row is ever without the reminder that destroys it.
        await ArmRetentionAsync();
        var append = await reportLog.AppendAsync(Region, Key, reportId, items);
        var outcome = append.Stored ? ReportOutcome.Stored : ReportOutcome.Duplicate;
        if (append.Stored)
        {
            await ProjectAsync(report, now);
        }

        LogReport(logger, Key, outcome);
        return new ReportReceipt(reportId, append.AcceptedAt, outcome);
    }

    public Task<ClusterRecord?> GetAsync(string bootstrapProof) =>
        Task.FromResult(Proves(bootstrapProof) ? Record() : null);

    public Task<ClusterRecord?> GetForLinkAsync(string userKey) =>
        Task.FromResult(IsLinkedTo(userKey) ? Record() : null);

    public async Task<ItemPage?> ReadReportsAsync(string bootstrapProof, string? after) =>
        Proves(bootstrapProof) ? CombinationRule.Apply(await reportLog.ReadAsync(Region, Key, time.GetUtcNow(), after, ReportRows.PageSize)) : null;

    public async Task<ItemPage?> ReadReportsForLinkAsync(string userKey, string? after) =>
        IsLinkedTo(userKey) ? CombinationRule.Apply(await reportLog.ReadAsync(Region, Key, time.GetUtcNow(), after, ReportRows.PageSize)) : null;

    public async Task<bool> LinkAsync(string bootstrapProof, string userKey, bool usageStatisticsConsent)
    {
        if (!Proves(bootstrapProof))
        {
            return false;
        }

        await UpdateAsync(now =>
        {
            var links = state.State.Links;
            if (links.TryGetValue(userKey, out var link) && link.UsageStatisticsConsent == usageStatisticsConsent)
            {
                return (false, true);
            }

            links[userKey] = new ClusterState.ClusterLink(link?.LinkedAt ?? now, usageStatisticsConsent);
            return (true, true);
        });
        LogLinked(logger, this.GetPrimaryKeyString());
        return true;
    }

    public async Task SetLinkedConsentAsync(string userKey, bool usageStatisticsConsent)
    {
        if (!IsLinkedTo(userKey))
        {
            return;
        }

        await UpdateAsync(_ =>
        {
            var links = state.State.Links;
            if (!links.TryGetValue(userKey, out var link) || link.UsageStatisticsConsent == usageStatisticsConsent)
            {
                return (false, true);
            }

            links[userKey] = link with { UsageStatisticsConsent = usageStatisticsConsent };
            return (true, true);
        });
    }

    public async Task<TelemetrySetting?> SetTelemetryAsync(string bootstrapProof, bool disabled, bool purge)
    {
        if (!Proves(bootstrapProof))
        {
            return null;
        }

        var setting = await UpdateAsync(now =>
        {
            var current = state.State;
            var changed = current.TelemetryDisabled != disabled;
            if (changed)
            {
                current.TelemetryDisabled = disabled;
                current.TelemetryChangedAt = now;
            }

            return (changed, new TelemetrySetting(current.TelemetryDisabled, current.TelemetryChangedAt));
        });
        if (purge && !ExpirySchedule.Defers(state.State.LegalHold, time.GetUtcNow()))
        {
            // The ids stay: they are what lets us keep honouring the opt-out and prove who may change it.
            await reportLog.DeleteAsync(Region, Key, time.GetUtcNow(), all: true, "cluster", "request");
            await UpdateAsync(_ => (state.State.EarliestReportExpiry is not null, state.State.EarliestReportExpiry = null));
        }

        await ArmRetentionAsync();
        if (IdentifiersUnneeded(state.State))
        {
            // Nothing but the opt-out is left to honour (purged, or nothing held): the ids go now.
            await MinimizeIdentifiersAsync();
        }

        LogTelemetry(logger, Key, disabled, purge);
        return setting;
    }

    /// <summary>
    /// Whether a report may be kept, decided on fresh state: a report of a cluster that opted out, of another
    /// installation, or that a linked account withheld consent for is acknowledged and discarded. A kept report
    /// records the cluster's ids with its first report and the earliest expiry it brings.
    /// </summary>
    private (bool Changed, bool Admitted) Admit(ClusterReport report, DateTimeOffset earliestExpiry, DateTimeOffset now)
    {
        var current = state.State;
        if (state.RecordExists && (current.TelemetryDisabled || !Recognises(current, report.BootstrapId) ||
            current.Links.Values.Any(link => !link.UsageStatisticsConsent)))
        {
            // Acknowledged so the cluster stops retrying; nothing of it is kept, not even the address.
            return (false, false);
        }

        var changed = false;
        if (string.IsNullOrEmpty(current.ClusterId))
        {
            // A first report, or the first since telemetry was enabled again after the ids were destroyed.
            current.ClusterId = report.ClusterId;
            current.BootstrapId = report.BootstrapId;
            current.BootstrapDigest = null;
            current.FirstSeenAt ??= now;
            changed = true;
        }

        if (current.EarliestReportExpiry is not { } earliest || earliestExpiry < earliest)
        {
            current.EarliestReportExpiry = earliestExpiry;
            changed = true;
        }

        return (changed, true);
    }

    /// <summary>
    /// Upgrade in place: reports an earlier version kept in the state document become rows (a report already there is
    /// not stored twice, so a crash halfway repeats safely), and only then leave the state.
    /// </summary>
    private async Task MoveEarlierReportsAsync()
    {
        var earlier = state.State.Items;
        if (earlier.Count == 0 && state.State.Accepted.Count == 0)
        {
            return;
        }

        await Task.WhenAll(earlier.Where(item => item.ExpiresAt is not null)
            .GroupBy(item => item.ReportId ?? item.ItemId, StringComparer.Ordinal)
            .Select(report => reportLog.AppendAsync(Region, Key, report.Key, [.. report])));
        var earliest = earlier.Min(item => item.ExpiresAt);
        await UpdateAsync(_ =>
        {
            var current = state.State;
            current.Items.Clear();
            current.Accepted.Clear();
            if (earliest < current.EarliestReportExpiry || current.EarliestReportExpiry is null)
            {
                current.EarliestReportExpiry = earliest;
            }

            return (true, true);
        });
        LogMoved(logger, Key, earlier.Count);
    }

    private static IEnumerable<HeldItem> ReportItems(ClusterReport report, string reportId, DateTimeOffset now, RetentionOptions policy)
    {
        HeldItem Item(DataCategory category, bool personal, string? value, ImmutableDictionary<string, double> metrics) => new(
            ReportRows.ItemId(reportId, category),
            reportId,
            category,
            DataSource.Automatic,
            DataPurpose.UsageStatistics,
            now,
            policy.RoundedExpiryOf(category, now),
            personal,
            value,
            metrics);

        // The combination rule: every item is stored linked to the cluster's id, so every item is personal.
        yield return Item(DataCategory.Usage, personal: true, value: null, report.Usage);
        if (!report.Performance.IsEmpty)
        {
            yield return Item(DataCategory.Performance, personal: true, value: null, report.Performance);
        }

        yield return Item(DataCategory.Configuration, personal: true, report.Version, report.Configuration);
        if (report.IpAddress is not null)
        {
            yield return Item(DataCategory.IpAddress, personal: true, report.IpAddress, ImmutableDictionary<string, double>.Empty);
        }
    }

    /// <summary>The identifiers we hold, shown as items so access requests list them too.</summary>
    private static IEnumerable<HeldItem> IdentifierItems(ClusterState current)
    {
        if (string.IsNullOrEmpty(current.ClusterId) || current.FirstSeenAt is not { } firstSeen)
        {
            yield break;
        }

        HeldItem Identifier(string name, string value) => new(
            name, null, DataCategory.Identifier, DataSource.Automatic, DataPurpose.UsageStatistics, firstSeen, null, true, value,
            ImmutableDictionary<string, double>.Empty);

        yield return Identifier("cluster-id", current.ClusterId);
        if (current.BootstrapId is not null)
        {
            yield return Identifier("bootstrap-id", current.BootstrapId);
        }
    }

    private Task<T> UpdateAsync<T>(Func<DateTimeOffset, (bool Changed, T Result)> decide) => state.UpdateAsync(time, decide, DeactivateOnIdle);

    private ClusterRecord Record()
    {
        var current = state.State;
        return new ClusterRecord(
            current.ClusterId!,
            Region,
            current.FirstSeenAt!.Value,
            new TelemetrySetting(current.TelemetryDisabled, current.TelemetryChangedAt),
            [.. IdentifierItems(current)],
            [.. BoundedHistory.ShowAudit(current.Audit, current.EarlierAudit)],
            current.LegalHold,
            OperatorNotices,
            [IdentifiersRule(current)]);
    }

    private bool IsLinkedTo(string userKey) =>
        state.RecordExists && state.State.ClusterId is not null && state.State.Links.ContainsKey(userKey);

    private bool Proves(string bootstrapProof) =>
        state.RecordExists && state.State.ClusterId is not null && Recognises(state.State, bootstrapProof);

    private static bool SameSecret(string? expected, string? presented) =>
        expected is not null && presented is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Report for cluster {GrainKey}: {Outcome}")]
    private static partial void LogReport(ILogger logger, string grainKey, ReportOutcome outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry of cluster {GrainKey} set: disabled={Disabled}, purge={Purge}")]
    private static partial void LogTelemetry(ILogger logger, string grainKey, bool disabled, bool purge);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey}: {Count} item(s) kept by an earlier version moved to the report log")]
    private static partial void LogMoved(ILogger logger, string grainKey, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} linked to an account")]
    private static partial void LogLinked(ILogger logger, string grainKey);

}
