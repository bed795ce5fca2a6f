using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Stats;

/// <summary>The public aggregates end to end: projection by the cluster grains, k-anonymity, /v1/stats and /stats.</summary>
[Collection(StatsServiceDefinition.Name)]
public sealed class AggregateTests(StatsService service)
{
    [Fact]
    public async Task A_bucket_of_k_minus_one_distinct_clusters_is_suppressed_and_published_exactly_at_k()
    {
        var version = StatsService.NewVersion();
        for (var i = 0; i < 4; i++)
        {
            await service.ReportAsync(version);
        }

        await service.WaitForRawAsync("versions", version, 4);
        Assert.DoesNotContain(version, (await GetJsonAsync("/v1/stats?metric=versions")).ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(version, await GetCsvAsync("/v1/stats"), StringComparison.Ordinal);
        Assert.DoesNotContain(version, await service.Http.GetStringAsync("/stats"), StringComparison.Ordinal);

        await service.ReportAsync(version);
        await service.WaitForRawAsync("versions", version, 5);
        var release = await GetJsonAsync("/v1/stats?metric=versions");
        var row = release["rows"]!.AsArray().Single(row => (string)row!["bucket"]! == version)!;
        Assert.Equal(5, (long)row["clusters"]!);
        Assert.False((bool)release["differentialPrivacy"]!["applied"]!);
        Assert.Equal(5, (int)release["k"]!);
    }

    [Fact]
    public async Task A_cluster_reporting_ten_times_a_day_counts_once()
    {
        var version = StatsService.NewVersion();
        var (cluster, bootstrap) = await service.ReportAsync(version);
        for (var i = 0; i < 9; i++)
        {
            await service.ReportAsync(version, cluster: cluster, bootstrap: bootstrap);
        }

        // A later cluster's increment is written in the same batch as, or after, every earlier one.
        var sentinel = StatsService.NewVersion();
        await service.ReportAsync(sentinel);
        await service.WaitForRawAsync("versions", sentinel, 1);

        Assert.Equal(1, await service.RawAsync("versions", version));
    }

    [Fact]
    public async Task No_aggregate_row_holds_a_cluster_id_a_bootstrap_id_or_an_address()
    {
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
        await service.WaitForRawAsync("versions", version, 5);

        foreach (var canary in canaries)
        {
            Assert.Equal(0L, await service.Database.ScalarAsync<long>("select count(*) from aggregate_count t where strpos(lower(t::text), lower(@canary)) > 0", ("canary", canary)));
        }

        var published = (await GetJsonAsync("/v1/stats")).ToJsonString() + await GetCsvAsync("/v1/stats") + await service.Http.GetStringAsync("/stats");
        Assert.All(canaries, canary => Assert.DoesNotContain(canary, published, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_release_answers_CSV_by_Accept_and_says_how_it_was_protected()
    {
        var version = StatsService.NewVersion();
        for (var i = 0; i < 5; i++)
        {
            await service.ReportAsync(version);
        }

        await service.WaitForRawAsync("versions", version, 5);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/stats?metric=versions");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("5", Assert.Single(response.Headers.GetValues("X-Stats-K")));
        Assert.Equal("off", Assert.Single(response.Headers.GetValues("X-Stats-Differential-Privacy")));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("day,metric,bucket,clusters,apps,jobs", lines[0]);
        Assert.Contains($"{DateTime.UtcNow:yyyy-MM-dd},versions,{version},5,,", lines);
        Assert.All(lines.Skip(1), line => Assert.StartsWith($"{DateTime.UtcNow:yyyy-MM-dd},versions,", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_stats_page_draws_SVG_charts_of_the_published_buckets_only_without_script_or_third_party_assets()
    {
        // Two rare versions (2 and 3 clusters) are suppressed, and together reach k as "other": the 5-cluster version stays shown.
        var (published, rare, rarer) = (StatsService.NewVersion(), StatsService.NewVersion(), StatsService.NewVersion());
        foreach (var (version, clusters) in new[] { (published, 5), (rare, 3), (rarer, 2) })
        {
            for (var i = 0; i < clusters; i++)
            {
                await service.ReportAsync(version);
            }
        }

        await service.WaitForRawAsync("versions", published, 5);
        await service.WaitForRawAsync("versions", rare, 3);
        await service.WaitForRawAsync("versions", rarer, 2);

        using var response = await service.Http.GetAsync("/stats");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        var svg = page[page.IndexOf("<svg", StringComparison.Ordinal)..(page.IndexOf("</svg>", StringComparison.Ordinal) + 6)];
        Assert.Contains(published, svg, StringComparison.Ordinal);
        Assert.Contains("other", svg, StringComparison.Ordinal);
        Assert.DoesNotContain(rare, page, StringComparison.Ordinal);
        Assert.DoesNotContain(rarer, page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("script-src", response.Headers.GetValues("Content-Security-Policy").Single() + " script-src", StringComparison.Ordinal);
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

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await service.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    private async Task<string> GetCsvAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await service.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
