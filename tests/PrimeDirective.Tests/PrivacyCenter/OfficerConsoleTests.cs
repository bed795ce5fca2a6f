using System.Globalization;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Sharing;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>
/// The officer console's sharing and notice pages, through the pages only: a processor registered (its secret never
/// shown back), a disclosure refused then made, a legal request recorded and decided, a breach declared, a policy
/// version published; bad input shows a field error and stores nothing; the person sees the results on their notices page.
/// </summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class OfficerConsoleTests(PrivacyCenterService service)
{
    private static readonly string[] s_consolePages =
        ["/privacy/officer/processors", "/privacy/officer/disclosures", "/privacy/officer/legal-requests", "/privacy/officer/breaches", "/privacy/officer/policy-versions"];

    [Fact]
    public async Task Officer_registers_a_processor_discloses_declares_a_breach_and_publishes_a_version_and_the_person_sees_them()
    {
        // The person lives in a region no other Privacy Center test uses, so the breach below reaches only them.
        var person = await service.SignUpAsync("ap");
        var personPage = await service.NewPageAsync(bypassCsp: true);
        await service.SignInAsync(personPage, person.Email);
        foreach (var path in s_consolePages)
        {
            var refused = await personPage.GotoAsync(path);
            Assert.Equal(404, refused!.Status);
            await Expect(personPage.Heading("Not found")).ToBeVisibleAsync();
        }

        var officer = await service.SignUpAsync();
        var (officerGateway, second) = await service.StartOfficerGatewayAsync(officer.UserId);
        var page = await service.NewPageAsync(officerGateway.BaseAddress, bypassCsp: true);
        await service.SignInAsync(page, officer.Email);
        var approver = await service.NewPageAsync(officerGateway.BaseAddress, bypassCsp: true);
        await service.SignInAsync(approver, second.Officer.Email);
        var now = DateTimeOffset.UtcNow;

        // Processors: without a secret a new one is refused next to the field and nothing is stored; with one it is saved.
        var processorId = $"proc-{Guid.NewGuid():N}"[..30];
        var secret = $"secret-{Guid.NewGuid():N}-{Guid.NewGuid():N}";
        await page.GotoAsync("/privacy/officer/processors");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Processor id").FillAsync(processorId);
        await page.GetByLabel("Processor name").FillAsync("Mailer Ltd");
        await page.Locator("#purposes-service-provision").CheckAsync();
        await page.Locator("#categories-account").CheckAsync();
        await page.Locator("#regions-ap").CheckAsync();
        await page.GetByLabel("Region where it holds the data").FillAsync("ap");
        await page.GetByLabel("Contract reference").FillAsync("DPA-2026-7");
        await page.GetByLabel("Contract signed at").FillAsync(Iso(now.AddDays(-30)));
        await page.GetByLabel("Contract ends at").FillAsync(Iso(now.AddDays(365)));
        await page.GetByLabel("Package endpoint (https)").FillAsync("https://mailer.example.test/packages");
        await page.GetByLabel("Erasure endpoint (https)").FillAsync("https://mailer.example.test/erasures");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the processor" }).ClickAsync();
        await Expect(page.Locator("#secret-error")).ToHaveTextAsync("is required for a new processor");
        await Expect(page.GetByLabel("Signing secret")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.AssertAccessibleAsync();
        var absent = await page.APIRequest.GetAsync($"/privacy/officer/processors?id={processorId}");
        Assert.Equal(404, absent.Status);

        await page.GetByLabel("Signing secret").FillAsync(secret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the processor" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Saved processor {processorId}.");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Registered processors" })).ToContainTextAsync("DPA-2026-7");
        await page.GotoAsync($"/privacy/officer/processors?id={processorId}");
        await Expect(page.Locator("main")).ToContainTextAsync("set (never shown)");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);

        // Disclosures: the consent basis does not hold (never granted): refused beside the form, nothing recorded; harm prevention holds.
        var recipient = $"Safety team {Guid.NewGuid():N}";
        await page.GotoAsync("/privacy/officer/disclosures");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("User id or cluster id").FillAsync(person.UserId);
        await page.GetByLabel("Recipient", new() { Exact = true }).FillAsync(recipient);
        await page.Locator("#basis-consent").CheckAsync();
        await page.Locator("#categories-account").CheckAsync();
        await page.GetByLabel("Rationale (a good-faith belief for harm prevention: 30 characters or more)").FillAsync("A credible threat against the person was reported to us.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Disclose if the basis holds" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The basis 'consent' does not hold now");
        await Expect(page.Locator("#basis-error")).ToContainTextAsync("Nothing was sent or recorded as disclosed.");
        await page.AssertAccessibleAsync();
        Assert.Empty(await service.LedgerAsync(person));

        await page.Locator("#basis-harm-prevention").CheckAsync();
        await page.GetByLabel("Harm prevention: whose rights, property or safety").SelectOptionAsync("the-person");
        await page.GetByRole(AriaRole.Button, new() { Name = "Disclose if the basis holds" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Proposed, not done");
        Assert.Empty(await service.LedgerAsync(person));
        await Browsing.ApproveProposedAsync(page, approver);
        await Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("Approved and done: disclosure ");
        await Expect(approver.Locator("main")).ToContainTextAsync("/v1/disclosure-packages/");
        Assert.Single(await service.LedgerAsync(person));

        // Legal requests: recorded, then decided (rejected with reasons).
        var reference = $"LR-{Guid.NewGuid():N}";
        await page.GotoAsync("/privacy/officer/legal-requests");
        await page.GetByLabel("Authority (who asks)").FillAsync("District Court");
        await page.GetByLabel("Their reference").FillAsync(reference);
        await page.GetByLabel("Person's user id").FillAsync(person.UserId);
        await page.Locator("#categories-account").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the request" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The request is recorded.");
        await Expect(page.Locator("main")).ToContainTextAsync(reference);
        await page.Locator("#decision-reject").CheckAsync();
        await page.GetByLabel("Good-faith rationale (to disclose: 30 characters or more) or reasons to reject").FillAsync("The request names no legal basis.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the decision" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Decided.");
        await Expect(page.Locator("main")).ToContainTextAsync("reject,");
        await page.AssertAccessibleAsync();

        // Breaches: declared for the person's region; its counts are shown.
        var description = $"A backup of accounts was exposed {Guid.NewGuid():N}";
        await page.GotoAsync("/privacy/officer/breaches");
        await page.AssertAccessibleAsync();
        await page.Locator("#regions-ap").CheckAsync();
        await page.Locator("#categories-account").CheckAsync();
        await page.GetByLabel("Exposed from").FillAsync(Iso(now.AddHours(-1)));
        await page.GetByLabel("Exposed until").FillAsync(Iso(now.AddHours(1)));
        await page.GetByLabel("What happened").FillAsync(description);
        await page.GetByLabel("What people should do").FillAsync("Watch for phishing emails.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Declare the breach and notify" }).ClickAsync();
        await Browsing.ApproveProposedAsync(page, approver);
        var declared = System.Text.RegularExpressions.Regex.Match(await approver.GetByRole(AriaRole.Status).TextContentAsync() ?? string.Empty, "/v1/admin/breaches/([0-9a-f]{32})");
        Assert.True(declared.Success);
        await page.GotoAsync($"/privacy/officer/breaches?id={declared.Groups[1].Value}");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Progress of the notices" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        // Its 72-hour clock: listed as not notified; a notification in the future is refused beside its field and not
        // recorded; then the authority's notification is recorded and the list shows it.
        var breachRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = declared.Groups[1].Value });
        await Expect(breachRow).ToContainTextAsync("Not notified yet");
        await page.GetByLabel("Supervisory authority").FillAsync("CNIL");
        await page.GetByLabel("Their reference").FillAsync("2026-0042");
        await page.GetByLabel("Notified at").FillAsync(Iso(DateTimeOffset.UtcNow.AddDays(1)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the notification" }).ClickAsync();
        await Expect(page.Locator("#notifiedAt-error")).ToContainTextAsync("not in the future");
        await Expect(breachRow).ToContainTextAsync("Not notified yet");
        await page.GetByLabel("Notified at").FillAsync(DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the notification" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The authority's notification is recorded.");
        await Expect(breachRow).ToContainTextAsync("Notified");
        await Expect(breachRow).Not.ToContainTextAsync("Not notified");
        await Expect(page.Locator("main")).ToContainTextAsync("CNIL, reference 2026-0042");
        await page.AssertAccessibleAsync();

        // Policy versions: a date in the past is refused next to its field and nothing is published; then it is published.
        var version = $"t{Guid.NewGuid():N}"[..20];
        await page.GotoAsync("/privacy/officer/policy-versions");
        await page.GetByLabel("Version name").FillAsync(version);
        await page.GetByLabel("Takes effect at").FillAsync("2020-01-01T00:00:00Z");
        await page.GetByLabel("What changed (summary)").FillAsync("Says more about processors.");
        await page.GetByLabel("Full text (Markdown)").FillAsync("# Policy\n\n## Processors\n\nWe <b>now</b> name them.\n\n- one <script>document.title='injected'</script>\n- two");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish the version" }).ClickAsync();
        await Expect(page.Locator("#effectiveAt-error")).ToContainTextAsync("not in the past");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Published versions, oldest first" })).Not.ToContainTextAsync(version);
        await page.AssertAccessibleAsync();

        var effective = now.AddDays(400);
        await page.GetByLabel("Takes effect at").FillAsync(Iso(effective));
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish the version" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Published version {version}");
        await page.GetByRole(AriaRole.Link, new() { Name = version, Exact = true }).ClickAsync();
        await Expect(page.Locator("#effective")).ToContainTextAsync($"Takes effect on {effective:yyyy-MM-dd}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Processors", Level = 3 })).ToBeVisibleAsync();
        await Expect(page.Locator(".policy-text p")).ToContainTextAsync("We <b>now</b> name them.");
        await Expect(page.Locator(".policy-text li").First).ToContainTextAsync("<script>");
        Assert.Equal(0, await page.Locator("script, .policy-text b").CountAsync());
        Assert.NotEqual("injected", await page.TitleAsync());
        await page.AssertAccessibleAsync();
        await page.Context.CloseAsync();

        // The person: the disclosure from their ledger and the breach notice on their notices page.
        await personPage.GotoAsync("/privacy/me/notices");
        var disclosures = personPage.GetByRole(AriaRole.Table, new() { Name = "Disclosures of your data" });
        await Expect(disclosures).ToContainTextAsync(recipient);
        await Expect(disclosures).ToContainTextAsync("harm-prevention");
        await Eventually.ReturnsAsync(
            async () =>
            {
                await personPage.ReloadAsync();
                return await personPage.Locator("main").InnerTextAsync();
            },
            text => text.Contains(description, StringComparison.Ordinal),
            TimeSpan.FromSeconds(60),
            "the breach notice reaches the person's notices page");
        await Expect(personPage.GetByRole(AriaRole.Table, new() { Name = "Notices we sent you" })).ToContainTextAsync("breach");
        await personPage.AssertAccessibleAsync();
        await personPage.Context.CloseAsync();
    }

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
