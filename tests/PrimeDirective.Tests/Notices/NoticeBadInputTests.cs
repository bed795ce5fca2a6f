using System.Net;
using PrimeDirective.Tests.Infrastructure;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>Every notice route refuses bad input with a problem and stores nothing; officer routes refuse everyone else.</summary>
public sealed class NoticeBadInputTests
{
    [Fact]
    public async Task Bad_declarations_and_publications_get_a_problem_and_store_nothing_and_only_officers_may_make_them()
    {
        await using var service = await ServiceHost.StartOwnedAsync<NoticeService>();
        var officer = await service.OfficerAsync("ap");
        var person = await service.SignUpAsync("eu");
        var admin = service.Admin!;
        var now = DateTimeOffset.UtcNow;
        var good = BreachTests.Breach(["eu"], ["account"], now.AddDays(-1), now);
        var badBreaches = new Dictionary<string, object>
        {
            ["empty regions"] = BreachTests.Breach([], ["account"], now.AddDays(-1), now),
            ["unknown region"] = BreachTests.Breach(["mars"], ["account"], now.AddDays(-1), now),
            ["empty categories"] = BreachTests.Breach(["eu"], [], now.AddDays(-1), now),
            ["unknown category"] = BreachTests.Breach(["eu"], ["passwords"], now.AddDays(-1), now),
            ["window backwards"] = BreachTests.Breach(["eu"], ["account"], now, now.AddDays(-1)),
            ["no offset"] = new { regions = new[] { "eu" }, categories = new[] { "account" }, exposedFrom = "2026-01-01T00:00:00", exposedUntil = "2026-01-02T00:00:00Z", description = "d", advice = "a" },
            ["description over the limit"] = new { regions = new[] { "eu" }, categories = new[] { "account" }, exposedFrom = Iso(now.AddDays(-1)), exposedUntil = Iso(now), description = new string('x', 4001), advice = "a" },
            ["empty advice"] = new { regions = new[] { "eu" }, categories = new[] { "account" }, exposedFrom = Iso(now.AddDays(-1)), exposedUntil = Iso(now), description = "d", advice = " " },
        };
        foreach (var (name, body) in badBreaches)
        {
            var (status, problem) = await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/breaches", body));
            Assert.True(status == HttpStatusCode.UnprocessableEntity, $"{name}: {status}");
            Assert.StartsWith("urn:prime-directive:problem:", (string?)problem!["type"], StringComparison.Ordinal);
        }

        var badVersions = new Dictionary<string, object>
        {
            ["effective in the past"] = new { version = "2027-02", effectiveAt = Iso(now.AddMinutes(-5)), substantive = false, summary = "s", text = "t" },
            ["text over the limit"] = new { version = "2027-02", effectiveAt = Iso(now.AddDays(1)), substantive = false, summary = "s", text = new string('x', 50_001) },
            ["empty text"] = new { version = "2027-02", effectiveAt = Iso(now.AddDays(1)), substantive = false, summary = "s", text = "" },
            ["bad version name"] = new { version = "../etc", effectiveAt = Iso(now.AddDays(1)), substantive = false, summary = "s", text = "t" },
            ["summary over the limit"] = new { version = "2027-02", effectiveAt = Iso(now.AddDays(1)), substantive = false, summary = new string('s', 2001), text = "t" },
            ["the seeded version's name"] = new { version = "2016-09-22", effectiveAt = Iso(now.AddDays(1)), substantive = false, summary = "s", text = "t" },
        };
        foreach (var (name, body) in badVersions)
        {
            var (status, problem) = await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", body));
            Assert.True(status is HttpStatusCode.UnprocessableEntity or HttpStatusCode.Conflict, $"{name}: {status}");
            Assert.StartsWith("urn:prime-directive:problem:", (string?)problem!["type"], StringComparison.Ordinal);
        }

        var (malformed, _) = await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/breaches", new { regions = "eu" }));
        Assert.Equal(HttpStatusCode.BadRequest, malformed);

        // Not an officer, or nobody: refused, and nothing declared.
        var version = new { version = "2027-03", effectiveAt = Iso(now.AddDays(1)), substantive = true, summary = "s", text = "t" };
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(admin, person.Request(HttpMethod.Post, "/v1/admin/breaches", good))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(admin, person.Request(HttpMethod.Post, "/v1/admin/policy-versions", version))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(admin, new HttpRequestMessage(HttpMethod.Post, "/v1/admin/breaches") { Content = Json.Body(good) })).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(admin, new HttpRequestMessage(HttpMethod.Post, "/v1/admin/policy-versions") { Content = Json.Body(version) })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(admin, person.Request(HttpMethod.Get, $"/v1/admin/breaches/{Guid.NewGuid():N}"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(admin, officer.Request(HttpMethod.Get, $"/v1/admin/breaches/{Guid.NewGuid():N}"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(admin, officer.Request(HttpMethod.Get, "/v1/admin/breaches/not-an-id"))).Status);

        // Nothing stored: no campaign, no notice, the policy as seeded.
        Assert.Equal(0, await service.Database.ScalarAsync<long>("select count(*) from grain_state where grain_id_extension_string like '%/notice/%' or grain_id_extension_string like '%/fanout/%'"));
        Assert.Empty(await NotificationsAsync(service.Http, person, "breach"));
        var policy = (await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy"))).Body!;
        Assert.Equal(["2016-09-22"], policy["history"]!.AsArray().Select(entry => (string?)entry!["version"]));
        Assert.Equal(0, await EmailsAsync(service, person, PolicyTitle));
    }
}
