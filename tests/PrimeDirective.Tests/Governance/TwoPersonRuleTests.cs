using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Notices;
using PrimeDirective.Tests.Sharing;

namespace PrimeDirective.Tests.Governance;

/// <summary>
/// The two-person rule over real HTTP and PostgreSQL, for each governed action: one officer alone only proposes (202) and
/// nothing happens; the proposer cannot approve; a different officer's approval makes it happen once; a withdrawn or
/// expired proposal never happens.
/// </summary>
[Collection(GovernanceFixture.Name)]
public sealed class TwoPersonRuleTests(GovernanceService service)
{
    public static TheoryData<string> Actions => ["disclosure", "legal-disclosure", "breach", "substantive-policy-version", "legal-hold-lift"];

    private static int s_versions;

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task One_officer_alone_only_proposes_and_cannot_approve_their_own_proposal(string action)
    {
        var governed = await ArrangeAsync(action);

        var proposal = await ProposeAsync(governed);
        Assert.Equal(action, (string?)proposal["action"]);
        Assert.Equal("open", (string?)proposal["status"]);
        Assert.Equal(service.Officer.UserId, (string?)proposal["proposedBy"]);
        Assert.Equal(service.Clock.GetUtcNow() + TimeSpan.FromDays(7), (DateTimeOffset)proposal["expiresAt"]!);

        var (status, problem) = await SendAsync(service.Officer, HttpMethod.Post, $"/v1/admin/proposals/{Id(proposal)}/approval");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("different officer", (string?)problem!["detail"], StringComparison.Ordinal);

        Assert.Equal(0, await governed.HappenedAsync());
        var listed = await ListedAsync(Id(proposal));
        Assert.Equal("open", (string?)listed["status"]);
        Assert.Null(listed["decidedBy"]);
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task A_second_officers_approval_makes_it_happen_once_and_names_both_officers(string action)
    {
        var governed = await ArrangeAsync(action);
        var proposal = await ProposeAsync(governed);
        Assert.Equal(0, await governed.HappenedAsync());

        var (status, _) = await SendAsync(service.Second, HttpMethod.Post, $"/v1/admin/proposals/{Id(proposal)}/approval");
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.NoContent, $"approval answered {status}");
        await Eventually.ReturnsAsync(governed.HappenedAsync, count => count > 0, TimeSpan.FromSeconds(30), $"the approved {action}");

        var (again, _) = await SendAsync(service.Second, HttpMethod.Post, $"/v1/admin/proposals/{Id(proposal)}/approval");
        Assert.Equal(HttpStatusCode.Conflict, again);
        var (withdrawn, _) = await SendAsync(service.Officer, HttpMethod.Delete, $"/v1/admin/proposals/{Id(proposal)}");
        Assert.Equal(HttpStatusCode.Conflict, withdrawn);
        Assert.Equal(1, await governed.HappenedAsync());

        var listed = await ListedAsync(Id(proposal));
        Assert.Equal("done", (string?)listed["status"]);
        Assert.Equal(service.Officer.UserId, (string?)listed["proposedBy"]);
        Assert.Equal(service.Second.UserId, (string?)listed["decidedBy"]);
        Assert.StartsWith("done: ", (string?)listed["result"], StringComparison.Ordinal);
        await AssertForgottenAsync(governed);
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task A_withdrawn_proposal_never_happens(string action)
    {
        var governed = await ArrangeAsync(action);
        var proposal = await ProposeAsync(governed);

        var (status, body) = await SendAsync(service.Officer, HttpMethod.Delete, $"/v1/admin/proposals/{Id(proposal)}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("withdrawn", (string?)body!["status"]);

        var (approval, _) = await SendAsync(service.Second, HttpMethod.Post, $"/v1/admin/proposals/{Id(proposal)}/approval");
        Assert.Equal(HttpStatusCode.Conflict, approval);
        Assert.Equal(0, await governed.HappenedAsync());
        Assert.Equal("withdrawn", (string?)(await ListedAsync(Id(proposal)))["status"]);
        await AssertForgottenAsync(governed);
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task An_expired_proposal_never_happens(string action)
    {
        var governed = await ArrangeAsync(action);
        var proposal = await ProposeAsync(governed);

        service.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        Assert.Equal("expired", (string?)(await ListedAsync(Id(proposal)))["status"]);
        var (approval, problem) = await SendAsync(service.Second, HttpMethod.Post, $"/v1/admin/proposals/{Id(proposal)}/approval");
        Assert.Equal(HttpStatusCode.Conflict, approval);
        Assert.Contains("expired", (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.Equal(0, await governed.HappenedAsync());
        await AssertForgottenAsync(governed);
    }

    [Fact]
    public async Task What_the_rule_does_not_govern_one_officer_does_alone_and_nobody_else_approves_a_proposal()
    {
        var person = await service.SignUpAsync();
        var request = await ReceiveAsync(person);
        var (rejected, view) = await SendAsync(service.Officer, HttpMethod.Post, $"/v1/admin/legal-requests/{request}/decision", new { decision = "reject", rationale = "Not a valid order." });
        Assert.Equal(HttpStatusCode.OK, rejected);
        Assert.Equal("reject", (string?)view!["decision"]!["kind"]);

        var version = $"g{Interlocked.Increment(ref s_versions)}-{Guid.NewGuid():N}";
        var (published, _) = await SendAsync(service.Officer, HttpMethod.Post, "/v1/admin/policy-versions", PolicyBody(version, substantive: false));
        Assert.Equal(HttpStatusCode.Created, published);

        var governed = await ArrangeAsync("legal-hold-lift");
        var proposal = await ProposeAsync(governed);
        var (byPerson, _) = await SendAsync(person, HttpMethod.Post, $"/v1/admin/proposals/{Id(proposal)}/approval");
        Assert.Equal(HttpStatusCode.Forbidden, byPerson);
        var (unknown, _) = await SendAsync(service.Second, HttpMethod.Post, $"/v1/admin/proposals/{Guid.NewGuid():N}/approval");
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(0, await governed.HappenedAsync());
    }

    [Fact]
    public async Task The_rule_cannot_be_turned_off_outside_the_single_process_mode()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => service.StartGatewayOnAsync(
            "http://127.0.0.1:0", new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Governance:TwoPersonRule"] = "off" }));
        Assert.Contains("single-process", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A governed action made ready: the request that proposes it, and how many times it has happened.</summary>
    private sealed record Governed(Person Person, HttpMethod Method, string Path, object? Body, Func<Task<int>> HappenedAsync);

    /// <summary>A decided proposal keeps nothing that names the person it concerned (the book is an audit of officers).</summary>
    private async Task AssertForgottenAsync(Governed governed) =>
        Assert.DoesNotContain(governed.Person.UserId, await service.StatePayloadAsync("eu/proposals"), StringComparison.Ordinal);

    private async Task<Governed> ArrangeAsync(string action)
    {
        var person = await service.SignUpAsync();
        switch (action)
        {
            case "disclosure":
                return new(person, HttpMethod.Post, "/v1/admin/disclosures", Sharing.Sharing.ForPerson(
                    person, "harm-prevention", "City Police", rationale: "A credible threat against our users was traced to this account's activity.", protects: "other-users"),
                    async () => (await service.LedgerAsync(person)).Count);
            case "legal-disclosure":
                var requestId = await ReceiveAsync(person);
                return new(person, HttpMethod.Post, $"/v1/admin/legal-requests/{requestId}/decision",
                    new { decision = "disclose", rationale = "A court order we believe in good faith the law requires us to obey." },
                    async () => (await service.LedgerAsync(person)).Count);
            case "breach":
                var now = service.Clock.GetUtcNow();
                return new(person, HttpMethod.Post, "/v1/admin/breaches", BreachTests.Breach(["eu"], ["account"], now.AddHours(-1), now.AddMinutes(1)),
                    async () => (await NoticeClient.NotificationsAsync(service.Http, person, "breach")).Count);
            case "substantive-policy-version":
                var version = $"g{Interlocked.Increment(ref s_versions)}-{Guid.NewGuid():N}";
                return new(person, HttpMethod.Post, "/v1/admin/policy-versions", PolicyBody(version, substantive: true),
                    async () =>
                    {
                        using var read = await service.Http.GetAsync($"/v1/policy/{version}");
                        return read.StatusCode == HttpStatusCode.OK ? 1 : 0;
                    });
            default:
                var (placed, _) = await SendAsync(service.Officer, HttpMethod.Put, $"/v1/admin/legal-holds/users/{person.UserId}", new { reason = "Litigation", reference = "Case 7" });
                Assert.Equal(HttpStatusCode.OK, placed);
                return new(person, HttpMethod.Delete, $"/v1/admin/legal-holds/users/{person.UserId}", null, async () =>
                {
                    var (status, _) = await SendAsync(service.Officer, HttpMethod.Get, $"/v1/admin/legal-holds/users/{person.UserId}");
                    return status == HttpStatusCode.NotFound ? 1 : 0;
                });
        }
    }

    private object PolicyBody(string version, bool substantive) => new
    {
        version,
        effectiveAt = NoticeClient.Iso(service.Clock.GetUtcNow().AddDays(60 + s_versions)),
        substantive,
        summary = "What changes.",
        text = "# Policy\n\nThe text.",
    };

    private async Task<string> ReceiveAsync(Person person) =>
        (string)(await LegalRequestRoutes.ReceiveAsync(service.Officers, service.Officer, person, "District Court", $"Case {Guid.NewGuid():N}", null))["request"]!["requestId"]!;

    private async Task<JsonNode> ProposeAsync(Governed governed)
    {
        using var request = service.Officer.Request(governed.Method, governed.Path, governed.Body);
        using var response = await service.Officers.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var proposal = await Json.ReadAsync(response);
        Assert.Equal($"/v1/admin/proposals/{Id(proposal)}", response.Headers.Location?.OriginalString);
        return proposal;
    }

    private async Task<JsonNode> ListedAsync(string proposalId)
    {
        var (status, list) = await SendAsync(service.Second, HttpMethod.Get, "/v1/admin/proposals");
        Assert.Equal(HttpStatusCode.OK, status);
        var listed = Assert.Single(list!.AsArray(), proposal => (string?)proposal!["proposalId"] == proposalId)!;
        Assert.DoesNotContain("rationale", listed.ToJsonString(), StringComparison.Ordinal);
        return listed;
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(Person who, HttpMethod method, string path, object? body = null) =>
        await NoticeClient.SendAsync(service.Officers, who.Request(method, path, body));

    private static string Id(JsonNode proposal) => (string)proposal["proposalId"]!;
}
