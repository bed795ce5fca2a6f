using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Stats;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Stats;

/// <summary>Noise on by default, k as configured, and one release per day whichever silo of whichever region gets there first.</summary>
public sealed class ReleaseSettingsTests
{
    [Fact]
    public async Task By_default_a_day_is_noised_released_once_by_one_of_two_regions_silos_and_states_k_and_the_epsilon_of_each_statistic()
    {
        await using var service = await ServiceHost.StartOwnedAsync<TwoRegionStatsService>();
        var day = service.NewDay();
        var version = StatsService.NewVersion();
        for (var i = 0; i < 3; i++)
        {
            await service.ReportAsync(version, region: "eu");
            await service.ReportAsync(version, region: "us");
        }

        // Both regions' silos flushed their clusters.
        await service.WaitForRawAsync(day, "versions", version, 6);
        var release = await service.CloseAsync(day);

        Assert.Equal(1L, await service.Database.ScalarAsync<long>("select count(*) from stats_release where day = @day", ("day", day)));
        Assert.Equal(3, (int)release["k"]!);
        Assert.True((bool)release["differentialPrivacy"]!["applied"]!);
        Assert.Equal("discrete-laplace", (string)release["differentialPrivacy"]!["mechanism"]!);
        Assert.Equal(1.0, (double)release["differentialPrivacy"]!["epsilon"]!);
        var released = Assert.Single(release["days"]!.AsArray())!;
        Assert.Equal(StatsService.Date(day), (string)released["day"]!);
        Assert.Equal((3, 1.0, 1e-6), ((int)released["k"]!, (double)released["epsilon"]!, (double)released["delta"]!));

        // The published shares of ε = 1, the sensitivities (four database kinds; apps and jobs at their default bounds) and thresholds.
        (string, double, long, long?)[] budget =
        [
            ("versions", 0.3, 1, 3 + Margin(0.3, 1e-6)), ("versions.other", 0.1, 1, 3), ("hosts", 0.15, 1, 3), ("databases", 0.15, 4, 3),
            ("workloads.clusters", 0.1, 1, 3), ("workloads.apps", 0.1, 100, null), ("workloads.jobs", 0.1, 500, null),
        ];
        Assert.Equal(budget, released["statistics"]!.AsArray().Select(entry => ((string)entry!["statistic"]!, (double)entry["epsilon"]!, (long)entry["sensitivity"]!, (long?)entry["threshold"])));

        // What is served is what was stored once; asked again, or by the other silo after one stops, it is the same.
        Assert.Equal(await StoredAsync(service, day), Served(release));
        using var csv = new HttpRequestMessage(HttpMethod.Get, $"/v1/stats?from={StatsService.Date(day)}&to={StatsService.Date(day)}");
        csv.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using (var answer = await service.Http.SendAsync(csv))
        {
            Assert.Equal("discrete-laplace; epsilon-per-day=1; delta=1E-06", Assert.Single(answer.Headers.GetValues("X-Stats-Differential-Privacy")));
            Assert.Equal("3", Assert.Single(answer.Headers.GetValues("X-Stats-K")));
        }

        await service.StopSiloAsync(service.Silos[0]);
        var again = await Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await service.Http.GetAsync($"/v1/stats?from={StatsService.Date(day)}&to={StatsService.Date(day)}");
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            },
            answer => answer.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "the other silo answers");
        Assert.Equal(release.ToJsonString(), JsonNode.Parse(again.Body)!.ToJsonString());
        Assert.Equal(1L, await service.Database.ScalarAsync<long>("select count(*) from stats_release where day = @day", ("day", day)));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", true)]
    [InlineData("2", false)]
    public void A_silo_refuses_k_below_two(string k, bool refused)
    {
        var options = OptionsOf(new() { ["Stats:K"] = k });

        if (refused)
        {
            Assert.Contains("Stats:K", Assert.Throws<OptionsValidationException>(options).Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(2, options().K);
        }
    }

    [Theory]
    [InlineData("Stats:DifferentialPrivacy:Enabled", "false", "Stats:DifferentialPrivacy")]
    [InlineData("Stats:DifferentialPrivacy:Epsilon", "0.5", "Stats:DifferentialPrivacy")]
    [InlineData("Stats:EpsilonPerDay", "0", "Stats:EpsilonPerDay")]
    [InlineData("Stats:EpsilonPerDay", "-1", "Stats:EpsilonPerDay")]
    [InlineData("Stats:EpsilonPerDay", "NaN", "Stats:EpsilonPerDay")]
    [InlineData("Stats:Delta", "0.5", "Stats:Delta")]
    [InlineData("Stats:MaxAppsPerCluster", "0", "Stats:MaxAppsPerCluster")]
    [InlineData("Stats:MaxBucketsPerMetric", "3", "Stats:MaxBucketsPerMetric")]
    [InlineData("Stats:ReleaseDelay", "00:00:01", "Stats:ReleaseDelay")]
    public void A_silo_refuses_settings_that_would_switch_the_noise_off_or_misstate_it(string key, string value, string named)
    {
        var options = OptionsOf(new() { [key] = value });

        Assert.Contains(named, Assert.Throws<OptionsValidationException>(options).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Noise_is_on_by_default_with_epsilon_one_per_day()
    {
        var options = OptionsOf(new())();

        Assert.Equal((5, 1.0, 1e-6, 100L, 500L, 256), (options.K, options.EpsilonPerDay, options.Delta, options.MaxAppsPerCluster, options.MaxJobsPerCluster, options.MaxBucketsPerMetric));
        Assert.Equal(TimeSpan.FromHours(1), options.ReleaseDelay);
    }

    /// <summary>The least m with P(noise ≥ m+1) ≤ δ for discrete Laplace noise of scale 1/ε, by counting up.</summary>
    private static long Margin(double epsilon, double delta)
    {
        var p = Math.Exp(-epsilon);
        var m = 0L;
        while (Math.Pow(p, m + 1) / (1 + p) > delta)
        {
            m++;
        }

        return m;
    }

    private static Func<StatsOptions> OptionsOf(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var provider = new ServiceCollection().AddLogging().AddAnonymousData(configuration, connectionString: null).BuildServiceProvider();
        return () => provider.GetRequiredService<IOptions<StatsOptions>>().Value;
    }

    private static string Served(JsonNode release) => string.Join(';', release["rows"]!.AsArray().Select(row =>
        string.Join(',', (string)row!["metric"]!, (string)row["bucket"]!, (long)row["clusters"]!, (long?)row["apps"], (long?)row["jobs"])));

    private static async Task<string> StoredAsync(ServiceHost service, DateOnly day) =>
        await service.Database.ScalarAsync<string>(
            "select coalesce(string_agg(concat_ws(',', metric, bucket, clusters, coalesce(apps::text, ''), coalesce(jobs::text, '')), ';' order by metric, bucket), '') from stats_release_row where day = @day",
            ("day", day)) ?? string.Empty;

    /// <summary>The statistics service with k = 3 and every noise setting at its default, on a silo in eu and one in us.</summary>
    public sealed class TwoRegionStatsService : StatsService
    {
        public TwoRegionStatsService()
        {
            Settings["Stats:K"] = "3";
            Settings.Remove("Stats:EpsilonPerDay");
            Settings.Remove("Stats:MaxAppsPerCluster");
            Settings.Remove("Stats:MaxJobsPerCluster");
            Settings.Remove("Stats:MaxBucketsPerMetric");
        }

        protected override string Purpose => "stats_regions";

        protected override async Task StartSilosAsync()
        {
            await StartSiloAsync("eu");
            await StartSiloAsync("us");
        }
    }
}
