using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// Crash reports: given directly by the operator, personal as a whole, kept for the crash-report retention as rows of
/// the report log beside the cluster's reports, so that access, export, expiry and erasure treat them alike.
/// </summary>
public sealed partial class ClusterGrain : IClusterCrashReports
{
    private static readonly JsonSerializerOptions s_crashJson = new(JsonSerializerDefaults.Web);

    public async Task<ReportReceipt?> RecordCrashReportAsync(string bootstrapProof, CrashReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!Proves(bootstrapProof))
        {
            return null;
        }

        var now = time.GetUtcNow();
        now = now.AddTicks(-(now.UtcTicks % 10));
        var reportId = $"crash-{Guid.NewGuid():N}";
        var expiresAt = retention.Value.RoundedExpiryOf(DataCategory.CrashReport, now)!.Value;
        if (await UpdateAsync(_ => AdmitCrashReport(expiresAt, now)) is not { } basis)
        {
            LogCrashReport(logger, Key, ReportOutcome.Discarded);
            return new ReportReceipt(reportId, now, ReportOutcome.Discarded);
        }

        var item = new HeldItem(
            ReportRows.ItemId(reportId, DataCategory.CrashReport),
            reportId,
            DataCategory.CrashReport,
            DataSource.Direct,
            DataPurpose.CrashReports,
            now,
            expiresAt,
            Personal: true,
            JsonSerializer.Serialize(new CrashText(report.Version, report.Component, report.OccurredAt, report.Message, report.Stack), s_crashJson),
            ImmutableDictionary<string, double>.Empty,
            basis);

        // Armed before the row exists, so no row is ever without the reminder that destroys it.
        await ArmRetentionAsync();
        var append = await reportLog.AppendAsync(Region, Key, reportId, [item]);
        LogCrashReport(logger, Key, ReportOutcome.Stored);
        return new ReportReceipt(reportId, append.AcceptedAt, ReportOutcome.Stored);
    }

    public async Task SetLinkedCrashConsentAsync(string userKey, bool withdrawn)
    {
        if (!IsLinkedTo(userKey))
        {
            return;
        }

        await UpdateAsync(_ =>
        {
            var grants = state.State.CrashReportsGrantedBy;
            var listed = grants.Contains(userKey, StringComparer.Ordinal);
            if (listed != withdrawn)
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
    }

    /// <summary>
    /// Decided on fresh state, counting the report in the same write: discarded while telemetry is off, while a linked
    /// person has not granted crash-reports consent (not granted by default), or once the cluster sent its cap for the
    /// day. Returns the basis it is kept on: <c>operator</c> for a cluster nobody linked, <c>consent</c> otherwise.
    /// </summary>
    private (bool Changed, string? Basis) AdmitCrashReport(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var current = state.State;
        if (current.TelemetryDisabled || !current.Links.Keys.All(current.CrashReportsGrantedBy.Contains))
        {
            return (false, null);
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var sentToday = current.CrashReportDay == today ? current.CrashReportsThatDay : 0;
        if (sentToday >= crashReports.Value.MaxPerClusterPerDay)
        {
            return (false, null);
        }

        current.CrashReportDay = today;
        current.CrashReportsThatDay = sentToday + 1;
        if (current.EarliestReportExpiry is not { } earliest || expiresAt < earliest)
        {
            current.EarliestReportExpiry = expiresAt;
        }

        return (true, current.Links.Count == 0 ? CrashReportBases.Operator : CrashReportBases.Consent);
    }

    /// <summary>How a crash report is held: its fields as one JSON text, the item's value.</summary>
    private sealed record CrashText(string Version, string Component, DateTimeOffset OccurredAt, string Message, string Stack);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Crash report for cluster {GrainKey}: {Outcome}")]
    private static partial void LogCrashReport(ILogger logger, string grainKey, ReportOutcome outcome);
}
