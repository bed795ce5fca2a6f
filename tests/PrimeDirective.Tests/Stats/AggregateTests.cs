using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Npgsql;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Stats;

/// <summary>
/// The public aggregates end to end: projection by the cluster grains, closed days released once, the threshold k,
/// /v1/stats and /stats. Each test reports on a UTC day of its own and closes it (the service's clock is fake).
/// </summary>
[Collection(StatsServiceDefinition.Name)]
public sealed class AggregateTests(StatsService service)
{
    [Fact]
    public async Task A_bucket_of_k_minus_one_distinct_clusters_is_not_shown_and_one_of_k_is()
    {
        var day = service.NewDay();
        var (rare, common) = (StatsService.NewVersion(), StatsService.NewVersion());
        for (var i = 0; i < 4; i++)
        {
            await service.ReportAsync(rare);
        }

        for (var i = 0; i < 5; i++)
        {
            await service.ReportAsync(common);
        }

        await service.WaitForRawAsync(day, "versions", rare, 4);
        await service.WaitForRawAsync(day, "versions", common, 5);
        var release = await service.CloseAsync(day);

        var versions = Rows(release, "versions");
        Assert.Equal([(common, 5L)], versions.Select(row => ((string)row["bucket"]!, (long)row["clusters"]!)));
        Assert.DoesNotContain(rare, release.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(rare, await GetCsvAsync($"/v1/stats?from={StatsService.Date(day)}&to={StatsService.Date(day)}"), StringComparison.Ordinal);
        Assert.DoesNotContain(rare, await service.Http.GetStringAsync("/stats"), StringComparison.Ordinal);

        // Nine clusters in all, each counted once in the day's total, hosts range and database kind.
        var workload = Assert.Single(Rows(release, "workloads"));
        Assert.Equal((9L, 18L, 45L), ((long)workload["clusters"]!, (long)workload["apps"]!, (long)workload["jobs"]!));
        Assert.Equal(9, (long)Assert.Single(Rows(release, "hosts"))["clusters"]!);
        Assert.Equal(9, (long)Assert.Single(Rows(release, "databases"))["clusters"]!);
        Assert.Equal(5, (int)release["k"]!);
    }

    [Fact]
    public async Task A_cluster_counts_once_a_day_in_the_buckets_of_its_first_report_only()
    {
        var day = service.NewDay();
        var (first, later) = (StatsService.NewVersion(), StatsService.NewVersion());
        var (cluster, bootstrap) = await service.ReportAsync(first, hosts: 3, database: "postgres", apps: 2, jobs: 5);
        for (var i = 0; i < 9; i++)
        {
            await service.ReportAsync(later, hosts: 40, cluster: cluster, bootstrap: bootstrap, apps: 9, jobs: 9, database: "mysql");
        }

        // A later cluster's increments are written in the same batch as, or after, every earlier one.
        var sentinel = StatsService.NewVersion();
        await service.ReportAsync(sentinel, hosts: 3, database: "postgres", apps: 2, jobs: 5);
        await service.WaitForRawAsync(day, "versions", sentinel, 1);

        Assert.Equal(1, await service.RawAsync(day, "versions", first));
        Assert.Equal(0, await service.RawAsync(day, "versions", later));
        Assert.Equal(2, await service.RawAsync(day, "hosts", "2-3"));
        Assert.Equal(0, await service.RawAsync(day, "hosts", "32-63"));
        Assert.Equal(2, await service.RawAsync(day, "databases", "postgres"));
        Assert.Equal(0, await service.RawAsync(day, "databases", "mysql"));
        Assert.Equal(2, await service.RawAsync(day, "workloads", "all"));
        Assert.Equal(4, await service.RawAsync(day, "workloads", "all", "apps"));
        Assert.Equal(10, await service.RawAsync(day, "workloads", "all", "jobs"));

        // The next day, its first report counts again, in that report's buckets.
        var next = service.NewDay();
        await service.ReportAsync(later, hosts: 40, cluster: cluster, bootstrap: bootstrap, database: "mysql");
        await service.WaitForRawAsync(next, "versions", later, 1);
        Assert.Equal(1, await service.RawAsync(next, "hosts", "32-63"));
        Assert.Equal(0, await service.RawAsync(next, "versions", first));
    }

    [Fact]
    public async Task One_clusters_apps_and_jobs_count_up_to_their_configured_bounds_only()
    {
        var day = service.NewDay();
        var (big, small) = (StatsService.NewVersion(), StatsService.NewVersion());
        await service.ReportAsync(big, apps: 1_000_000, jobs: 7);
        await service.ReportAsync(small, apps: 3.9, jobs: 1e300);
        await service.WaitForRawAsync(day, "versions", small, 1);

        // Bounds 10 apps and 20 jobs (StatsService): 10 + 3 apps, 7 + 20 jobs.
        Assert.Equal(13, await service.RawAsync(day, "workloads", "all", "apps"));
        Assert.Equal(27, await service.RawAsync(day, "workloads", "all", "jobs"));
    }

    [Fact]
    public async Task No_aggregate_or_released_row_holds_a_cluster_id_a_bootstrap_id_or_an_address()
    {
        var day = service.NewDay();
        var version = StatsService.NewVersion();
        var canaries = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var address = $"198.51.100.{100 + i}";
            var (cluster, bootstrap) = await service.ReportAsync(version, forwardedFor: address);
            canaries.AddRange([cluster, bootstrap, address, cluster.Replace("-", string.Empty, StringComparison.Ordinal)]);
        }

        // Even a version label that carries an id never reaches a row: it is counted as "other".
        var smuggled = Flynn.NewId();
        await service.ReportAsync($"v-{smuggled}");
        canaries.Add(smuggled);
        await service.WaitForRawAsync(day, "versions", version, 5);
        await service.WaitForRawAsync(day, "versions", "other", 1);
        await service.CloseAsync(day);

        foreach (var canary in canaries)
        {
            foreach (var table in new[] { "aggregate_count", "stats_release", "stats_release_row", "stats_release_budget" })
            {
                Assert.Equal(0L, await service.Database.ScalarAsync<long>($"select count(*) from {table} t where strpos(lower(t::text), lower(@canary)) > 0", ("canary", canary)));
            }
        }

        var range = $"from={StatsService.Date(day)}&to={StatsService.Date(day)}";
        var published = (await service.StatsAsync($"/v1/stats?{range}")).ToJsonString() + await GetCsvAsync($"/v1/stats?{range}") + await service.Http.GetStringAsync("/stats");
        Assert.Contains(version, published, StringComparison.Ordinal);
        Assert.All(canaries, canary => Assert.DoesNotContain(canary, published, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Todays_counts_are_never_published_so_polling_cannot_see_a_cluster_arrive()
    {
        var day = service.NewDay();
        var version = StatsService.NewVersion();
        for (var i = 0; i < 5; i++)
        {
            await service.ReportAsync(version);
        }

        await service.WaitForRawAsync(day, "versions", version, 5);
        var range = $"/v1/stats?from={StatsService.Date(day)}&to={StatsService.Date(day)}";
        var before = await service.StatsAsync(range);
        var csvBefore = await GetCsvAsync(range);

        // A sixth cluster's first report of the day: it is counted, and no poll shows +1 anywhere.
        await service.ReportAsync(version);
        await service.WaitForRawAsync(day, "versions", version, 6);
        var after = await service.StatsAsync(range);

        Assert.Empty(before["rows"]!.AsArray());
        Assert.Empty(before["days"]!.AsArray());
        Assert.Equal(before["rows"]!.ToJsonString(), after["rows"]!.ToJsonString());
        Assert.Equal(csvBefore, await GetCsvAsync(range));
        Assert.DoesNotContain(StatsService.Date(day), (await service.StatsAsync("/v1/stats"))["rows"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain($"<td>{StatsService.Date(day)}</td>", await service.Http.GetStringAsync("/stats"), StringComparison.Ordinal);

        // Closed, the day is released with all six clusters.
        var release = await service.CloseAsync(day);
        Assert.Equal(6, (long)Rows(release, "versions").Single(row => (string)row["bucket"]! == version)["clusters"]!);
    }

    [Fact]
    public async Task A_closed_day_is_released_once_and_never_drawn_again_not_even_when_late_counts_arrive()
    {
        var day = service.NewDay();
        var version = StatsService.NewVersion();
        for (var i = 0; i < 5; i++)
        {
            await service.ReportAsync(version);
        }

        await service.WaitForRawAsync(day, "versions", version, 5);
        var release = await service.CloseAsync(day);
        var stored = await StoredRowsAsync(day);

        // A silo that flushes after the release (it was cut off for over the release delay) changes nothing published.
        await service.Database.ScalarAsync<object>(
            "update aggregate_count set clusters = clusters + 100 where day = @day and metric = 'versions' and bucket = @bucket", ("day", day), ("bucket", version));

        // The next day's release proves the releaser looked again since.
        var next = service.NewDay();
        await service.CloseAsync(next);

        var again = await service.StatsAsync($"/v1/stats?from={StatsService.Date(day)}&to={StatsService.Date(day)}");
        Assert.Equal(release.ToJsonString(), again.ToJsonString());
        Assert.Equal(stored, await StoredRowsAsync(day));
        Assert.Equal(1L, await service.Database.ScalarAsync<long>("select count(*) from stats_release where day = @day", ("day", day)));
        Assert.Equal(5, (long)Rows(again, "versions").Single(row => (string)row["bucket"]! == version)["clusters"]!);

        // The database itself refuses to change or remove what was released.
        await Assert.ThrowsAsync<PostgresException>(() => service.Database.ScalarAsync<object>("update stats_release_row set clusters = 0 where day = @day", ("day", day)));
        await Assert.ThrowsAsync<PostgresException>(() => service.Database.ScalarAsync<object>("delete from stats_release_row where day = @day", ("day", day)));
        Assert.Equal(stored, await StoredRowsAsync(day));
    }

    [Fact]
    public async Task The_release_answers_CSV_by_Accept_and_states_k_and_the_epsilon_of_each_number()
    {
        var day = service.NewDay();
        var version = StatsService.NewVersion();
        for (var i = 0; i < 5; i++)
        {
            await service.ReportAsync(version);
        }

        await service.WaitForRawAsync(day, "versions", version, 5);
        await service.CloseAsync(day);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/stats?from={StatsService.Date(day)}&to={StatsService.Date(day)}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("5", Assert.Single(response.Headers.GetValues("X-Stats-K")));
        Assert.Equal("discrete-laplace; epsilon-per-day=1000000; delta=1E-06", Assert.Single(response.Headers.GetValues("X-Stats-Differential-Privacy")));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("day,metric,bucket,clusters,apps,jobs,k,epsilon_clusters,epsilon_apps,epsilon_jobs", lines[0]);

        // ε per day 1,000,000 in fixed shares: versions 0.3, hosts 0.15, the day's clusters, apps and jobs 0.1 each.
        var date = StatsService.Date(day);
        Assert.Contains($"{date},versions,{version},5,,,5,300000,,", lines);
        Assert.Contains($"{date},hosts,2-3,5,,,5,150000,,", lines);
        Assert.Contains($"{date},workloads,all,5,10,25,5,100000,100000,100000", lines);
        Assert.All(lines.Skip(1), line => Assert.StartsWith($"{date},", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_stats_page_draws_SVG_charts_of_the_published_buckets_only_states_each_days_budget_and_allows_no_script()
    {
        // Two rare versions (2 and 3 clusters) are not named, and together reach k as "other": the 5-cluster version is named.
        var day = service.NewDay();
        var (published, rare, rarer) = (StatsService.NewVersion(), StatsService.NewVersion(), StatsService.NewVersion());
        foreach (var (version, clusters) in new[] { (published, 5), (rare, 3), (rarer, 2) })
        {
            for (var i = 0; i < clusters; i++)
            {
                await service.ReportAsync(version);
            }
        }

        await service.WaitForRawAsync(day, "versions", published, 5);
        await service.WaitForRawAsync(day, "versions", rare, 3);
        await service.WaitForRawAsync(day, "versions", rarer, 2);
        await service.CloseAsync(day);

        using var response = await service.Http.GetAsync("/stats");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        var svg = page[page.IndexOf("<svg", StringComparison.Ordinal)..(page.IndexOf("</svg>", StringComparison.Ordinal) + 6)];
        Assert.Contains(published, svg, StringComparison.Ordinal);
        Assert.Contains("other", svg, StringComparison.Ordinal);
        Assert.DoesNotContain(rare, page, StringComparison.Ordinal);
        Assert.DoesNotContain(rarer, page, StringComparison.Ordinal);

        // The day's budget: k, δ, the day's ε and each statistic's (versions 300,000 of 1,000,000).
        Assert.Contains($"<tr><td>{StatsService.Date(day)}</td><td>5</td><td>5</td><td>1E-06</td><td>1000000</td><td>300000</td><td>100000</td><td>150000</td>", page, StringComparison.Ordinal);

        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", page, StringComparison.OrdinalIgnoreCase);

        // The policy itself: everything falls back to 'none' (no script-src of its own), nothing from another origin.
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"))
            .Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(directive => directive.Split(' ', 2))
            .ToDictionary(directive => directive[0], directive => directive.Length > 1 ? directive[1] : string.Empty, StringComparer.Ordinal);
        Assert.Equal("'none'", policy["default-src"]);
        Assert.DoesNotContain(policy.Keys, directive => directive.StartsWith("script-src", StringComparison.Ordinal));
        Assert.All(policy.Values, sources => Assert.DoesNotContain(sources.Split(' '), source => source.Contains(':', StringComparison.Ordinal) || source == "*"));
    }

    [Fact]
    public async Task New_buckets_beyond_the_cap_per_metric_and_day_count_as_other()
    {
        var day = service.NewDay();
        var labels = Enumerable.Range(0, 20).Select(_ => StatsService.NewVersion()).Distinct().ToList();
        foreach (var label in labels)
        {
            await service.ReportAsync(label);
        }

        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select coalesce(sum(clusters), 0)::bigint from aggregate_count where day = @day and metric = 'versions'", ("day", day)),
            clusters => clusters >= labels.Count, TimeSpan.FromSeconds(30), "every cluster counted");

        // The cap is 16 (StatsService): 16 labels hold a row each, the later ones count in "other"; no cluster is lost.
        Assert.Equal(16L, await service.Database.ScalarAsync<long>(
            "select count(*) from aggregate_count where day = @day and metric = 'versions' and bucket <> 'other'", ("day", day)));
        Assert.Equal(labels.Count - 16, await service.RawAsync(day, "versions", "other"));
        Assert.Equal(labels.Count, await service.RawAsync(day, "workloads", "all"));
    }

    [Theory]
    [InlineData("/v1/stats?from=yesterday")]
    [InlineData("/v1/stats?to=2026-02-30")]
    [InlineData("/v1/stats?from=2026-11-30&to=2026-11-01")]
    [InlineData("/v1/stats?from=2024-01-01&to=2026-11-30")]
    [InlineData("/v1/stats?metric=ids")]
    public async Task Bad_stats_queries_get_a_problem(string path)
    {
        using var response = await service.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    private static List<JsonNode> Rows(JsonNode release, string metric) =>
        [.. release["rows"]!.AsArray().Select(row => row!).Where(row => (string)row["metric"]! == metric)];

    /// <summary>What the database holds as released for <paramref name="day"/>, one line per row.</summary>
    private async Task<string> StoredRowsAsync(DateOnly day) =>
        await service.Database.ScalarAsync<string>(
            "select coalesce(string_agg(concat_ws(',', metric, bucket, clusters, apps, jobs), ';' order by metric, bucket), '') from stats_release_row where day = @day",
            ("day", day)) ?? string.Empty;

    private async Task<string> GetCsvAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await service.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
