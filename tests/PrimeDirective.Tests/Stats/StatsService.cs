using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Stats;

/// <summary>
/// A service of its own for the aggregates (k counts distinct clusters across tests). The policy's clock is fake, so a
/// test takes a fresh UTC day of its own (<see cref="NewDay"/>) and closes it (<see cref="CloseAsync"/>);
/// increments are flushed and due days looked for every 200 ms. ε per day is so large that the noise is zero but for a
/// chance below 10^-40 per number, so counts can be asserted exactly; the noise itself is tested on its own.
/// </summary>
public class StatsService : ServiceHost
{
    public StatsService()
    {
        Settings["Stats:FlushInterval"] = "00:00:00.200";
        Settings["Stats:ReleaseCheckPeriod"] = "00:00:00.200";
        Settings["Stats:EpsilonPerDay"] = "1000000";
        Settings["Stats:MaxAppsPerCluster"] = "10";
        Settings["Stats:MaxJobsPerCluster"] = "20";
        Settings["Stats:MaxBucketsPerMetric"] = "16";
    }

    /// <summary>The policy's clock on every silo.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override string Purpose => "stats";

    /// <summary>The day the policy's clock is in.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        // Days before the schema was applied are never released: every test day comes after it.
        NewDay();
    }

    protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));

    /// <summary>Moves the policy's clock to the start of the next UTC day, which no test reported on yet.</summary>
    public DateOnly NewDay()
    {
        var next = Today.AddDays(1);
        Clock.SetUtcNow(new DateTimeOffset(next.ToDateTime(new TimeOnly(0, 1)), TimeSpan.Zero));
        return next;
    }

    /// <summary>Moves the policy's clock past <paramref name="day"/>'s release time and waits until its release is published.</summary>
    public async Task<JsonNode> CloseAsync(DateOnly day)
    {
        var due = new DateTimeOffset(day.AddDays(1).ToDateTime(new TimeOnly(1, 0, 1)), TimeSpan.Zero);
        if (Clock.GetUtcNow() < due)
        {
            Clock.SetUtcNow(due);
        }

        return await Eventually.ReturnsAsync(
            () => StatsAsync($"/v1/stats?from={Date(day)}&to={Date(day)}"),
            release => release["days"]?.AsArray().Any(released => (string)released!["day"]! == Date(day)) == true,
            TimeSpan.FromSeconds(30),
            $"{Date(day)} is released");
    }

    /// <summary>The JSON answer of a statistics route.</summary>
    public async Task<JsonNode> StatsAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    public static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A Flynn release label no other test uses, so its version bucket is the test's own.</summary>
    public static string NewVersion() => string.Create(CultureInfo.InvariantCulture, $"v20261130.{Random.Shared.Next(100_000, 999_999)}");

    /// <summary>A cluster's JSON report (a new cluster unless given); returns the cluster and bootstrap ids.</summary>
    public async Task<(string Cluster, string Bootstrap)> ReportAsync(
        string version, int hosts = 3, string? forwardedFor = null, string? cluster = null, string? bootstrap = null,
        double apps = 2, double jobs = 5, string database = "postgres", string? region = null)
    {
        cluster ??= Flynn.NewId();
        bootstrap ??= Flynn.NewId();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{(region is null ? string.Empty : "/" + region)}/v1/clusters/{cluster}/reports")
        {
            Content = Json.Body(new
            {
                bootstrapId = bootstrap,
                version,
                reportId = Guid.NewGuid().ToString("N"),
                usage = new Dictionary<string, double> { ["hosts"] = hosts, ["running_apps"] = apps, ["running_jobs"] = jobs, [$"{database}_dbs"] = 1 },
            }),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (cluster, bootstrap);
    }

    /// <summary>The raw (unpublished) count of a bucket on <paramref name="day"/>, as the database holds it.</summary>
    public async Task<long> RawAsync(DateOnly day, string metric, string bucket, string column = "clusters") =>
        await Database.ScalarAsync<long>(
            $"select coalesce(sum({column}), 0)::bigint from aggregate_count where day = @day and metric = @metric and bucket = @bucket",
            ("day", day), ("metric", metric), ("bucket", bucket));

    /// <summary>Waits until the raw count of a bucket on <paramref name="day"/> reaches <paramref name="clusters"/>.</summary>
    public Task WaitForRawAsync(DateOnly day, string metric, string bucket, long clusters) => Eventually.ReturnsAsync(
        () => RawAsync(day, metric, bucket), count => count >= clusters, TimeSpan.FromSeconds(30), $"{metric}/{bucket} reaches {clusters} on {Date(day)}");
}

[CollectionDefinition(Name)]
public sealed class StatsServiceDefinition : ICollectionFixture<StatsService>
{
    public const string Name = "stats service";
}
