using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>Bad input on every sharing route gets a problem, and nothing is stored or sent; only officers reach them.</summary>
[Collection(SharingFixture.Name)]
public sealed class SharingInputTests(SharingService service)
{
    private static readonly string[] s_account = ["account"];
    private static readonly string[] s_mars = ["mars"];
    private static readonly string[] s_unknownPurpose = ["world-domination"];

    [Fact]
    public async Task Bad_disclosure_orders_are_problems_and_nothing_is_recorded_or_sent()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor);
        var person = await service.SignUpAsync();

        // Unknown basis: a shape error.
        using (var unknownBasis = await service.DiscloseAsync(Sharing.ForPerson(person, "friendship", processorId)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknownBasis.StatusCode);
            Assert.Equal("application/problem+json", unknownBasis.Content.Headers.ContentType?.MediaType);
        }

        // Oversized rationale.
        using (var oversized = await service.DiscloseAsync(Sharing.ForPerson(person, "processor", processorId, rationale: new string('r', 2001))))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, oversized.StatusCode);
        }

        // An unknown person and a malformed id are answered alike, as any 404.
        using var unknown = await service.DiscloseAsync(new { subject = new { userId = $"eu-{Guid.NewGuid():N}" }, recipient = processorId, basis = "processor", categories = s_account, rationale = "Service provision." });
        using var malformed = await service.DiscloseAsync(new { subject = new { userId = "not-an-id" }, recipient = processorId, basis = "processor", categories = s_account, rationale = "Service provision." });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        Assert.Equal(await ProblemTypeAsync(unknown), await ProblemTypeAsync(malformed));

        // Neither a user nor a cluster, or both; no categories; an unknown category.
        using (var neither = await service.DiscloseAsync(new { subject = new { }, recipient = processorId, basis = "processor", categories = s_account, rationale = "x" }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, neither.StatusCode);
        }

        using (var none = await service.DiscloseAsync(Sharing.ForPerson(person, "processor", processorId, [])))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, none.StatusCode);
        }

        using (var category = await service.DiscloseAsync(Sharing.ForPerson(person, "processor", processorId, ["everything"])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, category.StatusCode);
        }

        Assert.Empty(await service.LedgerAsync(person));
        Assert.DoesNotContain((await service.Http.GetMeAsync(person))["account"]!["audit"]!.AsArray(), entry => ((string?)entry!["action"])!.StartsWith("disclos", StringComparison.Ordinal));
        Assert.Empty(processor.Requests);
    }

    [Fact]
    public async Task Bad_processor_registrations_are_problems_and_store_nothing()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var now = service.Clock.GetUtcNow();
        var id = Sharing.NewProcessorId();

        async Task RefusedAsync(HttpStatusCode status, Action<Dictionary<string, object?>> spoil, HttpClient? via = null)
        {
            var body = Sharing.ProcessorBody(processor, now);
            spoil(body);
            using var response = await service.PutProcessorAsync(id, body, via);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        await RefusedAsync(HttpStatusCode.UnprocessableEntity, body => body["endpoint"] = "not a url");
        await RefusedAsync(HttpStatusCode.UnprocessableEntity, body => body["erasureEndpoint"] = "ftp://processor.example/erase");
        await RefusedAsync(HttpStatusCode.UnprocessableEntity, body => body["endpoint"] = "https://user:pass@processor.example/in");
        await RefusedAsync(HttpStatusCode.UnprocessableEntity, body => body["regions"] = s_mars);
        await RefusedAsync(HttpStatusCode.UnprocessableEntity, body => body["secret"] = "short");
        await RefusedAsync(HttpStatusCode.UnprocessableEntity, body => body.Remove("secret"));
        await RefusedAsync(HttpStatusCode.UnprocessableEntity, body => body["contract"] = new { reference = "DPA", signedAt = now, expiresAt = now.AddDays(-1) });
        await RefusedAsync(HttpStatusCode.BadRequest, body => body["purposes"] = s_unknownPurpose);
        await RefusedAsync(HttpStatusCode.BadRequest, body => body["unexpected"] = true);

        // Outside development, a plain-http endpoint is refused (this fixture's gateway allows it for the loopback processor).
        var strict = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = service.Officer.UserId, ["Sharing:AllowInsecureEndpoints"] = "false" });
        await RefusedAsync(HttpStatusCode.UnprocessableEntity, _ => { }, strict);

        using (var invalidId = await service.PutProcessorAsync("Not_An_Id", Sharing.ProcessorBody(processor, now)))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, invalidId.StatusCode);
        }

        using var get = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/processors/{id}"));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var list = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, "/v1/admin/processors"));
        Assert.DoesNotContain(id, await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(processor.Requests);
    }

    [Fact]
    public async Task A_registered_processor_is_audited_and_its_secret_is_never_shown_back()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var id = await service.RegisterAsync(processor);

        // An update without a secret keeps the one it has.
        var body = Sharing.ProcessorBody(processor, service.Clock.GetUtcNow());
        body.Remove("secret");
        body["name"] = "Mailer Group";
        using (var update = await service.PutProcessorAsync(id, body))
        {
            Assert.Equal(HttpStatusCode.OK, update.StatusCode);
            Assert.DoesNotContain(processor.Secret, await update.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var get = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/processors/{id}"));
        var view = await Json.ReadAsync(get);
        Assert.Equal("Mailer Group", (string?)view["name"]);
        Assert.Null(view["secret"]);
        using var list = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, "/v1/admin/processors"));
        var text = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(processor.Secret, text, StringComparison.Ordinal);
        var audit = (await Json.ReadAsync(list))["audit"]!.AsArray().Where(entry => ((string?)entry!["reason"])!.Contains(id, StringComparison.Ordinal)).ToList();
        Assert.Equal(["processor-registered", "processor-updated"], audit.Select(entry => (string?)entry!["action"]));
        // Stored once, in the registry's row, and nowhere else (hex, so JSON escaping cannot hide a copy).
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(processor.Secret));
    }

    public static TheoryData<string, string, string?> AdminRoutes() => new()
    {
        { "PUT", "/v1/admin/processors/proc-x", "{}" },
        { "GET", "/v1/admin/processors/proc-x", null },
        { "GET", "/v1/admin/processors", null },
        { "POST", "/v1/admin/disclosures", "{}" },
        { "GET", $"/v1/admin/disclosures/users/eu-{new string('a', 32)}/verification", null },
        { "GET", $"/v1/admin/disclosures/clusters/{Guid.Empty}/verification", null },
    };

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task Every_sharing_admin_route_refuses_people_and_requests_without_a_token(string method, string path, string? body)
    {
        var person = await service.SignUpAsync();
        HttpRequestMessage Request(Person? caller)
        {
            var request = caller?.Request(new HttpMethod(method), path) ?? new HttpRequestMessage(new HttpMethod(method), path);
            request.Content = body is null ? null : Json.Raw(body);
            return request;
        }

        using var asPerson = await service.Admin.SendAsync(Request(person));
        Assert.Equal(HttpStatusCode.Forbidden, asPerson.StatusCode);
        using var anonymous = await service.Admin.SendAsync(Request(null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static async Task<string?> ProblemTypeAsync(HttpResponseMessage response) => (string?)(await Json.ReadAsync(response))["type"];
}
