using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>Policy: "we will post an effective date at the top of the page" and notify everyone of substantive changes.</summary>
public sealed class PolicyVersionTests
{
    [Fact]
    public async Task The_seeded_policy_is_public_with_its_effective_date_first()
    {
        await using var service = await ServiceHost.StartOwnedAsync<NoticeService>();
        var (status, page) = await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("effectiveAt", page!.AsObject().First().Key);
        Assert.Equal("2016-09-22", (string?)page["version"]);
        Assert.Equal(new DateTimeOffset(2016, 9, 22, 0, 0, 0, TimeSpan.Zero), page["effectiveAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(await File.ReadAllTextAsync(PolicyFile()), (string?)page["text"]);
        Assert.Equal(["2016-09-22"], page["history"]!.AsArray().Select(version => (string?)version!["version"]));

        var (oneStatus, one) = await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy/2016-09-22"));
        Assert.Equal(HttpStatusCode.OK, oneStatus);
        Assert.Equal("effectiveAt", one!.AsObject().First().Key);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy/2099-01-01"))).Status);
    }

    [Fact]
    public async Task Versions_switch_at_their_effective_date_continued_use_is_recorded_once_and_only_substantive_ones_are_announced_once()
    {
        await using var service = await ServiceHost.StartOwnedAsync<NoticeService>();
        var officer = await service.OfficerAsync();
        var admin = service.Admin!;
        var people = new[] { await service.SignUpAsync("eu"), await service.SignUpAsync("us"), await service.SignUpAsync("eu") };
        var start = DateTimeOffset.UtcNow;

        // Not substantive: published, takes effect later, nobody is told.
        var minor = new { version = "2026-12-minor", effectiveAt = Iso(start.AddHours(1)), substantive = false, summary = "Typos fixed.", text = "# Policy\n\nTypos fixed." };
        var (published, document) = await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", minor));
        Assert.Equal(HttpStatusCode.Created, published);
        Assert.Equal("2026-12-minor", (string?)document!["version"]);
        Assert.Equal("2016-09-22", (string?)(await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy"))).Body!["version"]);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(admin, officer.Request(HttpMethod.Get, "/v1/admin/policy-versions/2026-12-minor/announcement"))).Status);

        // Versions are immutable: the same again is a harmless retry, a different text under the name is refused.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", minor))).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", minor with { text = "Other." }))).Status);

        // The effective date passes (policy clock): the version in effect switches, without a restart.
        service.Clock.Advance(TimeSpan.FromHours(2));
        var page = (await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy"))).Body!;
        Assert.Equal("2026-12-minor", (string?)page["version"]);
        Assert.Equal(["2016-09-22", "2026-12-minor"], page["history"]!.AsArray().Select(version => (string?)version!["version"]));

        // Continued use: the person's first authenticated request records acceptance; later ones add nothing.
        var person = people[0];
        var history = await Eventually.ReturnsAsync(
            async () => ContinuedUse(await service.Http.GetMeAsync(person)), entries => entries.Count > 0, TimeSpan.FromSeconds(30), "continued use recorded");
        await service.Http.GetMeAsync(person);
        history = ContinuedUse(await service.Http.GetMeAsync(person));
        Assert.Equal(["2026-12-minor"], history.Select(entry => (string?)entry["policyVersion"]));

        // A consent given now carries the version in effect, from the registry.
        var (consentStatus, _) = await SendAsync(service.Http, person.Request(HttpMethod.Put, "/v1/me/consents/analytics", new { granted = true }));
        Assert.Equal(HttpStatusCode.OK, consentStatus);
        var me = await service.Http.GetMeAsync(person);
        Assert.Equal("2026-12-minor", (string?)me["account"]!["consentHistory"]!.AsArray().Last(entry => (string?)entry!["purpose"] == "analytics")!["policyVersion"]);
        foreach (var member in people)
        {
            Assert.Equal(0, await EmailsAsync(service, member, PolicyTitle));
            Assert.Empty(await NotificationsAsync(service.Http, member, "policy-change"));
        }

        // Substantive: announced to every account at once (at least the minimum notice period ahead), exactly once, a retry included.
        var major = new { version = "2027-01", effectiveAt = Iso(start.AddDays(31)), substantive = true, summary = "We now keep crash reports for a year.", text = "# Policy\n\nCrash reports: one year." };
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", major))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", major))).Status);
        var counts = await Eventually.ReturnsAsync(
            async () => (await SendAsync(admin, officer.Request(HttpMethod.Get, "/v1/admin/policy-versions/2027-01/announcement"))).Body,
            body => body is not null && (bool)body["done"]!,
            TimeSpan.FromSeconds(60),
            "the announcement's fan-out done");
        // Every account: the people, the officer and the second officer who approved the version.
        Assert.Equal(5, (long)counts!["notified"]!);
        Assert.Equal(0, (long)counts["pending"]!);
        Assert.Empty(counts["failed"]!.AsObject());
        foreach (var member in people.Append(officer))
        {
            await Eventually.ReturnsAsync(() => EmailsAsync(service, member, PolicyTitle), count => count > 0, TimeSpan.FromSeconds(30), "the announcement's email");
            Assert.Single(await NotificationsAsync(service.Http, member, "policy-change"));
        }

        // Still in effect: the old version until the new one's date; then continued use is recorded under the new one.
        Assert.Equal("2026-12-minor", (string?)(await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy"))).Body!["version"]);
        service.Clock.Advance(TimeSpan.FromDays(31));
        Assert.Equal("2027-01", (string?)(await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy"))).Body!["version"]);
        history = await Eventually.ReturnsAsync(
            async () => ContinuedUse(await service.Http.GetMeAsync(person)), entries => entries.Count > 1, TimeSpan.FromSeconds(30), "continued use of the new version");
        await service.Http.GetMeAsync(person);
        Assert.Equal(["2026-12-minor", "2027-01"], ContinuedUse(await service.Http.GetMeAsync(person)).Select(entry => (string?)entry["policyVersion"]));
        foreach (var member in people.Append(officer))
        {
            Assert.Equal(1, await EmailsAsync(service, member, PolicyTitle));
        }
    }

    private static List<JsonNode> ContinuedUse(JsonNode me) =>
        [.. me["account"]!["consentHistory"]!.AsArray().Where(entry => (string?)entry!["how"] == "continued-use").Select(entry => entry!)];

    private static string PolicyFile()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "src", "Grains", "Notices", "POLICY-2016-09-22.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("POLICY-2016-09-22.md");
    }
}
