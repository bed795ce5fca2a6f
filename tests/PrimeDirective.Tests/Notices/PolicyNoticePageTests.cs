using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.PrivacyCenter;
using static Microsoft.Playwright.Assertions;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>
/// A substantive policy change through the pages: the operator of a cluster nobody linked sees it with the cluster's
/// data (as a breach is shown), and the officer's page refuses a version that would take effect too soon.
/// In the Privacy Center's collection: one browser, never two at once.
/// </summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class PolicyNoticePageTests(PrivacyCenterService browser)
{
    [Fact]
    public async Task A_substantive_version_is_shown_to_the_operator_of_a_cluster_nobody_linked_in_its_view_and_on_the_operator_page()
    {
        // A service of its own: the version is announced to every subject of the service.
        await using var service = await ServiceHost.StartOwnedAsync<NoticeService>();
        var officer = await service.OfficerAsync("ap");
        var person = await service.SignUpAsync("eu");
        var (unlinked, unlinkedProof, linked, linkedProof) = (Flynn.NewId(), Flynn.NewId(), Flynn.NewId(), Flynn.NewId());
        foreach (var (cluster, proof, region) in new[] { (unlinked, unlinkedProof, "eu"), (linked, linkedProof, "eu") })
        {
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, proof, region: region));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var (linkStatus, _) = await SendAsync(service.Http, person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId = linked, bootstrapId = linkedProof, region = "eu" }));
        Assert.Equal(HttpStatusCode.OK, linkStatus);

        var version = $"v{Guid.NewGuid():N}"[..16];
        var (published, _) = await SendAsync(service.Admin!, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", new
        {
            version,
            effectiveAt = Iso(DateTimeOffset.UtcNow.AddDays(45)),
            substantive = true,
            summary = "Crash reports are kept for a year.",
            text = "# Policy\n\nCrash reports: one year.",
        }));
        Assert.Equal(HttpStatusCode.Created, published);
        var counts = await Eventually.ReturnsAsync(
            async () => (await SendAsync(service.Admin!, officer.Request(HttpMethod.Get, $"/v1/admin/policy-versions/{version}/announcement"))).Body,
            body => body is not null && (bool)body["done"]!,
            TimeSpan.FromSeconds(60),
            "the announcement's fan-out done");
        // The person, the officer and the second officer who approved the version; the cluster nobody linked.
        Assert.Equal(3, (long)counts!["notified"]!);
        Assert.Equal(1, (long)counts["shownToOperators"]!);
        Assert.Equal(5, (long)counts["examined"]!);

        // In the cluster's view, as a breach would be; not on the linked cluster, whose person was told as an account.
        var (_, view) = await SendAsync(service.Http, Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{unlinked}", unlinkedProof));
        var notice = Assert.Single(view!["notices"]!.AsArray());
        Assert.Equal(NoticeKeysOf(version), (string?)notice!["id"]);
        Assert.Equal("policy-change", (string?)notice["kind"]);
        Assert.Contains(version, (string?)notice["text"], StringComparison.Ordinal);
        var (_, linkedView) = await SendAsync(service.Http, Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{linked}", linkedProof));
        Assert.Empty(linkedView!["notices"]!.AsArray());
        Assert.Single(await NotificationsAsync(service.Http, person, "policy-change"));

        // On the operator page of the cluster nobody linked.
        var page = await browser.NewPageAsync(service.Http.BaseAddress, bypassCsp: true);
        await page.GotoAsync("/privacy/operator");
        await page.GetByLabel("Cluster id").FillAsync(unlinked);
        await page.GetByLabel("Bootstrap id").FillAsync(unlinkedProof);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what you hold" }).ClickAsync();
        var notices = page.GetByRole(AriaRole.Table, new() { Name = "Notices to the cluster's operator" });
        await Expect(notices).ToContainTextAsync("policy-change");
        await Expect(notices).ToContainTextAsync(PolicyTitle);
        await Expect(notices).ToContainTextAsync(version);
        await page.AssertAccessibleAsync();
        await page.Context.CloseAsync();

        // The officer's page shows the announcement's counts as the route does, the new ones included.
        var officerPage = await browser.NewPageAsync(service.Admin!.BaseAddress, bypassCsp: true);
        await SignInAsync(officerPage, service, officer.Email);
        await officerPage.GotoAsync($"/privacy/officer/policy-versions?announcement={version}");
        var table = officerPage.GetByRole(AriaRole.Table, new() { Name = $"Announcement of version {version}" });
        await Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = "Retrying" })).ToBeVisibleAsync();
        await Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = "Emails undelivered" })).ToBeVisibleAsync();
        await Expect(table.Locator("tbody tr")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\s*5\s*5\s*4\s*3\s*1\s*0\s*0\s*0\s*0\s*0\s*yes\s*$"));
        await officerPage.AssertAccessibleAsync();
        await officerPage.Context.CloseAsync();
    }

    [Fact]
    public async Task The_officer_page_refuses_a_substantive_version_taking_effect_before_the_notice_period_beside_its_field_and_publishes_nothing()
    {
        var officer = await browser.SignUpAsync();
        var officerGateway = await browser.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        var page = await browser.NewPageAsync(officerGateway.BaseAddress, bypassCsp: true);
        await browser.SignInAsync(page, officer.Email);

        var version = $"soon{Guid.NewGuid():N}"[..20];
        await page.GotoAsync("/privacy/officer/policy-versions");
        await page.GetByLabel("Version name").FillAsync(version);
        await page.GetByLabel("Takes effect at").FillAsync(DateTimeOffset.UtcNow.AddDays(29).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        await page.GetByLabel("Substantive: it changes what we do with people's data (announce it to every account)").CheckAsync();
        await page.GetByLabel("What changed (summary)").FillAsync("We keep crash reports longer.");
        await page.GetByLabel("Full text (Markdown)").FillAsync("# Policy\n\nCrash reports: one year.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish the version" }).ClickAsync();
        await Expect(page.Locator("#effectiveAt-error")).ToContainTextAsync("at least 30 days after it is published");
        await Expect(page.GetByLabel("Takes effect at")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Published versions, oldest first" })).Not.ToContainTextAsync(version);
        await page.AssertAccessibleAsync();
        await page.Context.CloseAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(browser.Http, new HttpRequestMessage(HttpMethod.Get, $"/v1/policy/{version}"))).Status);
        Assert.Empty(await NotificationsAsync(browser.Http, officer, "policy-change"));
    }

    /// <summary>Signs in through the pages of <paramref name="service"/>'s gateway, with the code from its outbox.</summary>
    private static async Task SignInAsync(IPage page, ServiceHost service, string email)
    {
        var seen = (await service.Outbox.MessagesToAsync(email)).Count;
        await page.GotoAsync("/privacy/sign-in");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a code" }).ClickAsync();
        await Browsing.EnterCodeAsync(page, await service.Outbox.NextCodeAsync(email, seen));
    }

    private static string NoticeKeysOf(string version) => PrimeDirective.Grains.Interfaces.Notices.NoticeKeys.PolicyChange(version);
}
