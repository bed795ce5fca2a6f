using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>A Flynn cluster as a data subject: its reports, its identifiers and its telemetry setting.</summary>
[RegionPlacement]
public sealed partial class ClusterGrain(
    [PersistentState("cluster", StorageNames.Subjects)] IPersistentState<ClusterState> state,
    PolicyClock time,
    IOptions<RetentionOptions> retention,
    IOptions<RequestOptions> requests,
    IPrivacyRequestFaults faults,
    IDestructionLedger ledger,
    ILogger<ClusterGrain> logger) : Grain, IClusterGrain, IRemindable
{
    /// <summary>The one reminder of this subject: due at its next expiry.</summary>
    private const string RetentionReminder = "retention";

    private string Region => SubjectKey.RegionOf(this.GetGrainId());

    public override Task OnActivateAsync(CancellationToken cancellationToken) => CompleteDestructionAsync();

    public async Task<ReportReceipt> RecordReportAsync(ClusterReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var reportId = report.ReportId ?? Guid.NewGuid().ToString("N");
        var receipt = await UpdateAsync(now => Decide(report, reportId, now));
        if (receipt.Outcome == ReportOutcome.Stored)
        {
            await ArmRetentionAsync();
        }

        LogReport(logger, this.GetPrimaryKeyString(), receipt.Outcome);
        return receipt;
    }

    public Task<ClusterRecord?> GetAsync(string bootstrapProof) =>
        Task.FromResult(Proves(bootstrapProof) ? Record() : null);

    public Task<ClusterRecord?> GetForLinkAsync(string userKey) =>
        Task.FromResult(IsLinkedTo(userKey) ? Record() : null);

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
            var changed = current.TelemetryDisabled != disabled || (purge && (current.Items.Count > 0 || current.Accepted.Count > 0));
            if (!changed)
            {
                return (false, new TelemetrySetting(current.TelemetryDisabled, current.TelemetryChangedAt));
            }

            if (current.TelemetryDisabled != disabled)
            {
                current.TelemetryDisabled = disabled;
                current.TelemetryChangedAt = now;
            }

            if (purge && !ExpirySchedule.Defers(current.LegalHold, now))
            {
                // The ids stay: they are what lets us keep honouring the opt-out and prove who may change it.
                current.Items.Clear();
                current.Accepted.Clear();
            }

            return (true, new TelemetrySetting(current.TelemetryDisabled, current.TelemetryChangedAt));
        });
        await ArmRetentionAsync();
        LogTelemetry(logger, this.GetPrimaryKeyString(), disabled, purge);
        return setting;
    }

    private (bool Changed, ReportReceipt Receipt) Decide(ClusterReport report, string reportId, DateTimeOffset now)
    {
        var current = state.State;
        if (state.RecordExists && (current.TelemetryDisabled || !SameSecret(current.BootstrapId, report.BootstrapId) ||
            current.Links.Values.Any(link => !link.UsageStatisticsConsent)))
        {
            // Acknowledged so the cluster stops retrying; nothing of it is kept, not even the address.
            return (false, new ReportReceipt(reportId, now, ReportOutcome.Discarded));
        }

        if (report.ReportId is not null && current.Accepted.TryGetValue(reportId, out var earlier) && earlier.ExpiresAt > now)
        {
            return (false, new ReportReceipt(reportId, earlier.AcceptedAt, ReportOutcome.Duplicate));
        }

        var policy = retention.Value;
        current.ClusterId ??= report.ClusterId;
        current.BootstrapId ??= report.BootstrapId;
        current.FirstSeenAt ??= now;
        current.Items.AddRange(ReportItems(report, reportId, now, policy));
        if (report.ReportId is not null)
        {
            // Only a report that names itself can be repeated; Flynn's scheduler reports carry no id to remember.
            current.Accepted[reportId] = new ClusterState.AcceptedReport(now, policy.ExpiryOf(DataCategory.Usage, now)!.Value);
        }

        return (true, new ReportReceipt(reportId, now, ReportOutcome.Stored));
    }

    private static IEnumerable<HeldItem> ReportItems(ClusterReport report, string reportId, DateTimeOffset now, RetentionOptions policy)
    {
        HeldItem Item(DataCategory category, bool personal, string? value, ImmutableDictionary<string, double> metrics) => new(
            $"{reportId}:{JsonNamingPolicy.KebabCaseLower.ConvertName(category.ToString())}",
            reportId,
            category,
            DataSource.Automatic,
            DataPurpose.UsageStatistics,
            now,
            policy.ExpiryOf(category, now),
            personal,
            value,
            metrics);

        yield return Item(DataCategory.Usage, personal: false, value: null, report.Usage);
        if (!report.Performance.IsEmpty)
        {
            yield return Item(DataCategory.Performance, personal: false, value: null, report.Performance);
        }

        yield return Item(DataCategory.Configuration, personal: false, report.Version, report.Configuration);
        if (report.IpAddress is not null)
        {
            yield return Item(DataCategory.IpAddress, personal: true, report.IpAddress, ImmutableDictionary<string, double>.Empty);
        }
    }

    /// <summary>The identifiers we hold, shown as items so access requests list them too.</summary>
    private static IEnumerable<HeldItem> IdentifierItems(ClusterState current)
    {
        if (current.ClusterId is null || current.FirstSeenAt is not { } firstSeen)
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
        var now = time.GetUtcNow();
        var current = state.State;
        var items = IdentifierItems(current).Concat(current.Items.Where(item => !item.IsExpiredAt(now)));
        return new ClusterRecord(
            current.ClusterId!,
            Region,
            current.FirstSeenAt!.Value,
            new TelemetrySetting(current.TelemetryDisabled, current.TelemetryChangedAt),
            [.. items],
            [.. BoundedHistory.ShowAudit(current.Audit, current.EarlierAudit)],
            current.LegalHold);
    }

    private bool IsLinkedTo(string userKey) =>
        state.RecordExists && state.State.ClusterId is not null && state.State.Links.ContainsKey(userKey);

    private bool Proves(string bootstrapProof) =>
        state.RecordExists && state.State.ClusterId is not null && SameSecret(state.State.BootstrapId, bootstrapProof);

    private static bool SameSecret(string? expected, string? presented) =>
        expected is not null && presented is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Report for cluster {GrainKey}: {Outcome}")]
    private static partial void LogReport(ILogger logger, string grainKey, ReportOutcome outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry of cluster {GrainKey} set: disabled={Disabled}, purge={Purge}")]
    private static partial void LogTelemetry(ILogger logger, string grainKey, bool disabled, bool purge);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} linked to an account")]
    private static partial void LogLinked(ILogger logger, string grainKey);

}
