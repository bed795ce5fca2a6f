using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.OpenDsr;

/// <summary>
/// Access and portability requests from a controller: nothing is released until the person confirms; then the request
/// completes with a capability <c>results_url</c> serving the person's export (only theirs), and every fetch is a
/// consent-basis entry in their disclosure ledger naming the controller.
/// </summary>
public sealed partial class OpenDsrProcessorTests
{
    [Theory]
    [InlineData("access")]
    [InlineData("portability")]
    public async Task A_confirmed_access_request_completes_with_a_results_url_serving_only_the_persons_export_and_each_fetch_is_in_their_ledger(string type)
    {
        await using var controller = await RegisteredControllerAsync();
        var person = await service.SignUpAsync();
        var other = await service.SignUpAsync();
        var otherBefore = (await service.Http.GetMeAsync(other)).ToJsonString();
        var id = SpecController.NewRequestId();
        using (var created = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", controller.RequestBody(id, person.Email, type))))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Pending: no results_url, nothing in the ledger.
        Assert.Null((await StatusDocumentAsync(controller, id))["results_url"]);
        Assert.Empty(await DisclosuresAsync(person));
        var code = await service.Outbox.NextCodeAsync(person.Email, 1);

        using (var confirmed = await ConfirmAsync(controller, id, person.Email, code))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            Assert.Contains("may now fetch a copy of your data", await confirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Completed, with a results_url on our public base and the count of items held; the completed callback carries them too.
        var status = await Eventually.ReturnsAsync(() => StatusDocumentAsync(controller, id), json => (string?)json["request_status"] == "completed", Deadline, "the request completes");
        var resultsUrl = (string)status["results_url"]!;
        Assert.StartsWith($"{OpenDsrService.PublicBaseUrl}/opendsr/v2/results/{controller.ControllerId}/{id}/", resultsUrl, StringComparison.Ordinal);
        Assert.True((int)status["results_count"]! > 0);
        var callbacks = await Eventually.ReturnsAsync(
            () => Task.FromResult(controller.Callbacks.Where(callback => !callback.Refused).ToList()), all => all.Count >= 2, Deadline, "both callbacks arrive");
        Assert.Equal(["in_progress", "completed"], callbacks.Select(callback => (string)callback.Json["request_status"]!));
        Assert.Null(callbacks[0].Json["results_url"]);
        Assert.Equal(resultsUrl, (string?)callbacks[1].Json["results_url"]);
        Assert.Equal((int)status["results_count"]!, (int?)callbacks[1].Json["results_count"]);

        // Completion released nothing yet: the ledger records fetches, not promises.
        Assert.Empty(await DisclosuresAsync(person));

        // The fetch: the person's export, as GET /v1/me gives it, signed by us; nobody else's data.
        var path = new Uri(resultsUrl).AbsolutePath;
        using var fetched = await service.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal("application/json", fetched.Content.Headers.ContentType?.MediaType);
        var bytes = await fetched.Content.ReadAsByteArrayAsync();
        Assert.True(SpecController.Verifies(await CertificateAsync(), bytes, Header(fetched, "X-OpenDSR-Signature")));
        var export = JsonNode.Parse(bytes)!;
        Assert.True(JsonNode.DeepEquals(await service.Http.GetMeAsync(person), export), "the results are the person's own export");
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Contains(person.Email, text, StringComparison.Ordinal);
        Assert.DoesNotContain(other.Email, text, StringComparison.Ordinal);
        Assert.DoesNotContain(other.UserId, text, StringComparison.Ordinal);

        // The release is in the person's ledger: basis consent, naming the controller; the chain still verifies.
        var entry = Assert.Single(await DisclosuresAsync(person))!;
        Assert.Equal("consent", (string?)entry["basis"]);
        Assert.Equal("capability", (string?)entry["delivery"]);
        Assert.Contains("Example Controller Ltd", (string?)entry["recipient"], StringComparison.Ordinal);
        Assert.Contains(controller.ControllerId, (string?)entry["recipient"], StringComparison.Ordinal);
        Assert.Contains(id, (string?)entry["rationale"], StringComparison.Ordinal);
        using (var verification = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/disclosures/users/{person.UserId}/verification")))
        {
            Assert.Equal(HttpStatusCode.OK, verification.StatusCode);
            Assert.True((bool)(await Json.ReadAsync(verification))["valid"]!);
        }

        // A guessed capability for the same request opens nothing and records nothing.
        using (var guess = await service.Http.GetAsync($"/opendsr/v2/results/{controller.ControllerId}/{id}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, guess.StatusCode);
            Assert.DoesNotContain(person.Email, await guess.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Each further fetch is another entry; after three the URL is used up.
        for (var fetch = 2; fetch <= 3; fetch++)
        {
            using var again = await service.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        using (var usedUp = await service.Http.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.NotFound, usedUp.StatusCode);
        }

        Assert.Equal(3, (await DisclosuresAsync(person)).Count);

        // The other person: untouched, nothing disclosed.
        Assert.Equal(otherBefore, (await service.Http.GetMeAsync(other)).ToJsonString());
        Assert.Empty(await DisclosuresAsync(other));
    }

    [Fact]
    public async Task A_results_url_opens_nothing_after_the_person_is_erased()
    {
        // (Expiry is not driven here: moving this collection's shared policy clock by days breaks its neighbours' contracts.)
        await using var controller = await RegisteredControllerAsync();
        var (erased, id, erasedPath) = await CompletedAccessRequestAsync(controller);
        var (_, receiptUrl) = await Requests.Erasure.EraseAsync(service, erased);

        // Completed, not merely started (the token stops at once, the rows go after): only then must nothing be left.
        await Requests.Erasure.CompletedReceiptAsync(service.Http, receiptUrl, Deadline);
        using (var gone = await service.Http.GetAsync(erasedPath))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            Assert.DoesNotContain(erased.Email, await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(erased.Email));
        Assert.Equal("completed", (string?)(await StatusDocumentAsync(controller, id))["request_status"]);
    }

    [Fact]
    public async Task A_cluster_erasure_changes_nothing_until_its_operator_confirms_with_the_bootstrap_proof_then_erases_the_cluster()
    {
        await using var controller = await RegisteredControllerAsync();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var rowsNamingCluster = await service.Database.CountRowsContainingAsync(cluster);
        var id = SpecController.NewRequestId();
        var body = controller.RequestBody(id, "unused@example.org", change: json => json["subject_identities"] = new JsonArray(
            new JsonObject { ["identity_type"] = "controller_customer_id", ["identity_value"] = cluster, ["identity_format"] = "raw" }));
        using (var created = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", body)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Unconfirmed, and with a wrong proof: pending, the cluster intact, its id stored nowhere new.
        Assert.Equal("pending", await StatusAsync(controller, id));
        using (var wrong = await ConfirmClusterAsync(controller, id, cluster, Flynn.NewId()))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        }

        Assert.Equal("pending", await StatusAsync(controller, id));
        Assert.Empty(controller.Callbacks);
        using (var intact = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, intact.StatusCode);
        }

        Assert.Equal(rowsNamingCluster, await service.Database.CountRowsContainingAsync(cluster));

        // The operator's proof confirms it: the cluster's erasure runs and the request completes with it.
        using (var confirmed = await ConfirmClusterAsync(controller, id, cluster, bootstrap))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            Assert.Matches(ReceiptLink(), await confirmed.Content.ReadAsStringAsync());
        }

        await Eventually.ReturnsAsync(() => StatusAsync(controller, id), status => status == "completed", Deadline, "the request completes");
        using (var gone = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        // Access to a cluster is not served (its operator reads it with the proof at GET /v1/clusters/{clusterId}).
        var access = controller.RequestBody(SpecController.NewRequestId(), "unused@example.org", "access", json => json["subject_identities"] = new JsonArray(
            new JsonObject { ["identity_type"] = "controller_customer_id", ["identity_value"] = Flynn.NewId(), ["identity_format"] = "raw" }));
        using var refused = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", access));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    /// <summary>The operator's confirmation on the Privacy Center page, as a browser posts it.</summary>
    private Task<HttpResponseMessage> ConfirmClusterAsync(SpecController controller, string id, string cluster, string bootstrap) =>
        ConfirmAsync(controller, id, string.Empty, string.Empty, fields: new Dictionary<string, string> { ["clusterId"] = cluster, ["bootstrapId"] = bootstrap });

    /// <summary>A person, and an access request naming them that they confirmed and that completed: its results path.</summary>
    private async Task<(Person Person, string Id, string Path)> CompletedAccessRequestAsync(SpecController controller)
    {
        var person = await service.SignUpAsync();
        var id = SpecController.NewRequestId();
        using (var created = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", controller.RequestBody(id, person.Email, "access"))))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var confirmed = await ConfirmAsync(controller, id, person.Email, await service.Outbox.NextCodeAsync(person.Email, 1)))
        {
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        }

        var status = await Eventually.ReturnsAsync(() => StatusDocumentAsync(controller, id), json => json["results_url"] is not null, Deadline, "the request completes");
        return (person, id, new Uri((string)status["results_url"]!).AbsolutePath);
    }

    private async Task<JsonNode> StatusDocumentAsync(SpecController controller, string id)
    {
        using var response = await service.Http.SendAsync(controller.Request(HttpMethod.Get, $"/opendsr/v2/requests/{id}", null));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    /// <summary>The person's disclosure ledger as they see it.</summary>
    private async Task<JsonArray> DisclosuresAsync(Person person)
    {
        using var response = await service.Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me/disclosures"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Json.ReadAsync(response)).AsArray();
    }
}
