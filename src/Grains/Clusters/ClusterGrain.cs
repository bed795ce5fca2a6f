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
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>A Flynn cluster as a data subject: its reports, its identifiers and its telemetry setting.</summary>
[RegionPlacement]
public sealed partial class ClusterGrain(
    [PersistentState("cluster", StorageNames.Subjects)] IPersistentState<ClusterState> state,
    TimeProvider time,
    IOptions<RetentionOptions> retention,
    ILogger<ClusterGrain> logger) : Grain, IClusterGrain, IRemindable
{
    /// <summary>The one reminder of this subject: due at its next expiry.</summary>
    private const string RetentionReminder = "retention";

    private string Region => SubjectKey.RegionOf(this.GetGrainId());

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

            if (purge)
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

    public async Task<bool> AcceptErasureAsync(string bootstrapProof, string requestId)
    {
        if (!Proves(bootstrapProof))
        {
            return false;
        }

        await UpdateAsync(_ =>
        {
            var accepted = state.State.AcceptedErasures;
            if (accepted.Contains(requestId))
            {
                return (false, true);
            }

            accepted.Add(requestId);
            return (true, true);
        });
        return true;
    }

    public Task<ErasureReceipt?> EraseForRequestAsync(string requestId) =>
        EraseWhileAsync(() => state.RecordExists && state.State.AcceptedErasures.Contains(requestId), requestId);

    public Task<ErasureReceipt?> EraseForLinkAsync(string userKey, string requestId) =>
        EraseWhileAsync(() => IsLinkedTo(userKey), requestId);

    /// <summary>Deletes the cluster's row if <paramref name="allowed"/> holds (checked again after a write conflict).</summary>
    private async Task<ErasureReceipt?> EraseWhileAsync(Func<bool> allowed, string requestId)
    {
        if (!allowed())
        {
            return null;
        }

        var counts = IdentifierItems(state.State).Concat(state.State.Items)
            .GroupBy(item => item.Category)
            .ToImmutableDictionary(group => group.Key, group => group.Count());

        // DeleteStateOnClear is on for subject storage: the row itself goes, not just its payload.
        if (!await state.DeleteAsync(allowed, DeactivateOnIdle))
        {
            return null;
        }

        await DisarmRetentionAsync();
        DeactivateOnIdle();
        LogErased(logger, this.GetPrimaryKeyString());
        return new ErasureReceipt(requestId, Region, time.GetUtcNow(), counts, "cluster");
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RetentionReminder)
        {
            return;
        }

        var now = time.GetUtcNow();
        var destroyed = await UpdateAsync(_ =>
        {
            var current = state.State;
            var (kept, counts) = ExpirySchedule.Purge(current.Items, now);
            var expiredReceipts = current.Accepted.Where(pair => pair.Value.ExpiresAt <= now).Select(pair => pair.Key).ToList();
            if (counts.IsEmpty && expiredReceipts.Count == 0)
            {
                return (false, counts);
            }

            current.Items = kept;
            foreach (var reportId in expiredReceipts)
            {
                current.Accepted.Remove(reportId);
            }

            return (true, counts);
        });
        foreach (var (category, count) in destroyed)
        {
            LogDestroyed(logger, this.GetPrimaryKeyString(), category, count);
        }

        var current = state.State;
        if (state.RecordExists && current.Items.Count == 0 && current.Accepted.Count == 0 && !current.TelemetryDisabled && current.Links.Count == 0)
        {
            // Nothing left that we collected for a purpose, no opt-out to honour, nobody linked: the ids go too.
            await state.ClearStateAsync();
            state.State = new ClusterState();
            await DisarmRetentionAsync();
            DeactivateOnIdle();
            LogForgotten(logger, this.GetPrimaryKeyString());
            return;
        }

        state.State.RetentionDueAt = null;
        await ArmRetentionAsync();
    }

    /// <summary>Makes the retention reminder due at the next expiry (or removes it when nothing expires).</summary>
    private async Task ArmRetentionAsync()
    {
        var current = state.State;
        var next = ExpirySchedule.NextExpiry(current.Items);
        var receiptExpiry = current.Accepted.Count == 0 ? null : current.Accepted.Values.Min(accepted => (DateTimeOffset?)accepted.ExpiresAt);
        if (receiptExpiry < next || next is null)
        {
            next = receiptExpiry;
        }

        if (next is null)
        {
            await DisarmRetentionAsync();
            return;
        }

        if (current.RetentionDueAt is { } due && due <= next)
        {
            return;
        }

        var dueIn = next.Value - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(RetentionReminder, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, retention.Value.RetryPeriod);
        current.RetentionDueAt = next;
        await UpdateAsync(_ => (true, true));
    }

    private async Task DisarmRetentionAsync()
    {
        if (await this.GetReminder(RetentionReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
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
            return (false, new ReportReceipt(reportId, earlier.AcceptedAt, ReportOutcome.Stored));
        }

        var policy = retention.Value;
        current.ClusterId ??= report.ClusterId;
        current.BootstrapId ??= report.BootstrapId;
        current.FirstSeenAt ??= now;
        current.Items.AddRange(ReportItems(report, reportId, now, policy));
        current.Accepted[reportId] = new ClusterState.AcceptedReport(now, policy.ExpiryOf(DataCategory.Usage, now)!.Value);
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

    private Task<T> UpdateAsync<T>(Func<DateTimeOffset, (bool Changed, T Result)> decide) =>
        state.UpdateAsync(() => decide(time.GetUtcNow()), DeactivateOnIdle);

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
            [.. items]);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention destroyed {Count} expired {Category} item(s) of cluster {GrainKey}")]
    private static partial void LogDestroyed(ILogger logger, string grainKey, DataCategory category, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} holds nothing any more; its state is gone")]
    private static partial void LogForgotten(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} linked to an account")]
    private static partial void LogLinked(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} erased")]
    private static partial void LogErased(ILogger logger, string grainKey);
}
