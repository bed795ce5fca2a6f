using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Regions;

/// <summary>A person in one region who links a cluster living in another: both stay home; export and erasure reach across.</summary>
public sealed class CrossRegionTests
{
    [Fact]
    public async Task A_linked_cluster_in_another_region_stays_there_and_export_and_erasure_cover_it()
    {
        await using var service = await ServiceHost.StartOwnedAsync<RegionalService>();
        var person = await service.SignUpAsync(region: "eu");
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        const string address = "198.51.100.61";
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, region: "us", forwardedFor: address)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        using (var link = await service.Http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId = cluster, bootstrapId = bootstrap })))
        {
            Assert.Equal(HttpStatusCode.OK, link.StatusCode);
            Assert.Equal("us", (string?)(await Json.ReadAsync(link))["region"]);
        }

        // Each subject's row is in its own region's database only (the account holds the cluster's id as its link).
        await AssertOnlyInAsync(service, person.Email, "eu");
        await AssertOnlyInAsync(service, address, "us");

        var export = await service.Http.GetMeAsync(person);
        var linked = Assert.Single(export["clusters"]!.AsArray())!;
        Assert.Equal("us", (string?)linked["data"]!["region"]);
        Assert.Contains(linked["data"]!["items"]!.AsArray(), item => (string?)item!["value"] == address);

        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var receiptUrl = (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
        var receipt = await Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await service.Http.GetAsync(receiptUrl);
                return await Json.ReadAsync(response);
            },
            json => (string?)json["status"] == "completed",
            TimeSpan.FromSeconds(30),
            "the erasure completes");

        var receipts = receipt["receipts"]!.AsArray();
        Assert.Contains(receipts, entry => (string?)entry!["subject"] == "cluster" && (string?)entry["region"] == "us");
        Assert.Contains(receipts, entry => (string?)entry!["subject"] == "account" && (string?)entry["region"] == "eu");
        foreach (var (_, database) in service.AllDatabases())
        {
            foreach (var value in new[] { person.Email, person.Name, person.UserId, cluster, bootstrap, address })
            {
                Assert.Equal(0, await database.CountRowsContainingAsync(value));
            }
        }
    }

    private static async Task AssertOnlyInAsync(RegionalService service, string value, string region)
    {
        foreach (var (name, database) in service.AllDatabases())
        {
            Assert.True(
                (name == region) == (await database.CountRowsContainingAsync(value) > 0),
                $"rows of the {region} subject must be in the {region} database only (checked {name})");
        }
    }
}
