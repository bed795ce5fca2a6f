using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Stats;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Stats;

/// <summary>k and the Laplace mechanism as configured: each release says how it was protected.</summary>
public sealed class ReleaseSettingsTests
{
    [Fact]
    public async Task A_release_with_k_3_and_noise_on_says_so_and_publishes_a_bucket_of_three_noised()
    {
        await using var service = await ServiceHost.StartOwnedAsync<NoisyStatsService>();
        var version = StatsService.NewVersion();
        for (var i = 0; i < 3; i++)
        {
            await ReportAsync(service, version);
        }

        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select coalesce(sum(clusters), 0)::bigint from aggregate_count where bucket = @bucket", ("bucket", version)),
            count => count == 3, TimeSpan.FromSeconds(30), "three clusters counted");

        using var json = await service.Http.GetAsync("/v1/stats?metric=versions");
        var release = await Json.ReadAsync(json);
        Assert.Equal(3, (int)release["k"]!);
        Assert.True((bool)release["differentialPrivacy"]!["applied"]!);
        Assert.Equal("laplace", (string)release["differentialPrivacy"]!["mechanism"]!);
        Assert.Equal(0.5, (double)release["differentialPrivacy"]!["epsilon"]!);
        Assert.Contains(release["rows"]!.AsArray(), row => (string)row!["bucket"]! == version && (long)row["clusters"]! >= 0);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/stats");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var csv = await service.Http.SendAsync(request);
        Assert.Equal("laplace; epsilon=0.5", Assert.Single(csv.Headers.GetValues("X-Stats-Differential-Privacy")));

        // The same release asked again carries the same noise: repeating the question cannot average it away.
        using var again = await service.Http.GetAsync("/v1/stats?metric=versions");
        Assert.Equal(release["rows"]!.ToJsonString(), (await Json.ReadAsync(again))["rows"]!.ToJsonString());
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", true)]
    [InlineData("2", false)]
    public void A_silo_refuses_k_below_two(string k, bool refused)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Stats:K"] = k }).Build();
        using var provider = new ServiceCollection().AddLogging().AddAnonymousData(configuration, connectionString: null).BuildServiceProvider();

        var options = () => provider.GetRequiredService<IOptions<StatsOptions>>().Value;

        if (refused)
        {
            Assert.Contains("Stats:K", Assert.Throws<OptionsValidationException>(options).Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(2, options().K);
        }
    }

    private static async Task ReportAsync(ServiceHost service, string version)
    {
        using var response = await service.Http.PostAsync($"/v1/clusters/{Flynn.NewId()}/reports", Json.Body(new
        {
            bootstrapId = Flynn.NewId(),
            version,
            reportId = Guid.NewGuid().ToString("N"),
            usage = new Dictionary<string, double> { ["hosts"] = 1 },
        }));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>k = 3, Laplace noise with ε = 0.5 and a fixed seed.</summary>
    public sealed class NoisyStatsService : ServiceHost
    {
        protected override string Purpose => "stats_noisy";

        public override Task InitializeAsync()
        {
            Settings["Stats:FlushInterval"] = "00:00:00.200";
            Settings["Stats:K"] = "3";
            Settings["Stats:DifferentialPrivacy:Enabled"] = "true";
            Settings["Stats:DifferentialPrivacy:Epsilon"] = "0.5";
            Settings["Stats:DifferentialPrivacy:Seed"] = "fixed test seed";
            return base.InitializeAsync();
        }
    }
}
