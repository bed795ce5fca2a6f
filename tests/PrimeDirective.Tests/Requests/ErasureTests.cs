using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Requests;

[Collection(TestCollections.SharedService)]
public sealed class ErasureTests(SharedService service)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = service.Http;

    [Fact]
    public async Task Erasing_me_destroys_the_account_its_email_entry_and_linked_clusters_in_every_region_and_leaves_an_anonymous_receipt()
    {
        var person = await service.SignUpAsync("eu");
        var (euCluster, euBootstrap, usCluster, usBootstrap) = (Flynn.NewId(), Flynn.NewId(), Flynn.NewId(), Flynn.NewId());
        // Fresh addresses, as fresh ids: the row search matches substrings, so a fixed one could be found in a neighbour's row.
        var (usAddress, euAddress) = (Flynn.NewAddress(), Flynn.NewAddress());
        var (neighbour, neighbourBootstrap, neighbourAddress) = (Flynn.NewId(), Flynn.NewId(), Flynn.NewAddress());
        await Erasure.SendAsync(_http, Flynn.SchedulerReport(neighbour, neighbourBootstrap, forwardedFor: neighbourAddress), HttpStatusCode.OK);
        await Erasure.SendAsync(_http, Erasure.ForwardedJsonReport($"/eu/v1/clusters/{euCluster}/reports", euBootstrap, euAddress), HttpStatusCode.Accepted);
        await Erasure.SendAsync(_http, Flynn.SchedulerReport(usCluster, usBootstrap, region: "us", forwardedFor: usAddress), HttpStatusCode.OK);
        Assert.Equal("eu", await Erasure.LinkAsync(_http, person, euCluster, euBootstrap));
        Assert.Equal("us", await Erasure.LinkAsync(_http, person, usCluster, usBootstrap));
        await Erasure.SendAsync(_http, person.Request(HttpMethod.Put, "/v1/me/consents/analytics", new { granted = true }), HttpStatusCode.OK);
        var newName = Infrastructure.People.NewName();
        await Erasure.SendAsync(_http, person.Request(HttpMethod.Patch, "/v1/me", new { name = newName }), HttpStatusCode.OK);

        var me = await _http.GetMeAsync(person);
        Assert.Equal(newName, (string?)me["account"]!["profile"]!["name"]);
        Assert.Equal(["eu", "us"], me["clusters"]!.AsArray().Select(cluster => (string?)cluster!["region"]).Order(StringComparer.Ordinal));
        Assert.All(me["clusters"]!.AsArray(), cluster => Assert.NotNull(cluster!["data"]));

        // Every needle is findable before the erasure, so the zeros afterwards mean destroyed, not never stored.
        var userRandom = SubjectIds.Parse(person.UserId)!.Value.Random;
        string[] stored = [person.Email, newName, person.UserId, euCluster, usCluster, euBootstrap, usBootstrap, euAddress, usAddress];
        string[] personal = [.. stored, person.Name, userRandom, euCluster.Replace("-", string.Empty, StringComparison.Ordinal),
            usCluster.Replace("-", string.Empty, StringComparison.Ordinal)];
        await Erasure.AssertEveryNeedleStoredAsync(service.Database, stored);
        var (userKeys, clusterKeys) = Erasure.KeysOf(service);
        var subjects = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["account"] = userKeys.ForUser(person.UserId),
            ["email index"] = userKeys.ForEmail("eu", person.Email),
            ["eu cluster"] = clusterKeys.For("eu", euCluster),
            ["us cluster"] = clusterKeys.For("us", usCluster),
        };
        foreach (var (subject, key) in subjects)
        {
            Assert.True((await Erasure.RowsOfGrainAsync(service.Database, key)).States == 1, $"the {subject} has its row before the erasure");
        }

        Assert.NotEqual(0, (await Erasure.RowsOfGrainAsync(service.Database, subjects["eu cluster"])).Reminders);
        Assert.NotEqual(0, (await Erasure.RowsOfGrainAsync(service.Database, subjects["email index"])).Reminders);

        var (requestId, receiptUrl) = await Erasure.EraseAsync(service, person);

        // The token of an account being erased stops working at once: the very first use after the 202 is refused.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(person.Request(HttpMethod.Get, "/v1/me")));

        var receipt = await Erasure.CompletedReceiptAsync(_http, receiptUrl, s_deadline);
        Assert.Equal(requestId, (string?)receipt["requestId"]);
        Assert.Equal("erasure", (string?)receipt["kind"]);
        Assert.NotNull(receipt["completedAt"]);
        var receipts = Erasure.Receipts(receipt, requestId);
        Assert.Equal(
            [("account", "eu"), ("cluster", "eu"), ("cluster", "us"), ("email-index", "eu")],
            receipts.Select(item => (item.Subject, item.Region)).Order());
        Assert.All(receipts, item =>
        {
            Assert.NotEmpty(item.Counts);
            Assert.All(item.Counts.Values, count => Assert.True(count > 0));
        });
        Assert.All(receipts.Where(item => item.Subject == "cluster"), cluster =>
        {
            Assert.Equal(2, cluster.Counts["identifier"]);
            Assert.Equal(1, cluster.Counts["ip-address"]);
        });
        var pseudonyms = subjects.Values.Select(key => key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..]).ToArray();
        Erasure.AssertReceiptNamesNone(receipt, [.. personal, .. pseudonyms]);

        // The request's resume reminder goes once it has completed.
        var requestKey = UserKeys.ForRequest(requestId);
        await Eventually.ReturnsAsync(
            async () => (await Erasure.RowsOfGrainAsync(service.Database, requestKey)).Reminders,
            reminders => reminders == 0,
            TimeSpan.FromSeconds(10),
            "the completed request's reminder removed");

        // Nothing answers for the erased subjects any more.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(person.Request(HttpMethod.Get, "/v1/me")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{euCluster}", euBootstrap)));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(Flynn.WithProof(HttpMethod.Get, $"/us/v1/clusters/{usCluster}", usBootstrap)));
        Assert.True(
            await StatusAsync(person.Request(HttpMethod.Get, $"/v1/privacy-requests/{requestId}")) is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound,
            "the erased person's token reads no request");

        // Signing in with the erased address sends nothing: another address's code arriving bounds the wait.
        var sentBefore = (await service.Outbox.MessagesToAsync(person.Email)).Count;
        await Erasure.SendAsync(_http, new HttpRequestMessage(HttpMethod.Post, "/v1/sessions") { Content = Json.Body(new { email = person.Email }) }, HttpStatusCode.Accepted);
        await service.SignUpAsync("eu");
        Assert.Equal(sentBefore, (await service.Outbox.MessagesToAsync(person.Email)).Count);

        // No row of any table holds anything of the person, and no row or reminder is left for the erased grains.
        await Erasure.AssertNoRowContainsAsync(service.Database, personal);
        foreach (var (subject, key) in subjects)
        {
            Assert.True(await Erasure.RowsOfGrainAsync(service.Database, key) == (0, 0), $"the {subject} left a row or a reminder");
        }

        // Nobody else's data changed: the unlinked neighbour keeps its report, its address and its ids.
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(neighbourAddress));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{neighbour}", neighbourBootstrap)));

        // The address is free again: signing up with it makes a new, empty account.
        var againName = Infrastructure.People.NewName();
        await Erasure.SendAsync(_http, new HttpRequestMessage(HttpMethod.Post, "/v1/users")
        {
            Content = Json.Body(new { email = person.Email, name = againName, region = "eu", birthDate = Infrastructure.People.AdultBirthDate }),
        }, HttpStatusCode.Accepted);
        var code = await service.Outbox.NextCodeAsync(person.Email, seen: sentBefore);
        var (againId, againToken) = await Infrastructure.People.VerifyAsync(_http, person.Email, code);
        Assert.NotEqual(person.UserId, againId);
        var again = await _http.GetMeAsync(person with { UserId = againId, Token = againToken, Name = againName });
        Assert.Equal(againName, (string?)again["account"]!["profile"]!["name"]);
        Assert.Empty(again["clusters"]!.AsArray());
        Assert.Empty(again["account"]!["requests"]!.AsArray());
        Assert.DoesNotContain(again["account"]!["consentHistory"]!.AsArray(), consent => (string?)consent!["purpose"] == "analytics");
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(person.Request(HttpMethod.Get, "/v1/me")));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(newName));

        // The receipt outlives everything it describes.
        var (status, body) = await Erasure.ReadReceiptAsync(_http, receiptUrl);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(JsonNode.DeepEquals(receipt, JsonNode.Parse(body)), "the receipt is unchanged");
    }

    private async Task<HttpStatusCode> StatusAsync(HttpRequestMessage request)
    {
        using (request)
        using (var response = await _http.SendAsync(request))
        {
            return response.StatusCode;
        }
    }
}
