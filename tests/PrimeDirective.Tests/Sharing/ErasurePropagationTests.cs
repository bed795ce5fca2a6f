using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>Erasure propagates to every processor that received the person's data: OpenDSR-shaped, signed, retried until acknowledged.</summary>
[Collection(SharingFixture.Name)]
public sealed class ErasurePropagationTests(SharingService service)
{
    private static readonly string[] s_usage = ["usage"];
    private static readonly string[] s_usageStatistics = ["usage-statistics"];

    [Fact]
    public async Task Erasure_reaches_both_processors_retrying_the_failing_one_and_the_receipt_ends_with_both_acknowledged()
    {
        await using var failing = await LoopbackProcessor.StartAsync();
        await using var prompt = await LoopbackProcessor.StartAsync();
        var failingId = await service.RegisterAsync(failing);
        var promptId = await service.RegisterAsync(prompt);
        var person = await service.SignUpAsync();
        var other = await service.SignUpAsync();
        await service.DisclosedAsync(Sharing.ForPerson(person, "processor", failingId, ["account"]));
        await service.DisclosedAsync(Sharing.ForPerson(person, "processor", promptId, ["account"]));
        await service.DisclosedAsync(Sharing.ForPerson(other, "processor", failingId, ["account"]));
        await Eventually.ReturnsAsync(
            () => Task.FromResult((failing.Requests.Count, prompt.Requests.Count)), counts => counts == (2, 1), TimeSpan.FromSeconds(30), "the packages arrive");

        failing.AnswerFirst(500, 500, 500);
        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var receiptUrl = (string)(await Json.ReadAsync(erase))["receiptUrl"]!;

        // Our own erasure completes without waiting for the processors: the receipt says the propagation is pending.
        var completed = await Eventually.ReturnsAsync(() => service.ReceiptAsync(receiptUrl), json => (string?)json["status"] == "completed", TimeSpan.FromSeconds(30), "our erasure completes");
        Assert.Equal("pending", (string?)completed["propagated"]);

        var done = await Eventually.ReturnsAsync(
            () => service.ReceiptAsync(receiptUrl), json => (string?)json["propagated"] == "acknowledged", TimeSpan.FromSeconds(60), "both processors acknowledge");
        var outcomes = done["processors"]!.AsArray().ToDictionary(outcome => (string)outcome!["processorId"]!, outcome => outcome!);
        Assert.Equal(2, outcomes.Count);
        Assert.Equal("acknowledged", (string?)outcomes[failingId]["status"]);
        Assert.Equal(4, (int)outcomes[failingId]["attempts"]!);
        Assert.Equal("acknowledged", (string?)outcomes[promptId]["status"]);
        Assert.Equal(1, (int)outcomes[promptId]["attempts"]!);

        // The failing processor received exactly one body per attempt, the same signed body each time, only about this person.
        var notices = failing.Requests.Where(request => request.Path == "/erasure").ToList();
        Assert.Equal(4, notices.Count);
        Assert.Single(notices.Select(notice => notice.Text).Distinct());
        Assert.All(notices, notice =>
        {
            Assert.True(LoopbackProcessor.IsSignedWith(notice, "X-PrimeDirective-Signature", failing.Secret));
            Assert.Contains(person.Email, notice.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(other.Email, notice.Text, StringComparison.Ordinal);
        });
        // The HMAC moved to our own header: X-OpenDSR-Signature carries only a certificate signature (none configured here).
        Assert.All(notices, notice => Assert.False(notice.Headers.ContainsKey("X-OpenDSR-Signature")));
        var body = JsonNode.Parse(notices[0].Text)!;
        Assert.Equal("erasure", (string?)body["subject_request_type"]);
        Assert.Equal("gdpr", (string?)body["regulation"]);
        Assert.Equal("2.0", (string?)body["api_version"]);
        Assert.Null(body["controller_request_id"]);
        Assert.NotNull(body["subject_request_id"]);
        Assert.NotNull(body["submitted_time"]);
        Assert.NotNull(body["api_version"]);
        Assert.Contains(body["subject_identities"]!.AsArray(), identity => (string?)identity!["identity_value"] == person.Email);

        var promptNotice = Assert.Single(prompt.Requests, request => request.Path == "/erasure");
        Assert.True(LoopbackProcessor.IsSignedWith(promptNotice, "X-PrimeDirective-Signature", prompt.Secret));
        Assert.False(LoopbackProcessor.IsSignedWith(promptNotice, "X-PrimeDirective-Signature", failing.Secret));

        // Nothing of the erased person is left anywhere (the notices' identities went with their acknowledgements); the other person is untouched.
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Email));
        Assert.Single(await service.LedgerAsync(other));
    }

    [Fact]
    public async Task A_cluster_operators_erasure_reaches_the_processor_that_received_the_clusters_data()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor, categories: ["usage"], purposes: s_usageStatistics);
        var (cluster, bootstrap, other) = (Flynn.NewId(), Flynn.NewId(), Flynn.NewId());
        foreach (var id in new[] { cluster, other })
        {
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(id, bootstrap));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        foreach (var id in new[] { cluster, other })
        {
            await service.DisclosedAsync(new
            {
                subject = new { clusterId = id, region = "eu" },
                recipient = processorId,
                basis = "processor",
                categories = s_usage,
                purpose = "usage-statistics",
                rationale = "Usage statistics are analysed by our processor under contract.",
            });
        }

        await Eventually.ReturnsAsync(() => Task.FromResult(processor.Requests.Count), count => count == 2, TimeSpan.FromSeconds(30), "the packages arrive");

        using var erase = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/erasure", bootstrap));
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var receiptUrl = (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
        var done = await Eventually.ReturnsAsync(
            () => service.ReceiptAsync(receiptUrl),
            json => (string?)json["status"] == "completed" && (string?)json["propagated"] == "acknowledged",
            TimeSpan.FromSeconds(60),
            "the cluster erased and the processor's acknowledgement on the receipt");
        var outcome = Assert.Single(done["processors"]!.AsArray());
        Assert.Equal(processorId, (string?)outcome!["processorId"]);

        // One signed OpenDSR request naming this cluster, and nothing about the other cluster the processor also holds.
        var notice = Assert.Single(processor.Requests, request => request.Path == "/erasure");
        Assert.True(LoopbackProcessor.IsSignedWith(notice, "X-PrimeDirective-Signature", processor.Secret));
        var body = JsonNode.Parse(notice.Text)!;
        Assert.Equal("erasure", (string?)body["subject_request_type"]);
        Assert.Contains(body["subject_identities"]!.AsArray(), identity => (string?)identity!["identity_value"] == cluster);
        Assert.DoesNotContain(other, notice.Text, StringComparison.Ordinal);
    }
}
