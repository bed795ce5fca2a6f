using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// Policy: "When the law requires it ... We'll notify you when we're asked to hand over your personal information in
/// this way unless we're legally prohibited from doing so ... only ... if we have a good faith belief that the law requires us to".
/// </summary>
[Collection(SharingFixture.Name)]
public sealed class LegalRequestTests(SharingService service)
{
    [Fact]
    public async Task Under_a_gag_the_person_sees_no_notice_and_no_entry_until_it_ends_then_exactly_one_notice_and_the_entry()
    {
        var person = await service.SignUpAsync();
        var gagUntil = service.Clock.GetUtcNow().AddDays(30);
        var received = await ReceiveAsync(person, "Federal Agency", "SUB-2026-0042", gagUntil);
        var requestId = (string)received["request"]!["requestId"]!;
        Assert.Equal("received", (string?)received["status"]);

        var decided = await DecideAsync(requestId, "disclose", "The subpoena is valid, specific and within the agency's authority; the law requires us to comply.");
        Assert.Equal("decided", (string?)decided["status"]);
        Assert.NotNull(decided["disclosureId"]);
        Assert.Null(decided["notifiedAt"]);

        // The disclosure happened and is chained, but the person sees neither it nor any notice while the gag runs.
        Assert.Empty(await service.LedgerAsync(person));
        Assert.Empty(await LegalNoticesAsync(person));
        Assert.Equal(1, (int)(await service.VerifyAsync(person))["entries"]!);

        // The gag is extended before it ends; shortening it is refused.
        using (var extend = await AdminAsync(HttpMethod.Post, $"/v1/admin/legal-requests/{requestId}/gag", new { until = gagUntil.AddDays(10) }))
        {
            Assert.Equal(HttpStatusCode.OK, extend.StatusCode);
        }

        using (var shorten = await AdminAsync(HttpMethod.Post, $"/v1/admin/legal-requests/{requestId}/gag", new { until = gagUntil.AddDays(5) }))
        {
            Assert.Equal(HttpStatusCode.Conflict, shorten.StatusCode);
        }

        // Past the first end, still within the extension: still nothing.
        service.Clock.Advance(TimeSpan.FromDays(35));
        Assert.Empty(await service.LedgerAsync(person));
        Assert.Empty(await LegalNoticesAsync(person));

        // Past the extended end: the person is told of the request and of the decision, each exactly once, and the entry appears.
        service.Clock.Advance(TimeSpan.FromDays(6));
        var notices = await Eventually.ReturnsAsync(() => LegalNoticesAsync(person), found => found.Count >= 2, TimeSpan.FromSeconds(30), "the notices at the gag's end");
        Assert.Equal(2, notices.Count);
        Assert.Single(notices, found => (string?)found["id"] == $"legal-request-{requestId}-received");
        var notice = Assert.Single(notices, found => (string?)found["id"] == $"legal-request-{requestId}");
        Assert.Contains("Federal Agency", (string?)notice["text"], StringComparison.Ordinal);
        Assert.Contains("SUB-2026-0042", (string?)notice["text"], StringComparison.Ordinal);
        Assert.Contains("limits the legal defences or objections you may have", (string?)notice["text"], StringComparison.Ordinal);
        var entry = Assert.Single(await service.LedgerAsync(person));
        Assert.Equal("legal", (string?)entry!["basis"]);
        Assert.Equal("SUB-2026-0042", (string?)entry["legalReference"]);
        Assert.Equal("Federal Agency", (string?)entry["recipient"]);

        using var view = await AdminAsync(HttpMethod.Get, $"/v1/admin/legal-requests/{requestId}");
        Assert.NotNull((await Json.ReadAsync(view))["notifiedAt"]);
        Assert.Equal(2, (await LegalNoticesAsync(person)).Count);
    }

    [Fact]
    public async Task Without_a_gag_the_person_is_told_at_once_and_a_rejection_discloses_nothing()
    {
        var person = await service.SignUpAsync();
        var received = await ReceiveAsync(person, "County Court", "CIV-77", gagUntil: null, placeHold: true);
        var requestId = (string)received["request"]!["requestId"]!;

        // A disclose decision needs a good-faith rationale.
        using (var thin = await AdminAsync(HttpMethod.Post, $"/v1/admin/legal-requests/{requestId}/decision", new { decision = "disclose", rationale = "ok" }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, thin.StatusCode);
        }

        var decided = await DecideAsync(requestId, "reject", "Overbroad: the request names no specific matter.");
        Assert.Null(decided["disclosureId"]);
        var all = await LegalNoticesAsync(person);
        Assert.Equal(2, all.Count);
        var notice = Assert.Single(all, found => (string?)found["id"] == $"legal-request-{requestId}");
        Assert.Contains("We refused", (string?)notice["text"], StringComparison.Ordinal);
        Assert.Empty(await service.LedgerAsync(person));

        // A decided request is not decided again otherwise; the legal hold it placed runs independently.
        using (var again = await AdminAsync(HttpMethod.Post, $"/v1/admin/legal-requests/{requestId}/decision", new { decision = "disclose", rationale = "Changed our mind after a further order of the court arrived." }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using var hold = await AdminAsync(HttpMethod.Get, $"/v1/admin/legal-holds/users/{person.UserId}");
        Assert.Equal("CIV-77", (string?)(await Json.ReadAsync(hold))["reference"]);
        Assert.Empty(await service.LedgerAsync(person));
    }

    [Fact]
    public async Task Bad_legal_requests_are_problems_and_record_nothing()
    {
        var person = await service.SignUpAsync();
        using (var past = await AdminAsync(HttpMethod.Post, "/v1/admin/legal-requests", Body(person.UserId, DateTimeOffset.UtcNow.AddDays(-1))))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, past.StatusCode);
        }

        using (var unknown = await AdminAsync(HttpMethod.Post, "/v1/admin/legal-requests", Body($"eu-{Guid.NewGuid():N}", null)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var missing = await AdminAsync(HttpMethod.Get, $"/v1/admin/legal-requests/eu-{Guid.NewGuid():N}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var decision = await AdminAsync(HttpMethod.Post, $"/v1/admin/legal-requests/eu-{Guid.NewGuid():N}/decision", new { decision = "maybe", rationale = "x" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, decision.StatusCode);
        }

        using (var asPerson = await service.Admin.SendAsync(person.Request(HttpMethod.Post, "/v1/admin/legal-requests", Body(person.UserId, null))))
        {
            Assert.Equal(HttpStatusCode.Forbidden, asPerson.StatusCode);
        }

        Assert.Empty(await LegalNoticesAsync(person));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync("Agency of Bad Input"));
    }

    private static object Body(string userId, DateTimeOffset? gagUntil) => LegalRequestRoutes.Body(userId, "Agency of Bad Input", "REF-1", gagUntil);

    private Task<JsonNode> ReceiveAsync(Person person, string authority, string reference, DateTimeOffset? gagUntil, bool placeHold = false) =>
        LegalRequestRoutes.ReceiveAsync(service.Admin, service.Officer, person, authority, reference, gagUntil, placeHold);

    private Task<JsonNode> DecideAsync(string requestId, string decision, string rationale) =>
        LegalRequestRoutes.DecideAsync(service.Admin, service.Officer, requestId, decision, rationale);

    private Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, object? body = null) =>
        service.Admin.SendAsync(service.Officer.Request(method, path, body));

    private async Task<List<JsonNode>> LegalNoticesAsync(Person person)
    {
        using var response = await service.Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me/notifications"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await Json.ReadAsync(response)).AsArray().Where(notice => (string?)notice!["kind"] == "legal-request").Select(notice => notice!)];
    }
}
