using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>axe on every page of the public and personal Privacy Center (officer pages: in the officer's journey).</summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class AccessibilityTests(PrivacyCenterService service)
{
    [Fact]
    public async Task Every_public_and_personal_page_has_no_serious_or_critical_violation()
    {
        var page = await service.NewPageAsync(bypassCsp: true);
        foreach (var path in new[] { "/privacy", "/privacy/sign-up", "/privacy/sign-in", "/privacy/policy", "/privacy/operator", "/privacy/requests/eu-unknown" })
        {
            await page.GotoAsync(path);
            await page.AssertAccessibleAsync();
        }

        // Keyboard: the first Tab reaches "Skip to content", which leads straight to the form; Enter submits it.
        await page.GotoAsync("/privacy/sign-up");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Email address")).ToBeFocusedAsync();

        // Forms with their errors shown next to the fields.
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#email-error")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Email address")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.AssertAccessibleAsync();

        // The operator's page with a cluster's data on it.
        var (clusterId, bootstrapId) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(clusterId, bootstrapId)))
        {
            report.EnsureSuccessStatusCode();
        }

        await page.GotoAsync("/privacy/operator");
        await page.GetByLabel("Cluster id").FillAsync(clusterId);
        await page.GetByLabel("Bootstrap id").FillAsync(bootstrapId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what you hold" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Items held about the cluster" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        // A person's pages, from the code form on.
        var email = Infrastructure.People.NewEmail("axe");
        await page.GotoAsync("/privacy/sign-up");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(Infrastructure.People.NewName());
        await page.GetByLabel("Birth date").FillAsync(Infrastructure.People.AdultBirthDate);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a code" }).ClickAsync();
        await Expect(page.Heading("Check your email")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        await page.GetByLabel("The 8-digit code we sent you").FillAsync(await service.Outbox.NextCodeAsync(email));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page.Heading("What we hold about you")).ToBeVisibleAsync();
        foreach (var path in new[] { "/privacy/me", "/privacy/me/profile", "/privacy/me/consents", "/privacy/me/clusters", "/privacy/me/notices", "/privacy/me/erase" })
        {
            await page.GotoAsync(path);
            await page.AssertAccessibleAsync();
        }

        await service.EraseOnPageAsync(page, email);
        await page.AssertAccessibleAsync();
        await page.Context.CloseAsync();
    }
}
