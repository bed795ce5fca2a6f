using System.Globalization;
using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Stats;

/// <summary>A service of its own for the aggregates (k counts distinct clusters across tests), flushing increments every 200 ms.</summary>
public sealed class StatsService : ServiceHost
{
    protected override string Purpose => "stats";

    public override Task InitializeAsync()
    {
        Settings["Stats:FlushInterval"] = "00:00:00.200";
        return base.InitializeAsync();
    }

    /// <summary>A Flynn release label no other test uses, so its version bucket is the test's own.</summary>
    public static string NewVersion() => string.Create(CultureInfo.InvariantCulture, $"v20261130.{Random.Shared.Next(100_000, 999_999)}");

    /// <summary>A new cluster's JSON report; returns the cluster and bootstrap ids.</summary>
    public async Task<(string Cluster, string Bootstrap)> ReportAsync(string version, int hosts = 3, string? forwardedFor = null, string? cluster = null, string? bootstrap = null)
    {
        cluster ??= Flynn.NewId();
        bootstrap ??= Flynn.NewId();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/clusters/{cluster}/reports")
        {
            Content = Json.Body(new
            {
                bootstrapId = bootstrap,
                version,
                reportId = Guid.NewGuid().ToString("N"),
                usage = new Dictionary<string, double> { ["hosts"] = hosts, ["running_apps"] = 2, ["running_jobs"] = 5, ["postgres_dbs"] = 1 },
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

    /// <summary>The raw (unpublished) count of a bucket today, as the database holds it.</summary>
    public async Task<long> RawAsync(string metric, string bucket) =>
        await Database.ScalarAsync<long>("select coalesce(sum(clusters), 0)::bigint from aggregate_count where metric = @metric and bucket = @bucket", ("metric", metric), ("bucket", bucket));

    /// <summary>Waits until the raw count of a bucket reaches <paramref name="clusters"/>.</summary>
    public Task WaitForRawAsync(string metric, string bucket, long clusters) => Eventually.ReturnsAsync(
        () => RawAsync(metric, bucket), count => count >= clusters, TimeSpan.FromSeconds(30), $"{metric}/{bucket} reaches {clusters}");
}

[CollectionDefinition(Name)]
public sealed class StatsServiceDefinition : ICollectionFixture<StatsService>
{
    public const string Name = "stats service";
}
