using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// A cluster's reports: their admission and their rows in the region's report log (owns
/// <see cref="ClusterState.EarliestReportExpiry"/>, and the <see cref="ClusterState.Items"/> and
/// <see cref="ClusterState.Accepted"/> an earlier version kept). The state holds only the earliest expiry of the rows,
/// never the rows: whatever the cluster sent before, a report costs the same.
/// </summary>
public sealed partial class ClusterReports(
    SubjectDocument<ClusterState> document, IReportLog log, RetentionOptions policy, ClusterIdentifiers identifiers, Sealer sealer, ILogger logger, string region, string key)
{
    /// <summary>The time truncated to microseconds: what PostgreSQL keeps, so a repeat is answered with exactly the time the first was.</summary>
    public static DateTimeOffset Stored(DateTimeOffset now) => now.AddTicks(-(now.UtcTicks % 10));

    /// <summary>
    /// Whether a report may be kept, decided on fresh state (again after a conflict): a report of a cluster that opted
    /// out, of another installation, or that a linked account withheld consent for is acknowledged and discarded. A kept
    /// report records the cluster's ids with its first report and the earliest expiry it brings; <paramref name="alongside"/>
    /// changes what else the same write should carry (on the state as it is then; <c>true</c> if it changed anything).
    /// </summary>
    public Task<bool> AdmitAsync(ClusterReport report, DateTimeOffset earliestExpiry, Func<ClusterState, bool>? alongside = null) =>
        document.UpdateAsync(now =>
        {
            var current = document.State;
            if (document.RecordExists && (ClusterConsents.WithholdsReports(current) || !identifiers.RecognisesReport(current, report.BootstrapId, now)))
            {
                // Acknowledged so the cluster stops retrying; nothing of it is kept, not even the address.
                return (false, false);
            }

            var changed = false;
            if (string.IsNullOrEmpty(current.ClusterId))
            {
                // A first report, or the first since telemetry was enabled again after the ids were destroyed. A report
                // with a replaced id (in its grace period) brings back the cluster id only: the hash of the new one stays.
                current.ClusterId = report.ClusterId;
                if (!document.RecordExists || identifiers.Recognises(current, report.BootstrapId))
                {
                    current.BootstrapId = report.BootstrapId;
                    current.BootstrapDigest = null;
                }

                current.FirstSeenAt ??= now;
                changed = true;
            }

            changed |= Widen(current, earliestExpiry);
            return ((alongside?.Invoke(current) ?? false) || changed, true);
        });

    /// <summary>Brings the earliest expiry forward to <paramref name="expiresAt"/> if that is sooner; <c>true</c> if it did.</summary>
    public static bool Widen(ClusterState current, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (current.EarliestReportExpiry is { } earliest && earliest <= expiresAt)
        {
            return false;
        }

        current.EarliestReportExpiry = expiresAt;
        return true;
    }

    /// <summary>Appends a report's items (a report id already there is not stored twice).</summary>
    public Task<ReportAppend> AppendAsync(string reportId, IReadOnlyList<HeldItem> items) => log.AppendAsync(region, key, reportId, items);

    /// <summary>A page of the items not expired at <paramref name="now"/>, opened, as the combination rule shows them.</summary>
    public async Task<ItemPage> ReadAsync(DateTimeOffset now, string? after)
    {
        var page = await log.ReadAsync(region, key, now, after, ReportRows.PageSize);
        var opened = new List<HeldItem>(page.Items.Length);
        foreach (var item in page.Items)
        {
            opened.Add(await OpenAsync(item));
        }

        return CombinationRule.Apply(page with { Items = [.. opened] });
    }

    /// <summary>
    /// A crash report's text opened (<see cref="ClusterCrashReports.ContextFor"/>); one whose key was destroyed reads as
    /// absent (no value). Text kept before sealing (plain JSON) reads as it is. Each item says how it is stored: the
    /// log's own word (the address), or from the stored text (a crash report); the rest of a row is stored plain.
    /// </summary>
    private async Task<HeldItem> OpenAsync(HeldItem item) =>
        item is { Category: DataCategory.CrashReport, Value: { } value } && !value.StartsWith('{')
            ? item with { Value = await sealer.OpenTextAsync(ClusterCrashReports.ContextFor(key, item.ItemId), value), Protection = await sealer.ProtectionOfAsync(value) }
            : item with { Protection = item.Protection ?? ItemProtection.None };

    /// <summary>Every item not expired at <paramref name="from"/>, page by page, as stored.</summary>
    public async IAsyncEnumerable<HeldItem> AllAsync(DateTimeOffset from)
    {
        for (string? after = null; ;)
        {
            var page = await log.ReadAsync(region, key, from, after, ReportRows.PageSize);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if ((after = page.Next) is null)
            {
                yield break;
            }
        }
    }

    /// <summary>How many items the cluster holds, by category.</summary>
    public Task<ImmutableDictionary<DataCategory, int>> CountAsync() => log.CountAsync(region, key);

    /// <summary>Deletes the rows expired at <paramref name="now"/> (all of them with <paramref name="all"/>), counted in the ledger with the deletion.</summary>
    public Task<ReportDeletion> DeleteAsync(DateTimeOffset now, bool all, string why) => log.DeleteAsync(region, key, now, all, "cluster", why);

    /// <summary>Purges every row and forgets their expiry (the ids stay: they honour the opt-out).</summary>
    public async Task PurgeAsync(DateTimeOffset now)
    {
        await DeleteAsync(now, all: true, "request");
        await document.UpdateAsync(_ => (document.State.EarliestReportExpiry is not null, document.State.EarliestReportExpiry = null));
    }

    /// <summary>Records what an expiry deletion destroyed, and the earliest expiry left, decided on the state as it is now.</summary>
    public Task RecordExpiryAsync(ReportDeletion deletion, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        return document.UpdateAsync(_ =>
        {
            var current = document.State;
            foreach (var (category, count) in deletion.Destroyed)
            {
                current.Audit.Add(new AuditEntry(now, "destroyed", $"{count} {WireNames.Of(category)} item(s): expiry"));
            }

            var next = NextExpiryAfter(deletion, current.EarliestReportExpiry, now);
            var changed = !deletion.Destroyed.IsEmpty || current.EarliestReportExpiry != next;
            current.EarliestReportExpiry = next;
            return (changed, true);
        });
    }

    /// <summary>
    /// The earliest expiry left after <paramref name="deletion"/>: an expiry still in the future in the stored state was
    /// stored by another activation after the deletion looked (a report it kept meanwhile), so the sooner of the two wins.
    /// An expiry that has passed is the one this deletion just handled.
    /// </summary>
    public static DateTimeOffset? NextExpiryAfter(ReportDeletion deletion, DateTimeOffset? stored, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        return stored is { } fresh && fresh > now && (deletion.NextExpiry is not { } left || fresh < left) ? fresh : deletion.NextExpiry;
    }

    /// <summary>
    /// Upgrade in place: reports an earlier version kept in the state document become rows (a report already there is not
    /// stored twice, so a crash halfway repeats safely), and only then leave the state. Answers how many items moved.
    /// </summary>
    public async Task<int> MoveEarlierAsync()
    {
        var earlier = document.State.Items;
        if (earlier.Count == 0 && document.State.Accepted.Count == 0)
        {
            return 0;
        }

        await Task.WhenAll(earlier.Where(item => item.ExpiresAt is not null)
            .GroupBy(item => item.ReportId ?? item.ItemId, StringComparer.Ordinal)
            .Select(report => log.AppendAsync(region, key, report.Key, [.. report])));
        var (moved, earliest) = (earlier.Count, earlier.Min(item => item.ExpiresAt));
        await document.UpdateAsync(_ =>
        {
            var current = document.State;
            current.Items.Clear();
            current.Accepted.Clear();
            if (earliest < current.EarliestReportExpiry || current.EarliestReportExpiry is null)
            {
                current.EarliestReportExpiry = earliest;
            }

            return (true, true);
        });
        LogMoved(logger, key, moved);
        return moved;
    }

    /// <summary>The items of one report: every item is linked to the cluster's id, so every item is personal (the combination rule).</summary>
    public IReadOnlyList<HeldItem> ItemsOf(ClusterReport report, string reportId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        HeldItem Item(DataCategory category, string? value, ImmutableDictionary<string, double> metrics) => new(
            ReportRows.ItemId(reportId, category), reportId, category, DataSource.Automatic, DataPurpose.UsageStatistics, now,
            policy.RoundedExpiryOf(category, now), Personal: true, value, metrics);

        List<HeldItem> items = [Item(DataCategory.Usage, value: null, report.Usage)];
        if (!report.Performance.IsEmpty)
        {
            items.Add(Item(DataCategory.Performance, value: null, report.Performance));
        }

        items.Add(Item(DataCategory.Configuration, report.Version, report.Configuration));
        if (report.IpAddress is not null)
        {
            items.Add(Item(DataCategory.IpAddress, report.IpAddress, ImmutableDictionary<string, double>.Empty));
        }

        return items;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey}: {Count} item(s) kept by an earlier version moved to the report log")]
    private static partial void LogMoved(ILogger logger, string grainKey, int count);
}
