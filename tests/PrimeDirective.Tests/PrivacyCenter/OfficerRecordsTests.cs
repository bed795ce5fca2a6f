using System.Globalization;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Sharing;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>
/// The officer console's last /v1/admin capabilities, through the pages only: a third-party record (bad input refused
/// beside its field and nothing stored; a good one seen by the person), a disclosure ledger verified, a gag extended
/// (a shorter end refused beside its field); none of these pages exists for a non-officer.
/// </summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class OfficerRecordsTests(PrivacyCenterService service)
{
    private static readonly string[] s_newPages =
        ["/privacy/officer/third-party-records", "/privacy/officer/disclosure-verification", "/privacy/officer/policy-versions?announcement=2026-01-01"];

    [Fact]
    public async Task Officer_records_what_a_source_told_verifies_a_ledger_and_extends_a_gag_and_only_officers_see_the_pages()
    {
        var person = await service.SignUpAsync();
        var personPage = await service.NewPageAsync(bypassCsp: true);
        await service.SignInAsync(personPage, person.Email);
        foreach (var path in s_newPages)
        {
            var refused = await personPage.GotoAsync(path);
            Assert.Equal(404, refused!.Status);
            await Expect(personPage.Heading("Not found")).ToBeVisibleAsync();
        }

        var officer = await service.SignUpAsync();
        var (officerGateway, second) = await service.StartOfficerGatewayAsync(officer.UserId);
        var page = await service.NewPageAsync(officerGateway.BaseAddress, bypassCsp: true);
        await service.SignInAsync(page, officer.Email);
        await page.GotoAsync("/privacy/officer");
        foreach (var name in new[] { "Third-party records", "Verify a disclosure ledger" })
        {
            await Expect(page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = name, Exact = true })).ToBeVisibleAsync();
        }

        // An announcement's counts: a version never announced is the route's 404.
        var unannounced = await page.GotoAsync($"/privacy/officer/policy-versions?announcement=never-{Guid.NewGuid():N}");
        Assert.Equal(404, unannounced!.Status);

        // Third-party records: a kind the route refuses is shown beside its field and nothing reaches the person.
        var refusedValue = $"refused-{Guid.NewGuid():N}";
        await page.GotoAsync("/privacy/officer/third-party-records");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Person's user id").FillAsync(person.UserId);
        await page.GetByLabel("Source (who told us)").FillAsync("Acme Employer");
        await page.GetByLabel("Kind").FillAsync("Not A Kind!");
        await page.GetByLabel("Value").FillAsync(refusedValue);
        await page.GetByRole(AriaRole.Button, new() { Name = "Record it" }).ClickAsync();
        await Expect(page.Locator("#kind-error")).ToContainTextAsync("must be 1 to 64 characters");
        await Expect(page.GetByLabel("Kind")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();

        // An account we do not hold is refused beside the user id, like the route's 404.
        await page.GetByLabel("Person's user id").FillAsync($"eu-{Guid.NewGuid():N}");
        await page.GetByLabel("Kind").FillAsync("employer.name");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record it" }).ClickAsync();
        await Expect(page.Locator("#userId-error")).ToHaveTextAsync("We hold no open account with this id.");

        var toldValue = $"Works at Acme {Guid.NewGuid():N}";
        await page.GetByLabel("Person's user id").FillAsync(person.UserId);
        await page.GetByLabel("Value").FillAsync(toldValue);
        await page.GetByRole(AriaRole.Button, new() { Name = "Record it" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("the person sees it and may correct or erase it");
        await Expect(page.GetByLabel("Value")).ToHaveValueAsync(string.Empty);

        // Verification: a person with one disclosure (made through the console) has a one-entry chain that verifies.
        await page.GotoAsync("/privacy/officer/disclosures");
        await page.GetByLabel("User id or cluster id").FillAsync(person.UserId);
        await page.GetByLabel("Recipient", new() { Exact = true }).FillAsync($"Safety team {Guid.NewGuid():N}");
        await page.Locator("#basis-harm-prevention").CheckAsync();
        await page.Locator("#categories-account").CheckAsync();
        await page.GetByLabel("Harm prevention: whose rights, property or safety").SelectOptionAsync("the-person");
        await page.GetByLabel("Rationale (a good-faith belief for harm prevention: 30 characters or more)").FillAsync("A credible threat against the person was reported to us.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Disclose if the basis holds" }).ClickAsync();
        var approver = await service.NewPageAsync(officerGateway.BaseAddress, bypassCsp: true);
        await service.SignInAsync(approver, second.Officer.Email);
        await Browsing.ApproveProposedAsync(page, approver);
        Assert.Single(await service.LedgerAsync(person));

        await page.GotoAsync("/privacy/officer/disclosure-verification");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("User id or cluster id").FillAsync(person.UserId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the ledger" }).ClickAsync();
        var result = page.Locator("#verification");
        await Expect(result.Locator("dd").Nth(0)).ToHaveTextAsync("verifies");
        await Expect(result.Locator("dd").Nth(1)).ToHaveTextAsync("1");
        Assert.DoesNotContain("broken", await result.InnerTextAsync(), StringComparison.Ordinal);
        await page.AssertAccessibleAsync();

        // A cluster id that cannot be one is refused beside the field; no result is shown.
        await page.Locator("#kind-cluster").CheckAsync();
        await page.GetByLabel("User id or cluster id").FillAsync("not-a-cluster");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the ledger" }).ClickAsync();
        await Expect(page.Locator("#subjectId-error")).ToHaveTextAsync("We hold no disclosure ledger for this subject.");
        await Expect(page.Locator("#verification")).ToHaveCountAsync(0);

        // Legal requests: a gag is extended only to a later end; a shorter one is refused beside its field.
        var now = DateTimeOffset.UtcNow;
        await page.GotoAsync("/privacy/officer/legal-requests");
        await page.GetByLabel("Authority (who asks)").FillAsync("District Court");
        await page.GetByLabel("Their reference").FillAsync($"LR-{Guid.NewGuid():N}");
        await page.GetByLabel("Person's user id").FillAsync(person.UserId);
        await page.Locator("#categories-account").CheckAsync();
        await page.GetByLabel("Gag until (optional)").FillAsync(Iso(now.AddDays(10)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the request" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The request is recorded.");
        await page.GetByLabel("Gag until (new end)").FillAsync(Iso(now.AddDays(5)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Extend the gag" }).ClickAsync();
        await Expect(page.Locator("#until-error")).ToHaveTextAsync("Only a gag that still runs can be extended, and only to a later end.");
        await Expect(page.Locator("main")).ToContainTextAsync($"until {now.AddDays(10):yyyy-MM-dd}");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Gag until (new end)").FillAsync(Iso(now.AddDays(20)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Extend the gag" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The gag is extended.");
        await Expect(page.Locator("main")).ToContainTextAsync($"until {now.AddDays(20):yyyy-MM-dd}");
        await page.Context.CloseAsync();

        // The person sees the record with its source; the refused one was never stored.
        await personPage.GotoAsync("/privacy/me");
        var held = personPage.GetByRole(AriaRole.Table, new() { Name = "Items in your account" });
        await Expect(held).ToContainTextAsync(toldValue);
        await Expect(held).ToContainTextAsync("Acme Employer");
        Assert.DoesNotContain(refusedValue, await personPage.ContentAsync(), StringComparison.Ordinal);
        await personPage.Context.CloseAsync();
    }

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
