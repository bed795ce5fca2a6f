using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// Crash reports (owns <see cref="ClusterState.CrashReportDay"/> and <see cref="ClusterState.CrashReportsThatDay"/>):
/// given directly by the operator, personal as a whole, kept for the crash-report retention as rows of the report log
/// beside the cluster's reports, so that access, export, expiry and erasure treat them alike. The text (message and
/// stack) is sealed per value under the cluster's data key (<see cref="ContextFor"/>); <see cref="ClusterReports"/> opens it. At most
/// <see cref="CrashReportOptions.MaxPerClusterPerDay"/> a day are kept, counted in the write that admits each.
/// </summary>
public sealed partial class ClusterCrashReports(
    SubjectDocument<ClusterState> document, ClusterReports reports, RetentionOptions policy, CrashReportOptions options, Sealer sealer, ILogger logger, string key)
{
    /// <summary>
    /// Where a crash report's text is sealed: the report row's item value, under the cluster's data key, bound to the
    /// item's id (so erasure of the cluster makes every copy of the message and stack unreadable).
    /// </summary>
    public static SealContext ContextFor(string clusterKey, string itemId) => new("report", "items.v", clusterKey, itemId);

    private static readonly JsonSerializerOptions s_crashJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Keeps the report if it is admitted; <paramref name="armRetention"/> runs after the admission and before the row
    /// exists, so no row is ever without the reminder that destroys it. A discarded report answers with its own id and no row.
    /// </summary>
    public async Task<ReportReceipt> RecordAsync(CrashReport report, Func<Task> armRetention)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(armRetention);
        var now = ClusterReports.Stored(document.Now);
        var reportId = $"crash-{Guid.NewGuid():N}";
        var expiresAt = policy.RoundedExpiryOf(DataCategory.CrashReport, now)!.Value;
        if (await AdmitAsync(expiresAt) is not { } basis)
        {
            LogCrashReport(logger, key, ReportOutcome.Discarded);
            return new ReportReceipt(reportId, now, ReportOutcome.Discarded);
        }

        var itemId = ReportRows.ItemId(reportId, DataCategory.CrashReport);
        var text = JsonSerializer.Serialize(new CrashText(report.Version, report.Component, report.OccurredAt, report.Message, report.Stack), s_crashJson);
        var item = new HeldItem(
            itemId,
            reportId,
            DataCategory.CrashReport,
            DataSource.Direct,
            DataPurpose.CrashReports,
            now,
            expiresAt,
            Personal: true,
            await sealer.SealTextAsync(ContextFor(key, itemId), text),
            ImmutableDictionary<string, double>.Empty,
            basis);
        await armRetention();
        var append = await reports.AppendAsync(reportId, [item]);
        LogCrashReport(logger, key, ReportOutcome.Stored);
        return new ReportReceipt(reportId, append.AcceptedAt, ReportOutcome.Stored);
    }

    /// <summary>
    /// Decided on fresh state (again after a conflict), counting the report in the same write: discarded while telemetry
    /// is off, while a linked person has not granted crash-reports consent, or once the cluster sent its cap for the day.
    /// Returns the basis it is kept on: <c>operator</c> for a cluster nobody linked, <c>consent</c> otherwise.
    /// </summary>
    private Task<string?> AdmitAsync(DateTimeOffset expiresAt) =>
        document.UpdateAsync(now =>
        {
            var current = document.State;
            if (ClusterConsents.WithholdsCrashReports(current))
            {
                return (false, (string?)null);
            }

            var today = DateOnly.FromDateTime(now.UtcDateTime);
            var sentToday = current.CrashReportDay == today ? current.CrashReportsThatDay : 0;
            if (sentToday >= options.MaxPerClusterPerDay)
            {
                return (false, null);
            }

            current.CrashReportDay = today;
            current.CrashReportsThatDay = sentToday + 1;
            ClusterReports.Widen(current, expiresAt);
            return (true, current.Links.Count == 0 ? CrashReportBases.Operator : CrashReportBases.Consent);
        });

    /// <summary>How a crash report is held: its fields as one JSON text, the item's value.</summary>
    private sealed record CrashText(string Version, string Component, DateTimeOffset OccurredAt, string Message, string Stack);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Crash report for cluster {GrainKey}: {Outcome}")]
    private static partial void LogCrashReport(ILogger logger, string grainKey, ReportOutcome outcome);
}
