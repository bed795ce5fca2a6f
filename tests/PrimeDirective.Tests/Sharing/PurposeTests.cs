using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// "We will use it in the ways for which you've given us permission": a disclosure on consent or a processor's contract
/// carries only items collected for a purpose compatible with the order's, and says what it left out.
/// </summary>
[Collection(SharingFixture.Name)]
public sealed class PurposeTests(SharingService service)
{
    private static readonly string[] s_usageStatistics = ["usage-statistics"];
    private static readonly string[] s_usageAndCrashes = ["usage", "crash-report"];
    private static readonly string[] s_account = ["account"];
    private static readonly string[] s_serviceProvision = ["service-provision"];

    [Fact]
    public async Task A_processor_disclosure_carries_only_items_collected_for_a_compatible_purpose_and_names_what_it_left_out()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor, categories: s_usageAndCrashes, purposes: s_usageStatistics);
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        // A crash report is collected for crash-reports, not for usage statistics. Its occurredAt is checked against the
        // gateway's wall clock: the collection's policy clock may be days ahead after the tests that move it.
        var canary = $"crash-{Guid.NewGuid():N}";
        using (var crash = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/crash-reports", bootstrap, Json.Body(new
        {
            version = Flynn.Version, component = "scheduler", occurredAt = DateTimeOffset.UtcNow.AddMinutes(-1), message = canary, stack = "main.main()",
        }))))
        {
            Assert.Equal(HttpStatusCode.Accepted, crash.StatusCode);
        }

        var made = await service.DisclosedAsync(new
        {
            subject = new { clusterId = cluster, region = "eu" },
            recipient = processorId,
            basis = "processor",
            categories = s_usageAndCrashes,
            purpose = "usage-statistics",
            rationale = "Usage statistics are analysed by our processor under contract.",
        });

        // The answer and the ledger entry name what was left out, by category and the purpose it was collected for.
        var withheld = Assert.Single(made["disclosure"]!["withheld"]!.AsArray())!;
        Assert.Equal(("crash-report", "crash-reports", 1), ((string?)withheld["category"], (string?)withheld["collectedFor"], (int)withheld["count"]!));
        using (var read = new HttpRequestMessage(HttpMethod.Get, $"/v1/clusters/{cluster}"))
        {
            read.Headers.Add("X-Flynn-Bootstrap-Id", bootstrap);
            using var view = await service.Http.SendAsync(read);
            var entry = Assert.Single((await Json.ReadAsync(view))["disclosures"]!.AsArray())!;
            Assert.True(JsonNode.DeepEquals(made["disclosure"]!["withheld"], entry["withheld"]));
        }

        // The package carries the usage items and not the crash report.
        var package = await Eventually.ReturnsAsync(
            () => Task.FromResult(processor.Packages()), packages => packages.Count > 0, TimeSpan.FromSeconds(30), "the package arrives");
        var document = JsonNode.Parse(package[0].Text)!;
        var categories = document["items"]!.AsArray().Select(item => (string?)item!["category"]).Distinct().ToList();
        Assert.Equal(["usage"], categories);
        Assert.All(document["items"]!.AsArray(), item => Assert.Equal("usage-statistics", (string?)item!["purpose"]));
        Assert.DoesNotContain(canary, package[0].Text, StringComparison.Ordinal);
        Assert.Equal(1, (int)document["withheld"]![0]!["count"]!);
    }

    [Fact]
    public async Task A_disclosure_whose_items_were_all_collected_for_another_purpose_is_refused_and_nothing_leaves()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor, categories: s_account, purposes: s_usageStatistics);
        var person = await service.SignUpAsync();

        // The account's data was given for the service, not for usage statistics.
        var refused = await service.RefusedAsync(new
        {
            subject = new { userId = person.UserId },
            recipient = processorId,
            basis = "processor",
            categories = s_account,
            purpose = "usage-statistics",
            rationale = "Our analytics processor asked for the account data.",
        }, "processor");
        Assert.Equal("no-item-compatible-with-purpose", (string?)refused["condition"]);

        // Nothing recorded as disclosed, nothing sent; the refusal is audited without recipient or rationale.
        Assert.Empty(await service.LedgerAsync(person));
        var me = await service.Http.GetMeAsync(person);
        var audit = Assert.Single(me["account"]!["audit"]!.AsArray(), entry => (string?)entry!["action"] == "disclosure-refused")!;
        Assert.DoesNotContain(processorId, audit.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(processor.Requests);

        // The same data for the purpose it was given for goes ahead.
        using (var put = await service.PutProcessorAsync(processorId, Sharing.ProcessorBody(processor, service.Clock.GetUtcNow(), s_account, purposes: s_serviceProvision)))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "processor", processorId));
        Assert.Empty(made["disclosure"]!["withheld"]!.AsArray());
    }
}
