using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Tests.Infrastructure;

namespace PrimeDirective.Grains.Tests.Clusters;

/// <summary>
/// What a cluster's grain keeps of a report, and what it acknowledges and discards: a cluster that disabled telemetry, a
/// report claiming another installation's cluster id, a report a linked account withheld consent for.
/// </summary>
[Collection(GrainClusterDefinition.Name)]
public sealed class AdmissionTests(GrainCluster cluster)
{
    [Fact]
    public async Task A_first_report_is_stored_with_its_items_at_the_policy_clocks_time_and_the_cluster_is_known_by_its_bootstrap_id()
    {
        var flynn = cluster.NewCluster();
        var now = cluster.Clock.GetUtcNow();

        var receipt = await flynn.Grain.RecordReportAsync(flynn.Report(reportId: "first", cpu: 0.5));

        Assert.Equal(new ReportReceipt("first", now, ReportOutcome.Stored), receipt);
        var items = await ReportItemsAsync(flynn);
        Assert.Equal([DataCategory.Usage, DataCategory.Performance, DataCategory.Configuration, DataCategory.IpAddress], items.Select(item => item.Category));
        Assert.All(items, item => Assert.Equal(("first", now, DataPurpose.UsageStatistics, DataSource.Automatic), (item.ReportId, item.CollectedAt, item.Purpose, item.Source)));
        Assert.Equal("192.0.2.10", items.Single(item => item.Category == DataCategory.IpAddress).Value);
        Assert.Equal("v20261207.0", items.Single(item => item.Category == DataCategory.Configuration).Value);
        Assert.Equal(3, items.Single(item => item.Category == DataCategory.Usage).Metrics["running_apps"]);

        var record = await flynn.Grain.GetAsync(flynn.BootstrapId);
        Assert.NotNull(record);
        Assert.Equal((flynn.ClusterId, "eu", now, false), (record.ClusterId, record.Region, record.FirstSeenAt, record.Telemetry.Disabled));
        Assert.Equal(["cluster-id", "bootstrap-id"], record.Items.Select(item => item.ItemId));
        Assert.Equal([flynn.ClusterId, flynn.BootstrapId], record.Items.Select(item => item.Value));
    }

    [Fact]
    public async Task Each_item_expires_by_its_categorys_retention_rounded_down_to_a_day()
    {
        var flynn = cluster.NewCluster();
        var now = cluster.Clock.GetUtcNow();

        await flynn.Grain.RecordReportAsync(flynn.Report());

        var items = await ReportItemsAsync(flynn);
        var day = now.UtcDateTime.Date;
        Assert.Equal(new DateTimeOffset(day.AddDays(30), TimeSpan.Zero), items.Single(item => item.Category == DataCategory.IpAddress).ExpiresAt);
        Assert.Equal(new DateTimeOffset(day.AddDays(90), TimeSpan.Zero), items.Single(item => item.Category == DataCategory.Usage).ExpiresAt);
        Assert.All(items, item => Assert.True(item.ExpiresAt <= now + TimeSpan.FromDays(90), "never kept longer than the policy says"));
    }

    [Fact]
    public async Task A_repeated_report_id_is_a_duplicate_answered_with_the_first_acceptance_and_stored_once()
    {
        var flynn = cluster.NewCluster();
        var first = await flynn.Grain.RecordReportAsync(flynn.Report(reportId: "again"));
        cluster.Clock.Advance(TimeSpan.FromMinutes(5));

        var repeat = await flynn.Grain.RecordReportAsync(flynn.Report(reportId: "again", apps: 99, ipAddress: "192.0.2.99"));

        Assert.Equal(ReportOutcome.Duplicate, repeat.Outcome);
        Assert.Equal((first.ReportId, first.AcceptedAt), (repeat.ReportId, repeat.AcceptedAt));
        var items = await ReportItemsAsync(flynn);
        Assert.Single(items, item => item.Category == DataCategory.Usage);
        Assert.DoesNotContain(items, item => item.Value == "192.0.2.99" || item.Metrics.ContainsValue(99));
    }

    [Fact]
    public async Task Scheduler_reports_carry_no_report_id_so_each_gets_a_fresh_one_and_is_stored()
    {
        var flynn = cluster.NewCluster();

        var first = await flynn.Grain.RecordReportAsync(flynn.SchedulerReport());
        var second = await flynn.Grain.RecordReportAsync(flynn.SchedulerReport());

        Assert.Equal((ReportOutcome.Stored, ReportOutcome.Stored), (first.Outcome, second.Outcome));
        Assert.NotEqual(first.ReportId, second.ReportId);
        Assert.Equal(2, (await ReportItemsAsync(flynn)).Count(item => item.Category == DataCategory.Usage));
    }

    [Fact]
    public async Task A_report_without_an_address_or_performance_section_stores_no_item_for_them()
    {
        var flynn = cluster.NewCluster();

        await flynn.Grain.RecordReportAsync(flynn.Report(ipAddress: null, cpu: null));

        var items = await ReportItemsAsync(flynn);
        Assert.Equal([DataCategory.Usage, DataCategory.Configuration], items.Select(item => item.Category));
    }

    [Fact]
    public async Task A_cluster_that_disabled_telemetry_has_its_reports_acknowledged_and_discarded_keeping_nothing_of_them()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report());
        var before = await ReportItemsAsync(flynn);
        var setting = await flynn.Grain.SetTelemetryAsync(flynn.BootstrapId, disabled: true, purge: false);
        Assert.Equal(new TelemetrySetting(true, cluster.Clock.GetUtcNow()), setting);

        var receipt = await flynn.Grain.RecordReportAsync(flynn.Report(reportId: "after-opt-out", ipAddress: "192.0.2.66"));

        Assert.Equal(ReportOutcome.Discarded, receipt.Outcome);
        Assert.Equal("after-opt-out", receipt.ReportId);
        var after = await ReportItemsAsync(flynn);
        Assert.Equal(before, after);
        Assert.DoesNotContain(after, item => item.ReportId == "after-opt-out" || item.Value == "192.0.2.66");
    }

    [Fact]
    public async Task Reports_are_stored_again_once_telemetry_is_enabled_again()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report());
        await flynn.Grain.SetTelemetryAsync(flynn.BootstrapId, disabled: true, purge: false);
        Assert.Equal(ReportOutcome.Discarded, (await flynn.Grain.RecordReportAsync(flynn.Report())).Outcome);

        var enabled = await flynn.Grain.SetTelemetryAsync(flynn.BootstrapId, disabled: false, purge: false);
        var receipt = await flynn.Grain.RecordReportAsync(flynn.Report(reportId: "back"));

        Assert.False(enabled!.Disabled);
        Assert.Equal(ReportOutcome.Stored, receipt.Outcome);
        Assert.Contains(await ReportItemsAsync(flynn), item => item.ReportId == "back");
    }

    [Fact]
    public async Task Disabling_with_purge_destroys_every_report_item_and_with_nothing_else_held_the_raw_ids_too_while_the_opt_out_is_still_honoured()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report(ipAddress: "192.0.2.77"));

        await flynn.Grain.SetTelemetryAsync(flynn.BootstrapId, disabled: true, purge: true);

        // The operator is still recognised by the bootstrap id (its salted hash is kept), but no id or report is held.
        var record = await flynn.Grain.GetAsync(flynn.BootstrapId);
        Assert.NotNull(record);
        Assert.True(record.Telemetry.Disabled);
        Assert.Empty(record.Items);
        Assert.Contains(record.Audit, entry => entry.Action == "identifiers-destroyed");
        Assert.Empty(await ReportItemsAsync(flynn));
        Assert.Equal(ReportOutcome.Discarded, (await flynn.Grain.RecordReportAsync(flynn.Report())).Outcome);
        Assert.Empty(await ReportItemsAsync(flynn));
        Assert.Null(await flynn.Grain.GetAsync(Guid.NewGuid().ToString()));
    }

    [Fact]
    public async Task A_report_with_another_bootstrap_id_for_a_known_cluster_is_discarded_and_does_not_take_the_cluster_over()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report());
        var before = await ReportItemsAsync(flynn);
        var impostor = Guid.NewGuid().ToString();

        var receipt = await flynn.Grain.RecordReportAsync(flynn.Report(bootstrapId: impostor, ipAddress: "192.0.2.88"));

        Assert.Equal(ReportOutcome.Discarded, receipt.Outcome);
        Assert.Equal(before, await ReportItemsAsync(flynn));
        Assert.Null(await flynn.Grain.GetAsync(impostor));
        Assert.Null(await flynn.Grain.ReadReportsAsync(impostor, null));
        Assert.Null(await flynn.Grain.SetTelemetryAsync(impostor, disabled: true, purge: true));
        Assert.False((await flynn.Grain.GetAsync(flynn.BootstrapId))!.Telemetry.Disabled);
    }

    [Fact]
    public async Task An_unknown_cluster_answers_nothing_to_any_proof_and_holds_nothing()
    {
        var flynn = cluster.NewCluster();

        Assert.Null(await flynn.Grain.GetAsync(flynn.BootstrapId));
        Assert.Null(await flynn.Grain.ReadReportsAsync(flynn.BootstrapId, null));
        Assert.Null(await flynn.Grain.SetTelemetryAsync(flynn.BootstrapId, disabled: true, purge: false));
        Assert.False(await flynn.Grain.LinkAsync(flynn.BootstrapId, "eu/someone", usageStatisticsConsent: true));
        Assert.Equal(0, cluster.Conflicts.WritesOf(cluster.ClusterKeys.For("eu", flynn.ClusterId)));
    }

    [Fact]
    public async Task A_linked_account_that_withdrew_usage_statistics_consent_has_the_clusters_reports_discarded_until_it_grants_again()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report());
        var person = await cluster.NewPersonAsync();
        Assert.NotNull(await person.Grain.LinkClusterAsync(flynn.ClusterId, flynn.Region, flynn.BootstrapId));

        await person.Grain.SetConsentAsync(DataPurpose.UsageStatistics, granted: false);
        var withheld = await flynn.Grain.RecordReportAsync(flynn.Report(reportId: "withheld"));
        await person.Grain.SetConsentAsync(DataPurpose.UsageStatistics, granted: true);
        var granted = await flynn.Grain.RecordReportAsync(flynn.Report(reportId: "granted"));

        Assert.Equal((ReportOutcome.Discarded, ReportOutcome.Stored), (withheld.Outcome, granted.Outcome));
        var items = await ReportItemsAsync(flynn);
        Assert.DoesNotContain(items, item => item.ReportId == "withheld");
        Assert.Contains(items, item => item.ReportId == "granted");
    }

    [Fact]
    public async Task One_of_two_linked_accounts_withdrawing_is_enough_to_discard()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report());
        var (first, second) = (await cluster.NewPersonAsync(), await cluster.NewPersonAsync("us"));
        await first.Grain.LinkClusterAsync(flynn.ClusterId, flynn.Region, flynn.BootstrapId);
        await second.Grain.LinkClusterAsync(flynn.ClusterId, flynn.Region, flynn.BootstrapId);

        Assert.Equal(ReportOutcome.Stored, (await flynn.Grain.RecordReportAsync(flynn.Report())).Outcome);
        await second.Grain.SetConsentAsync(DataPurpose.UsageStatistics, granted: false);

        Assert.Equal(ReportOutcome.Discarded, (await flynn.Grain.RecordReportAsync(flynn.Report())).Outcome);
        Assert.True((await first.Grain.GetAsync())!.Consents.Single(consent => consent.Purpose == DataPurpose.UsageStatistics).Granted);
    }

    [Fact]
    public async Task Linking_with_the_default_consent_keeps_reports_coming_and_only_the_linked_account_sees_them()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report());
        var (linked, stranger) = (await cluster.NewPersonAsync(), await cluster.NewPersonAsync());
        var link = await linked.Grain.LinkClusterAsync(flynn.ClusterId, flynn.Region, flynn.BootstrapId);

        Assert.Equal(ReportOutcome.Stored, (await flynn.Grain.RecordReportAsync(flynn.Report(reportId: "linked"))).Outcome);
        Assert.Equal((flynn.ClusterId, "eu"), (link!.ClusterId, link.Region));
        Assert.Contains((await flynn.Grain.ReadReportsForLinkAsync(linked.Key, null))!.Items, item => item.ReportId == "linked");
        Assert.Equal(flynn.ClusterId, (await flynn.Grain.GetForLinkAsync(linked.Key))!.ClusterId);
        Assert.Null(await flynn.Grain.ReadReportsForLinkAsync(stranger.Key, null));
        Assert.Null(await flynn.Grain.GetForLinkAsync(stranger.Key));
    }

    [Fact]
    public async Task Linking_needs_the_bootstrap_id_a_wrong_one_links_nothing()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report());
        var person = await cluster.NewPersonAsync();

        Assert.Null(await person.Grain.LinkClusterAsync(flynn.ClusterId, flynn.Region, Guid.NewGuid().ToString()));

        Assert.Empty((await person.Grain.GetAsync())!.Clusters);
        Assert.Null(await flynn.Grain.GetForLinkAsync(person.Key));
    }

    [Fact]
    public async Task A_cluster_in_another_region_is_recorded_there()
    {
        var flynn = cluster.NewCluster("ap");

        await flynn.Grain.RecordReportAsync(flynn.Report());

        Assert.Equal("ap", (await flynn.Grain.GetAsync(flynn.BootstrapId))!.Region);
        Assert.StartsWith("ap/", cluster.ClusterKeys.For("ap", flynn.ClusterId), StringComparison.Ordinal);
        Assert.Null(await cluster.Grains.GetGrain<IClusterGrain>(cluster.ClusterKeys.For("eu", flynn.ClusterId)).GetAsync(flynn.BootstrapId));
    }

    [Fact]
    public async Task Items_past_their_expiry_are_no_longer_served_while_the_rest_are()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report());

        cluster.Clock.Advance(TimeSpan.FromDays(31));

        var items = await ReportItemsAsync(flynn);
        Assert.DoesNotContain(items, item => item.Category == DataCategory.IpAddress);
        Assert.Contains(items, item => item.Category == DataCategory.Usage);
    }

    [Fact]
    public async Task The_silos_log_names_no_cluster_id_bootstrap_id_or_address_of_what_it_admitted_or_discarded()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report(ipAddress: "198.51.100.203"));
        await flynn.Grain.SetTelemetryAsync(flynn.BootstrapId, disabled: true, purge: true);
        await flynn.Grain.RecordReportAsync(flynn.Report(ipAddress: "198.51.100.204"));

        var logged = cluster.Logs.GetSnapshot().Select(record => $"{record.Message} {record.Exception}").ToList();
        Assert.NotEmpty(logged);
        foreach (var secret in new[] { flynn.ClusterId, flynn.BootstrapId, "198.51.100.203", "198.51.100.204" })
        {
            Assert.DoesNotContain(logged, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }

    private static async Task<List<HeldItem>> ReportItemsAsync(FlynnCluster flynn)
    {
        var items = new List<HeldItem>();
        string? after = null;
        do
        {
            var page = await flynn.Grain.ReadReportsAsync(flynn.BootstrapId, after);
            Assert.NotNull(page);
            items.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);

        return items;
    }
}
