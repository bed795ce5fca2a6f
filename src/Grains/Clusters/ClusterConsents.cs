using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// What a cluster's operator and its linked people let us keep (owns <see cref="ClusterState.TelemetryDisabled"/>,
/// <see cref="ClusterState.TelemetryChangedAt"/>, <see cref="ClusterState.Links"/>, <see cref="ClusterState.CrashReportsGrantedBy"/>):
/// the server-side opt-out, each linked account's usage-statistics consent, and the accounts that granted crash reports.
/// Every change is decided again on fresh state after a write conflict; grants are bounded by the links (one per account).
/// </summary>
public sealed partial class ClusterConsents(SubjectDocument<ClusterState> document, ILogger logger, string key)
{
    /// <summary>Whether the known cluster is linked to the account <paramref name="userKey"/>.</summary>
    public bool IsLinkedTo(string userKey) =>
        document.RecordExists && document.State.ClusterId is not null && document.State.Links.ContainsKey(userKey);

    /// <summary>Links (or updates the link of) an account that proved it runs the cluster.</summary>
    public async Task LinkAsync(string userKey, bool usageStatisticsConsent)
    {
        await document.UpdateAsync(now =>
        {
            var links = document.State.Links;
            if (links.TryGetValue(userKey, out var link) && link.UsageStatisticsConsent == usageStatisticsConsent)
            {
                return (false, true);
            }

            links[userKey] = new ClusterState.ClusterLink(link?.LinkedAt ?? now, usageStatisticsConsent);
            return (true, true);
        });
        LogLinked(logger, key);
    }

    /// <summary>A linked account's usage-statistics consent; nothing for an account not linked.</summary>
    public Task SetLinkedConsentAsync(string userKey, bool usageStatisticsConsent) =>
        !IsLinkedTo(userKey) ? Task.CompletedTask : document.UpdateAsync(_ =>
        {
            var links = document.State.Links;
            if (!links.TryGetValue(userKey, out var link) || link.UsageStatisticsConsent == usageStatisticsConsent)
            {
                return (false, true);
            }

            links[userKey] = link with { UsageStatisticsConsent = usageStatisticsConsent };
            return (true, true);
        });

    /// <summary>A linked account's crash-reports consent (<paramref name="withdrawn"/>: not granted); nothing for an account not linked.</summary>
    public Task SetLinkedCrashConsentAsync(string userKey, bool withdrawn) =>
        !IsLinkedTo(userKey) ? Task.CompletedTask : document.UpdateAsync(_ =>
        {
            var grants = document.State.CrashReportsGrantedBy;
            if (grants.Contains(userKey, StringComparer.Ordinal) != withdrawn)
            {
                return (false, true);
            }

            if (withdrawn)
            {
                grants.RemoveAll(key => key == userKey);
            }
            else
            {
                grants.Add(userKey);
            }

            return (true, true);
        });

    /// <summary>Switches the server-side opt-out (<paramref name="purge"/> is logged: the caller purges); its time changes only when the setting does.</summary>
    public async Task<TelemetrySetting> SetTelemetryAsync(bool disabled, bool purge)
    {
        var setting = await document.UpdateAsync(now =>
        {
            var current = document.State;
            var changed = current.TelemetryDisabled != disabled;
            if (changed)
            {
                current.TelemetryDisabled = disabled;
                current.TelemetryChangedAt = now;
            }

            return (changed, Setting(current));
        });
        LogTelemetry(logger, key, disabled, purge);
        return setting;
    }

    /// <summary>The opt-out as the cluster's record shows it.</summary>
    public static TelemetrySetting Setting(ClusterState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new(current.TelemetryDisabled, current.TelemetryChangedAt);
    }

    /// <summary>Whether reports are discarded: telemetry is off, or a linked account withholds usage-statistics consent.</summary>
    public static bool WithholdsReports(ClusterState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current.TelemetryDisabled || current.Links.Values.Any(link => !link.UsageStatisticsConsent);
    }

    /// <summary>Whether crash reports are discarded: telemetry is off, or a linked account has not granted them (the default).</summary>
    public static bool WithholdsCrashReports(ClusterState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current.TelemetryDisabled || !current.Links.Keys.All(current.CrashReportsGrantedBy.Contains);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} linked to an account")]
    private static partial void LogLinked(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry of cluster {GrainKey} set: disabled={Disabled}, purge={Purge}")]
    private static partial void LogTelemetry(ILogger logger, string grainKey, bool disabled, bool purge);
}
