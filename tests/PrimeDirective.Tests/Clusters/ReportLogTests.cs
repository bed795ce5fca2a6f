using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Clusters;

/// <summary>Reports are rows the cluster's grain appends, pages through and deletes by expiry; its state stays small.</summary>
[Collection(TestCollections.SharedService)]
public sealed class ReportLogTests(SharedService service)
{
    [Fact]
    public async Task A_cluster_with_1000_reports_exports_every_one_with_its_expiry_while_its_state_row_stays_small()
    {
        const int reports = 1000;
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var sent = Enumerable.Range(0, reports).Select(i => $"r-{i:D4}-{Guid.NewGuid():N}").ToList();
        foreach (var chunk in sent.Chunk(16))
        {
            var responses = await Task.WhenAll(chunk.Select(reportId =>
                service.Http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, reportId)))));
            Assert.All(responses, response => Assert.Equal(HttpStatusCode.Accepted, response.StatusCode));
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }

        using var get = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var items = (await Json.ReadAsync(get))["items"]!.AsArray();
        var usage = items.Where(item => (string?)item!["category"] == "usage").ToList();
        Assert.Equal(sent.Order(StringComparer.Ordinal), usage.Select(item => (string?)item!["reportId"]).Order(StringComparer.Ordinal));
        Assert.All(usage, item => Assert.Equal(StartOfDay(((DateTimeOffset)item!["collectedAt"]!).AddDays(90)), (DateTimeOffset)item["expiresAt"]!));
        Assert.All(items.Where(item => (string?)item!["category"] == "ip-address"),
            item => Assert.Equal(StartOfDay(((DateTimeOffset)item!["collectedAt"]!).AddDays(30)), (DateTimeOffset)item["expiresAt"]!));
        Assert.Equal(reports * 4 + 2, items.Count);

        // What grows with time is rows; the grain's own document holds ids, settings and one expiry.
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        Assert.Equal(reports * 4L, await service.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key", ("key", key)));
        Assert.InRange(await service.Database.ScalarAsync<int>("select length(payload_binary) from grain_state where grain_id_extension_string = @key", ("key", key)), 1, 4096);
    }

    [Fact]
    public async Task Pages_of_a_clusters_reports_follow_each_other_without_gap_or_repeat()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        var grains = service.Silos[0].Services.GetRequiredService<IGrainFactory>();
        var grain = grains.GetGrain<IClusterGrain>(key);
        var sent = Enumerable.Range(0, ReportRows.PageSize + 7).Select(i => $"p-{i:D4}").ToList();
        foreach (var reportId in sent)
        {
            var receipt = await grain.RecordReportAsync(new ClusterReport(
                cluster, bootstrap, reportId, Flynn.Version, null, ImmutableDictionary<string, double>.Empty.Add("hosts", 1), [], []));
            Assert.Equal(ReportOutcome.Stored, receipt.Outcome);
        }

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await grain.ReadReportsAsync(bootstrap, after);
            Assert.NotNull(page);
            Assert.InRange(page.Items.Length, 1, ReportRows.PageSize);
            seen.AddRange(page.Items.Select(item => item.ItemId));
            after = page.Next;
            pages++;
        }
        while (after is not null);

        // Two items a report (usage, configuration), every one once.
        Assert.Equal(sent.Count * 2, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(3, pages);
        Assert.Null(await grain.ReadReportsAsync(Flynn.NewId(), null));
    }

    private static DateTimeOffset StartOfDay(DateTimeOffset at) => new(at.UtcDateTime.Date, TimeSpan.Zero);
}

/// <summary>Report rows across restarts, expiry ticks, upgrades and erasure (each with a service of its own).</summary>
public sealed class ReportLogLifecycleTests
{
    [Fact]
    public async Task A_repeated_report_id_is_stored_once_across_a_silo_restart_and_answered_as_the_first_was()
    {
        await using var service = await ServiceHost.StartOwnedAsync<SharedService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var reportId = $"r-{Guid.NewGuid():N}";
        var first = await PostAsync(service, cluster, bootstrap, reportId);

        await service.KillSiloAsync(service.Silos.Single());
        await service.StartSiloAsync();
        var again = await Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await service.Http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, reportId, hosts: 77)));
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            },
            answer => answer.StatusCode == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(30),
            "the repeat answered by the new silo");

        Assert.Equal(first, again.Body);
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        Assert.Equal(4L, await service.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key", ("key", key)));
        Assert.Equal(0L, await service.Database.ScalarAsync<long>(
            "select count(*) from report_items where subject_key = @key and metrics ->> 'hosts' = '77'", ("key", key)));
    }

    [Fact]
    public async Task A_retention_tick_deletes_exactly_the_expired_rows_and_counts_them_in_the_ledger()
    {
        await using var service = await ServiceHost.StartOwnedAsync<AddressExpiryService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        for (var i = 0; i < 3; i++)
        {
            await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: $"198.51.100.{70 + i}"), HttpStatusCode.OK);
        }

        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        const string byCategory = "select count(*) from report_items where subject_key = @key and category = @category";
        Assert.Equal(3L, await service.Database.ScalarAsync<long>(byCategory, ("key", key), ("category", "ip-address")));

        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>(byCategory, ("key", key), ("category", "ip-address")),
            rows => rows == 0,
            TimeSpan.FromSeconds(30),
            "the expired addresses deleted by the tick");
        Assert.Equal(3L, await service.Database.ScalarAsync<long>(byCategory, ("key", key), ("category", "usage")));
        Assert.Equal(3L, await service.Database.ScalarAsync<long>(byCategory, ("key", key), ("category", "configuration")));
        Assert.Equal(3L, await service.Database.ScalarAsync<long>(
            "select coalesce(sum(count), 0) from destruction_ledger where category = 'ip-address' and why = 'expiry'"));
        Assert.Equal(0L, await service.Database.ScalarAsync<long>(
            "select coalesce(sum(count), 0) from destruction_ledger where category <> 'ip-address'"));

        using var get = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        var categories = (await Json.ReadAsync(get))["items"]!.AsArray().Select(item => (string?)item!["category"]).ToList();
        Assert.DoesNotContain("ip-address", categories);
        Assert.Equal(3, categories.Count(category => category == "usage"));
    }

    [Fact]
    public async Task A_new_cluster_costs_one_state_write_and_killed_right_after_its_first_report_its_address_is_still_destroyed_on_time()
    {
        await using var service = await ServiceHost.StartOwnedAsync<FirstReportKillService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        const string address = "198.51.100.201";
        await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address), HttpStatusCode.OK);

        // One write of the cluster's state (ids, expiry, reminder due time and the day counted together), and the
        // reminder that destroys the rows registered before it.
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        Assert.Equal(1, await service.Database.ScalarAsync<int>("select version from grain_state where grain_id_extension_string = @key", ("key", key)));
        Assert.Equal(1L, await service.Database.ScalarAsync<long>(
            "select count(*) from reminder where reminder_name = 'retention' and grain_id like '%' || @key", ("key", key)));
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(address));

        await service.KillSiloAsync(service.Silos.Single());
        await service.StartSiloAsync();

        await Eventually.ReturnsAsync(
            () => service.Database.CountRowsContainingAsync(address),
            rows => rows == 0,
            TimeSpan.FromSeconds(90),
            "the address destroyed at its expiry by the new silo");
        Assert.Equal(1L, await service.Database.ScalarAsync<long>(
            "select coalesce(sum(count), 0) from destruction_ledger where category = 'ip-address' and why = 'expiry'"));
        Assert.Equal(1L, await service.Database.ScalarAsync<long>(
            "select count(*) from report_items where subject_key = @key and category = 'usage'", ("key", key)));
        using var get = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task Reports_an_earlier_version_kept_in_the_state_document_become_rows_and_none_is_lost_or_doubled()
    {
        await using var service = await ServiceHost.StartOwnedAsync<SharedService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        var silo = service.Silos.Single().Services;
        var grainId = silo.GetRequiredService<IGrainFactory>().GetGrain<IClusterGrain>(key).GetGrainId();

        // The state document as the previous version wrote it: every report's items inside it, and their ids remembered.
        var collected = DateTimeOffset.UtcNow.AddDays(-2);
        var earlier = new ClusterState { ClusterId = cluster, BootstrapId = bootstrap, FirstSeenAt = collected };
        for (var i = 0; i < 5; i++)
        {
            var reportId = $"old-{i}";
            var at = collected.AddHours(i);
            earlier.Items.Add(Item(reportId, DataCategory.Usage, at, at.AddDays(90), null, 3 + i));
            earlier.Items.Add(Item(reportId, DataCategory.Configuration, at, at.AddDays(90), Flynn.Version, 0));
            earlier.Items.Add(Item(reportId, DataCategory.IpAddress, at, at.AddDays(30), $"203.0.113.{100 + i}", 0));
            earlier.Accepted[reportId] = new ClusterState.AcceptedReport(at, at.AddDays(90));
        }

        earlier.RetentionDueAt = collected.AddDays(30);
        await silo.GetRequiredKeyedService<IGrainStorage>(StorageNames.Subjects).WriteStateAsync("cluster", grainId, new GrainState<ClusterState>(earlier));

        using (var get = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap)))
        {
            var items = (await Json.ReadAsync(get))["items"]!.AsArray();
            Assert.Equal(15, items.Count(item => (string?)item!["reportId"] is { } id && id.StartsWith("old-", StringComparison.Ordinal)));
            Assert.Equal(
                Enumerable.Range(0, 5).Select(i => $"203.0.113.{100 + i}"),
                items.Where(item => (string?)item!["category"] == "ip-address").Select(item => (string?)item!["value"]).Order(StringComparer.Ordinal));
        }

        Assert.Equal(15L, await service.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key", ("key", key)));
        var stored = JsonNode.Parse(await service.Database.GrainStateJsonAsync(key) ?? "null")!.AsObject();
        Assert.Empty(stored.Single(pair => string.Equals(pair.Key, "items", StringComparison.OrdinalIgnoreCase)).Value!.AsArray());

        // A repeat of a report the earlier version stored is still a repeat.
        using var repeat = await service.Http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, "old-3")));
        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        Assert.Equal(collected.AddHours(3).UtcTicks / 10, ((DateTimeOffset)(await Json.ReadAsync(repeat))["acceptedAt"]!).UtcTicks / 10);
        Assert.Equal(15L, await service.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key", ("key", key)));
    }

    [Fact]
    public async Task Erasure_leaves_no_row_of_the_cluster_and_the_ledger_counts_what_the_receipt_says()
    {
        await using var service = await ServiceHost.StartOwnedAsync<SharedService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        for (var i = 0; i < 4; i++)
        {
            await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: $"198.51.100.{90 + i}"), HttpStatusCode.OK);
        }

        string receiptUrl;
        using (var erase = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/erasure", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
            receiptUrl = (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
        }

        var receipt = await Erasure.CompletedReceiptAsync(service.Http, receiptUrl, TimeSpan.FromSeconds(30));
        var counts = Assert.Single(receipt["receipts"]!.AsArray(), entry => (string?)entry!["subject"] == "cluster")!["itemsByCategory"]!.AsObject();
        Assert.Equal(4, (int)counts["usage"]!);
        Assert.Equal(4, (int)counts["ip-address"]!);
        Assert.Equal(2, (int)counts["identifier"]!);
        foreach (var (category, count) in counts)
        {
            Assert.Equal((long)count!, await service.Database.ScalarAsync<long>(
                "select coalesce(sum(count), 0) from destruction_ledger where category = @category and why = 'request' and subject_kind = 'cluster'",
                ("category", category)));
        }

        await Erasure.AssertNoRowContainsAsync(service.Database, cluster, bootstrap, "198.51.100.90", "198.51.100.93");
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        Assert.Equal(0L, await service.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key", ("key", key)));
    }

    private static async Task<string> PostAsync(ServiceHost service, string cluster, string bootstrap, string reportId)
    {
        using var response = await service.Http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, reportId)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static HeldItem Item(string reportId, DataCategory category, DateTimeOffset at, DateTimeOffset expires, string? value, double hosts) => new(
        ReportRows.ItemId(reportId, category), reportId, category, DataSource.Automatic, DataPurpose.UsageStatistics, at, expires,
        category == DataCategory.IpAddress, value,
        category == DataCategory.Usage ? ImmutableDictionary<string, double>.Empty.Add("hosts", hosts) : ImmutableDictionary<string, double>.Empty);

    /// <summary>Addresses expire in 2 s, reports in an hour; reminders every second.</summary>
    /// <summary>Addresses kept long enough to kill the silo before they expire, and the retry period Orleans' minimum allows here.</summary>
    public sealed class FirstReportKillService : ServiceHost
    {
        public FirstReportKillService()
        {
            Settings["Retention:IpAddress"] = "00:00:15";
            Settings["Retention:RawReport"] = "01:00:00";
            Settings["Retention:RetryPeriod"] = "00:00:01";
        }

        protected override string Purpose => "first-report-kill";

        protected override void ConfigureSilo(ISiloBuilder silo) =>
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }

    public sealed class AddressExpiryService : ServiceHost
    {
        public AddressExpiryService()
        {
            Settings["Retention:IpAddress"] = "00:00:02";
            Settings["Retention:RawReport"] = "01:00:00";
            Settings["Retention:RetryPeriod"] = "00:00:01";
        }

        protected override string Purpose => "report-expiry";

        protected override void ConfigureSilo(ISiloBuilder silo) =>
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }
}
