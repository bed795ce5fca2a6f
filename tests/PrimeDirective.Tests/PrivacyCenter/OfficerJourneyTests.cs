using System.Net;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>An officer places and lifts a legal hold through the pages; the hold really defers, then releases, an erasure.</summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class OfficerJourneyTests(PrivacyCenterService service)
{
    [Fact]
    public async Task Officer_places_and_lifts_a_legal_hold_and_the_console_is_for_officers_only()
    {
        // The officer signs up like anyone; a gateway configured with their id serves them as an officer.
        var signUp = await service.NewPageAsync();
        var (officerEmail, _) = await service.SignUpAsync(signUp);
        var officerId = (await signUp.Locator("dt:text-is('Account id') + dd").InnerTextAsync()).Trim();

        // Not an officer on this gateway: the console answers like a page that does not exist.
        var refused = await signUp.GotoAsync("/privacy/officer/legal-holds");
        Assert.Equal(404, refused!.Status);
        await Expect(signUp.Heading("Not found")).ToBeVisibleAsync();
        await signUp.Context.CloseAsync();

        var (officerGateway, second) = await service.StartOfficerGatewayAsync(officerId);
        var page = await service.NewPageAsync(officerGateway.BaseAddress, bypassCsp: true);
        var person = await service.SignUpAsync();
        await service.SignInAsync(page, officerEmail);
        await page.Nav("Officer console").ClickAsync();
        await Expect(page.Heading("Privacy officer console")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Legal holds" }).ClickAsync();
        await page.AssertAccessibleAsync();
        await page.GetByLabel("User id or cluster id").FillAsync(person.UserId);
        await page.GetByLabel("Why the law requires keeping the data").FillAsync("litigation hold");
        await page.GetByLabel("Legal reference (case or request number)").FillAsync("case 2026-42");
        await page.GetByRole(AriaRole.Button, new() { Name = "Place the hold" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The hold is placed.");
        await Expect(page.Locator("main")).ToContainTextAsync("case 2026-42");

        // The person asks for erasure: it waits on the hold.
        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var receipt = (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
        await Eventually.ReturnsAsync(() => StatusAsync(receipt), status => status == "on-hold", TimeSpan.FromSeconds(30), "the erasure waits on the hold");

        // Lift it through the pages: one officer proposes (the erasure still waits), a second approves; it resumes and completes.
        await page.GetByRole(AriaRole.Button, new() { Name = "Lift the hold" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Proposed, not done");
        Assert.Equal("on-hold", await StatusAsync(receipt));
        var approver = await service.NewPageAsync(officerGateway.BaseAddress, bypassCsp: true);
        await service.SignInAsync(approver, second.Officer.Email);
        await Browsing.ApproveProposedAsync(page, approver);
        await Expect(approver.GetByRole(AriaRole.Status)).ToHaveTextAsync("Approved and done: hold lifted.");
        await Eventually.ReturnsAsync(() => StatusAsync(receipt), status => status == "completed", TimeSpan.FromSeconds(60), "the erasure completes once the hold is lifted");

        // The other officer pages render and pass axe.
        await page.GotoAsync("/privacy/officer/child-removals");
        await Expect(page.Heading("Child-removal review")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await page.GotoAsync("/privacy/officer/ledger");
        await Expect(page.Heading("Destruction ledger")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await page.Context.CloseAsync();
    }

    private async Task<string> StatusAsync(string receiptUrl)
    {
        using var response = await service.Http.GetAsync(receiptUrl);
        response.EnsureSuccessStatusCode();
        return (string)(await Json.ReadAsync(response))["status"]!;
    }
}
