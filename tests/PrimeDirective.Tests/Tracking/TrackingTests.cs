using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Tracking;

/// <summary>Do Not Track and Global Privacy Control: analytics events, the well-known resources, and GPC in the Privacy Center.</summary>
[Collection(TestCollections.SharedService)]
public sealed class TrackingTests(SharedService service)
{
    private const string Absent = "absent";

    /// <summary>The header matrix: DNT ∈ {absent, 0, 1} × Sec-GPC ∈ {absent, 0, 1, "1 ", two lines one of them 1, true}.</summary>
    public static TheoryData<string, string, bool> Matrix()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var dnt in new[] { Absent, "0", "1" })
        {
            foreach (var gpc in new[] { Absent, "0", "1", "1 ", "0|1", "true" })
            {
                var optedOut = dnt == "1" || gpc is "1" or "1 " or "0|1";
                data.Add(dnt, gpc, !optedOut);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task An_analytics_event_is_stored_only_without_a_DNT_or_GPC_signal_and_Tk_says_which(string dnt, string gpc, bool stored)
    {
        var page = $"/pricing/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/analytics/events") { Content = Json.Body(new { page, campaign = "autumn", conversion = "sign-up" }) };
        if (dnt != Absent)
        {
            request.Headers.TryAddWithoutValidation("DNT", dnt);
        }

        if (gpc != Absent)
        {
            request.Headers.TryAddWithoutValidation("Sec-GPC", gpc.Split('|'));
        }

        using var response = await service.Http.SendAsync(request);

        Assert.Equal(stored ? HttpStatusCode.Accepted : HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(stored ? "T" : "N", Assert.Single(response.Headers.GetValues("Tk")));
        Assert.Equal(stored ? 1 : 0, await EventsAsync(page));
        if (stored)
        {
            // Stored without any identifier, for 30 days.
            var days = await service.Database.ScalarAsync<double>(
                "select (extract(epoch from expires_at - collected_at) / 86400)::float8 from analytics_event where page = @page", ("page", page));
            Assert.Equal(30, days, 3);
        }
    }

    [Fact]
    public async Task The_GPC_support_resource_says_gpc_true_with_its_date()
    {
        using var response = await service.Http.GetAsync("/.well-known/gpc.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var body = await Json.ReadAsync(response);
        Assert.True((bool)body["gpc"]!);
        Assert.True(DateOnly.TryParseExact((string)body["lastUpdate"]!, "yyyy-MM-dd", out _));
    }

    [Theory]
    [InlineData(null, null, "T")]
    [InlineData("DNT", "0", "T")]
    [InlineData("DNT", "1", "N")]
    [InlineData("Sec-GPC", "1", "N")]
    [InlineData("Sec-GPC", "0", "T")]
    public async Task The_tracking_status_resource_answers_N_for_a_DNT_or_GPC_request_and_T_otherwise(string? header, string? value, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/dnt/");
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/tracking-status+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(expected, (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["tracking"]!);
        Assert.Equal(expected, Assert.Single(response.Headers.GetValues("Tk")));
    }

    [Fact]
    public async Task A_signed_in_persons_events_are_stored_only_with_their_analytics_consent()
    {
        var person = await service.SignUpAsync();
        var before = $"/docs/{Guid.NewGuid():N}";
        using (var withoutConsent = await service.Http.SendAsync(person.Request(HttpMethod.Post, "/v1/analytics/events", new { page = before })))
        {
            Assert.Equal(HttpStatusCode.NoContent, withoutConsent.StatusCode);
            Assert.Equal("N", Assert.Single(withoutConsent.Headers.GetValues("Tk")));
        }

        using (var grant = await service.Http.SendAsync(person.Request(HttpMethod.Put, "/v1/me/consents/analytics", new { granted = true })))
        {
            Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        }

        var after = $"/docs/{Guid.NewGuid():N}";
        using (var withConsent = await service.Http.SendAsync(person.Request(HttpMethod.Post, "/v1/analytics/events", new { page = after })))
        {
            Assert.Equal(HttpStatusCode.Accepted, withConsent.StatusCode);
            Assert.Equal("T", Assert.Single(withConsent.Headers.GetValues("Tk")));
        }

        Assert.Equal(0, await EventsAsync(before));
        Assert.Equal(1, await EventsAsync(after));

        // Pseudonymous: nothing of the person is in the event store.
        foreach (var canary in new[] { person.UserId, person.Email, person.Name })
        {
            Assert.Equal(0L, await service.Database.ScalarAsync<long>("select count(*) from analytics_event t where strpos(t::text, @canary) > 0", ("canary", canary)));
        }
    }

    /// <summary>The API behind the Privacy Center; its pages with GPC on are driven in a browser by PrivacyCenter.GpcPageTests.</summary>
    [Fact]
    public async Task Using_the_Privacy_Center_API_with_GPC_on_withdraws_analytics_consent_and_records_why()
    {
        var person = await service.SignUpAsync();
        using (var grant = await service.Http.SendAsync(person.Request(HttpMethod.Put, "/v1/me/consents/analytics", new { granted = true })))
        {
            Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        }

        // Without the signal (or with Sec-GPC: 0) nothing changes.
        using (var plain = person.Request(HttpMethod.Get, "/v1/me"))
        {
            plain.Headers.TryAddWithoutValidation("Sec-GPC", "0");
            using var response = await service.Http.SendAsync(plain);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(AnalyticsConsent(await service.Http.GetMeAsync(person)));

        using (var withGpc = person.Request(HttpMethod.Get, "/v1/me"))
        {
            withGpc.Headers.TryAddWithoutValidation("Sec-GPC", "1");
            using var response = await service.Http.SendAsync(withGpc);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var me = await service.Http.GetMeAsync(person);
        Assert.False(AnalyticsConsent(me));
        var withdrawal = me["account"]!["consentHistory"]!.AsArray().Last()!;
        Assert.Equal("analytics", (string)withdrawal["purpose"]!);
        Assert.False((bool)withdrawal["granted"]!);
        Assert.Contains(me["account"]!["audit"]!.AsArray(), entry =>
            (string)entry!["action"]! == "consent-withdrawn" && ((string)entry["reason"]!).Contains("Global Privacy Control", StringComparison.Ordinal));

        // Events are no longer stored for the person.
        var page = $"/docs/{Guid.NewGuid():N}";
        using (var blocked = await service.Http.SendAsync(person.Request(HttpMethod.Post, "/v1/analytics/events", new { page })))
        {
            Assert.Equal(HttpStatusCode.NoContent, blocked.StatusCode);
        }

        Assert.Equal(0, await EventsAsync(page));
    }

    [Theory]
    [InlineData("{\"page\":\"https://example.test/x\"}", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"page\":\"/x?email=a@b.test\"}", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"page\":\"/x\",\"campaign\":\"Free Text With Spaces\"}", HttpStatusCode.UnprocessableEntity)]
    [InlineData("{\"page\":\"/x\",\"visitor\":\"abc\"}", HttpStatusCode.BadRequest)]
    [InlineData("{}", HttpStatusCode.BadRequest)]
    public async Task Bad_analytics_events_are_refused_and_nothing_is_stored(string body, HttpStatusCode expected)
    {
        var before = await service.Database.ScalarAsync<long>("select count(*) from analytics_event where page like '/x%' or page like 'https:%'");
        using var response = await service.Http.PostAsync("/v1/analytics/events", Json.Raw(body));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(before, await service.Database.ScalarAsync<long>("select count(*) from analytics_event where page like '/x%' or page like 'https:%'"));
    }

    [Theory]
    [InlineData("/u/alice@example.com")]
    [InlineData("/u/alice%40example.com")]
    [InlineData("/u/alice%2540example.com")]
    [InlineData("/u/ALICE%40EXAMPLE.COM/profile")]
    [InlineData("/@alice")]
    [InlineData("/reset/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")]
    public async Task A_page_path_that_may_name_someone_is_refused_and_nothing_is_stored(string path)
    {
        var marker = $"/m{Guid.NewGuid():N}";
        var page = marker + path;
        using var response = await service.Http.PostAsync("/v1/analytics/events", Json.Body(new { page }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await Json.ReadAsync(response);
        Assert.NotNull(problem["errors"]!["page"]);
        Assert.DoesNotContain("alice", problem.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0L, await service.Database.ScalarAsync<long>("select count(*) from analytics_event where strpos(page, @marker) > 0", ("marker", marker)));
    }

    [Fact]
    public async Task A_page_path_with_segments_of_at_most_64_characters_and_ordinary_escapes_is_stored()
    {
        var page = $"/docs/{Guid.NewGuid():N}/{new string('a', 64)}/caf%C3%A9";
        using var response = await service.Http.PostAsync("/v1/analytics/events", Json.Body(new { page }));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, await EventsAsync(page));
    }

    private static bool AnalyticsConsent(JsonNode me) =>
        (bool)me["account"]!["consents"]!.AsArray().Single(consent => (string)consent!["purpose"]! == "analytics")!["granted"]!;

    private async Task<long> EventsAsync(string page) =>
        await service.Database.ScalarAsync<long>("select count(*) from analytics_event where page = @page", ("page", page));
}
