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
        var item = new HeldItem(
            ReportRows.ItemId(reportId, DataCategory.CrashReport),
            reportId,
            DataCategory.CrashReport,
            DataSource.Direct,
            DataPurpose.CrashReports,
            now,
            retention.Value.RoundedExpiryOf(DataCategory.CrashReport, now),
            Personal: true,
            JsonSerializer.Serialize(new CrashText(report.Version, report.Component, report.OccurredAt, report.Message, report.Stack), s_crashJson),
            ImmutableDictionary<string, double>.Empty);
        if (!await UpdateAsync(_ => AdmitCrashReport(item.ExpiresAt!.Value)))
        {
            LogCrashReport(logger, Key, ReportOutcome.Discarded);
            return new ReportReceipt(reportId, now, ReportOutcome.Discarded);
        }

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
            var withdrawals = state.State.CrashReportsWithdrawnBy;
            var listed = withdrawals.Contains(userKey, StringComparer.Ordinal);
            if (listed == withdrawn)
            {
                return (false, true);
            }

            if (withdrawn)
            {
                withdrawals.Add(userKey);
            }
            else
            {
                withdrawals.RemoveAll(key => key == userKey);
            }

            return (true, true);
        });
    }

    /// <summary>Decided on fresh state: discarded while telemetry is off or a linked account withdrew crash-reports consent.</summary>
    private (bool Changed, bool Admitted) AdmitCrashReport(DateTimeOffset expiresAt)
    {
        var current = state.State;
        if (current.TelemetryDisabled || current.CrashReportsWithdrawnBy.Any(current.Links.ContainsKey))
        {
            return (false, false);
        }

        if (current.EarliestReportExpiry is not { } earliest || expiresAt < earliest)
        {
            current.EarliestReportExpiry = expiresAt;
            return (true, true);
        }

        return (false, true);
    }

    /// <summary>How a crash report is held: its fields as one JSON text, the item's value.</summary>
    private sealed record CrashText(string Version, string Component, DateTimeOffset OccurredAt, string Message, string Stack);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Crash report for cluster {GrainKey}: {Outcome}")]
    private static partial void LogCrashReport(ILogger logger, string grainKey, ReportOutcome outcome);
}
