using System.Text.Json;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Tests.ClusterReports;

public sealed class ClusterReportsTests
{
    [Fact]
    public async Task A_first_report_records_the_ids_and_its_earliest_expiry_and_the_rows_hold_its_items()
    {
        var parts = new ClusterParts();
        Assert.True(await parts.StoreAsync(parts.Report()));

        var stored = parts.State.Stored;
        Assert.Equal(parts.ClusterId, stored.ClusterId);
        Assert.Equal(parts.BootstrapId, stored.BootstrapId);
        Assert.Equal(parts.Clock.GetUtcNow(), stored.FirstSeenAt);
        Assert.Equal(parts.Retention.RoundedExpiryOf(DataCategory.IpAddress, parts.Clock.GetUtcNow()), stored.EarliestReportExpiry);
        Assert.Equal(3, await parts.RowsAsync());
    }

    [Fact]
    public async Task The_state_stays_the_same_size_whatever_number_of_reports_came_before()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        var afterOne = JsonSerializer.Serialize(parts.State.Stored).Length;
        for (var report = 0; report < 200; report++)
        {
            Assert.True(await parts.StoreAsync(parts.Report()));
        }

        Assert.Equal(afterOne, JsonSerializer.Serialize(parts.State.Stored).Length);
        Assert.Empty(parts.State.Stored.Items);
        Assert.Equal(201 * 3, await parts.RowsAsync());
    }

    [Fact]
    public async Task A_first_report_whose_write_conflicts_with_an_opt_out_made_elsewhere_is_discarded_on_the_fresh_state()
    {
        var parts = new ClusterParts();

        // Another activation of the same cluster stored it, and its operator disabled telemetry, while this one decided.
        parts.State.ConflictOnNextWrite(other =>
            (other.ClusterId, other.BootstrapId, other.FirstSeenAt, other.TelemetryDisabled) = (parts.ClusterId, parts.BootstrapId, parts.Clock.GetUtcNow(), true));
        Assert.False(await parts.StoreAsync(parts.Report()));

        Assert.Equal(1, parts.State.Conflicts);
        Assert.True(parts.State.Stored.TelemetryDisabled);
        Assert.Null(parts.State.Stored.EarliestReportExpiry);
        Assert.Equal(0, await parts.RowsAsync());
    }

    [Fact]
    public async Task A_report_from_another_installation_is_discarded_and_changes_nothing()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        var writes = parts.State.Writes;

        Assert.False(await parts.StoreAsync(parts.Report(bootstrapId: Guid.NewGuid().ToString("D"))));
        Assert.Equal(writes, parts.State.Writes);
        Assert.Equal(parts.BootstrapId, parts.State.Stored.BootstrapId);
        Assert.Equal(3, await parts.RowsAsync());
    }

    [Fact]
    public void After_an_expiry_deletion_a_sooner_future_expiry_stored_elsewhere_wins_and_a_passed_one_does_not()
    {
        var now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var left = new ReportDeletion(System.Collections.Immutable.ImmutableDictionary<DataCategory, int>.Empty, now.AddDays(30));
        Assert.Equal(now.AddDays(2), Grains.Clusters.ClusterReports.NextExpiryAfter(left, now.AddDays(2), now));
        Assert.Equal(now.AddDays(30), Grains.Clusters.ClusterReports.NextExpiryAfter(left, now.AddDays(-1), now));
        Assert.Equal(now.AddDays(30), Grains.Clusters.ClusterReports.NextExpiryAfter(left, now.AddDays(40), now));
    }

    [Fact]
    public async Task Recording_an_expiry_after_a_conflict_keeps_the_sooner_expiry_another_activation_stored()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        var now = parts.Clock.GetUtcNow();
        var deletion = new ReportDeletion(System.Collections.Immutable.ImmutableDictionary<DataCategory, int>.Empty.Add(DataCategory.IpAddress, 1), now.AddDays(80));

        parts.State.ConflictOnNextWrite(other => other.EarliestReportExpiry = now.AddDays(5));
        await parts.Reports.RecordExpiryAsync(deletion, now);

        Assert.Equal(1, parts.State.Conflicts);
        Assert.Equal(now.AddDays(5), parts.State.Stored.EarliestReportExpiry);
        Assert.Single(parts.State.Stored.Audit, entry => entry.Action == "destroyed");
    }

    [Fact]
    public async Task Reports_an_earlier_version_kept_in_the_state_move_to_the_rows_once_even_when_moved_twice()
    {
        var parts = new ClusterParts();
        var now = parts.Clock.GetUtcNow();
        var items = parts.Reports.ItemsOf(parts.Report("old-report"), "old-report", now);
        parts.State.ChangeElsewhere(other =>
        {
            (other.ClusterId, other.BootstrapId, other.FirstSeenAt) = (parts.ClusterId, parts.BootstrapId, now);
            other.Items.AddRange(items);
        });
        await parts.State.ReadStateAsync();

        Assert.Equal(items.Count, await parts.Reports.MoveEarlierAsync());
        Assert.Equal(0, await parts.Reports.MoveEarlierAsync());
        Assert.Empty(parts.State.Stored.Items);
        Assert.Equal(items.Min(item => item.ExpiresAt), parts.State.Stored.EarliestReportExpiry);
        Assert.Equal(items.Count, await parts.RowsAsync());
    }
}
