using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Tests.ClusterReports;

namespace PrimeDirective.Grains.Tests.ClusterCrashReports;

public sealed class ClusterCrashReportsTests
{
    private static CrashReport Crash() => new("v20261201", "scheduler", DateTimeOffset.UnixEpoch, "panic: host /home/alice unreachable", "main.go:42");

    [Fact]
    public async Task A_crash_reports_text_is_stored_sealed_under_the_clusters_key_reads_back_opened_and_reads_as_absent_once_the_key_is_destroyed()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        var other = Grains.Clusters.ClusterCrashReports.ContextFor($"{ClusterParts.Region}/{Guid.NewGuid():N}", "crash-1:crash-report");
        var otherText = await parts.Sealer.SealTextAsync(other, "another cluster's crash");
        var canary = $"canary-{Guid.NewGuid():N}";
        var crash = Crash() with { Message = $"panic: {canary}", Stack = $"{canary}.go:42" };

        Assert.Equal(ReportOutcome.Stored, (await parts.CrashReports.RecordAsync(crash, () => Task.CompletedTask)).Outcome);

        // The row holds the text sealed under the cluster's own key: no canary in any form a dump shows.
        var stored = Assert.Single((await parts.Log.ReadAsync(ClusterParts.Region, parts.Key, parts.Clock.GetUtcNow(), null, 100)).Items,
            item => item.Category == Interfaces.Privacy.DataCategory.CrashReport);
        Assert.DoesNotContain(canary, stored.Value!, StringComparison.OrdinalIgnoreCase);
        var clusterKey = await parts.KeyStore.PeekAsync(parts.Key);
        Assert.Equal(clusterKey!.Id, PrimeDirective.Grains.Sealing.Sealer.KeyIdOf(Convert.FromBase64String(stored.Value!)));

        // Read through the cluster, it is the text that was sent.
        var shown = Assert.Single((await parts.Reports.ReadAsync(parts.Clock.GetUtcNow(), null)).Items, item => item.Category == Interfaces.Privacy.DataCategory.CrashReport);
        Assert.Contains($"panic: {canary}", shown.Value!, StringComparison.Ordinal);
        Assert.Contains($"{canary}.go:42", shown.Value!, StringComparison.Ordinal);

        // The key destroyed (as erasure does first), the same row reads as absent, never as an error; nobody else's key went.
        await parts.KeyStore.DestroyAsync(clusterKey.Id);
        parts.Sealer.Cache.Evict(parts.Key, clusterKey.Id);
        var erased = Assert.Single((await parts.Reports.ReadAsync(parts.Clock.GetUtcNow(), null)).Items, item => item.Category == Interfaces.Privacy.DataCategory.CrashReport);
        Assert.Null(erased.Value);
        Assert.Null(await parts.KeyStore.PeekAsync(parts.Key));
        Assert.Equal("another cluster's crash", await parts.Sealer.OpenTextAsync(other, otherText));
    }

    [Fact]
    public async Task At_most_the_daily_cap_is_kept_and_the_count_starts_again_the_next_day()
    {
        var parts = new ClusterParts(maxCrashReportsPerDay: 2);
        await parts.StoreAsync(parts.Report());
        var armed = 0;
        Task Arm()
        {
            armed++;
            return Task.CompletedTask;
        }

        var outcomes = new List<ReportOutcome>();
        for (var crash = 0; crash < 4; crash++)
        {
            outcomes.Add((await parts.CrashReports.RecordAsync(Crash(), Arm)).Outcome);
        }

        Assert.Equal([ReportOutcome.Stored, ReportOutcome.Stored, ReportOutcome.Discarded, ReportOutcome.Discarded], outcomes);
        Assert.Equal(2, armed);
        Assert.Equal(3 + 2, await parts.RowsAsync());
        Assert.Equal(2, parts.State.Stored.CrashReportsThatDay);

        parts.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(ReportOutcome.Stored, (await parts.CrashReports.RecordAsync(Crash(), Arm)).Outcome);
        Assert.Equal(1, parts.State.Stored.CrashReportsThatDay);
    }

    [Fact]
    public async Task A_crash_report_whose_write_conflicts_with_the_cap_reached_elsewhere_is_discarded_and_not_counted_twice()
    {
        var parts = new ClusterParts(maxCrashReportsPerDay: 2);
        await parts.StoreAsync(parts.Report());
        Assert.Equal(ReportOutcome.Stored, (await parts.CrashReports.RecordAsync(Crash(), () => Task.CompletedTask)).Outcome);

        // Another activation kept the day's second crash report meanwhile.
        parts.State.ConflictOnNextWrite(other => other.CrashReportsThatDay = 2);
        var receipt = await parts.CrashReports.RecordAsync(Crash(), () => throw new InvalidOperationException("nothing to arm: nothing is kept"));

        Assert.Equal(ReportOutcome.Discarded, receipt.Outcome);
        Assert.Equal(1, parts.State.Conflicts);
        Assert.Equal(2, parts.State.Stored.CrashReportsThatDay);
        Assert.Equal(3 + 1, await parts.RowsAsync());
    }

    [Fact]
    public async Task A_linked_person_who_has_not_granted_crash_reports_keeps_them_out_and_a_grant_lets_them_in_on_consent()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        await parts.Consents.LinkAsync("eu/person", usageStatisticsConsent: true);

        Assert.Equal(ReportOutcome.Discarded, (await parts.CrashReports.RecordAsync(Crash(), () => Task.CompletedTask)).Outcome);
        Assert.Equal(3, await parts.RowsAsync());

        await parts.Consents.SetLinkedCrashConsentAsync("eu/person", withdrawn: false);
        Assert.Equal(ReportOutcome.Stored, (await parts.CrashReports.RecordAsync(Crash(), () => Task.CompletedTask)).Outcome);
        var rows = await parts.Log.ReadAsync(ClusterParts.Region, parts.Key, parts.Clock.GetUtcNow(), null, 100);
        Assert.Equal(Grains.Clusters.CrashReportBases.Consent, Assert.Single(rows.Items, item => item.Category == Interfaces.Privacy.DataCategory.CrashReport).Basis);
    }
}
