using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>
/// Global Privacy Control on the Privacy Center's pages (issue 19, point 14): a browser that sends <c>Sec-GPC: 1</c> while
/// its person is signed in withdraws their analytics consent, recorded as caused by the signal, as the API path does.
/// </summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class GpcPageTests(PrivacyCenterService service)
{
    [Fact]
    public async Task Browsing_the_pages_with_GPC_on_withdraws_analytics_consent_records_why_and_changes_nobody_else()
    {
        var page = await service.NewPageAsync();
        await service.SignUpAsync(page);
        await GrantAnalyticsAsync(page);
        var other = await service.NewPageAsync();
        await service.SignUpAsync(other);
        await GrantAnalyticsAsync(other);

        // Without the signal (or with Sec-GPC: 0) nothing changes.
        await page.Context.SetExtraHTTPHeadersAsync([new("Sec-GPC", "0")]);
        await page.GotoAsync("/privacy/me");
        await page.GotoAsync("/privacy/me/consents");
        await Expect(AnalyticsRow(page)).ToContainTextAsync("granted");
        await Expect(AnalyticsRow(page)).Not.ToContainTextAsync("not granted");

        // The browser turns GPC on; the person only looks at what we hold.
        await page.Context.SetExtraHTTPHeadersAsync([new("Sec-GPC", "1")]);
        await page.GotoAsync("/privacy/me");
        await Expect(page.Heading("What we hold about you")).ToBeVisibleAsync();

        await page.GotoAsync("/privacy/me/consents");
        await Expect(AnalyticsRow(page)).ToContainTextAsync("not granted");
        var history = page.GetByRole(AriaRole.Table, new() { Name = "Every grant and withdrawal" }).GetByRole(AriaRole.Row).Last;
        await Expect(history).ToContainTextAsync("analytics");
        await Expect(history).ToContainTextAsync("withdrawn");
        await page.GotoAsync("/privacy/me");
        var audit = page.GetByRole(AriaRole.Table, new() { Name = "What was done with your account, and why" });
        await Expect(audit.GetByRole(AriaRole.Row).Filter(new() { HasText = "Global Privacy Control" })).ToHaveCountAsync(1);
        await Expect(audit).ToContainTextAsync("consent-withdrawn");

        // The other person's consent, in another browser without the signal, is untouched.
        await other.GotoAsync("/privacy/me/consents");
        await Expect(AnalyticsRow(other)).Not.ToContainTextAsync("not granted");
        await other.GotoAsync("/privacy/me");
        await Expect(other.GetByRole(AriaRole.Table, new() { Name = "What was done with your account, and why" })).Not.ToContainTextAsync("Global Privacy Control");
        await page.Context.CloseAsync();
        await other.Context.CloseAsync();
    }

    private static async Task GrantAnalyticsAsync(IPage page)
    {
        await page.GotoAsync("/privacy/me/consents");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant consent to analytics" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Consent to analytics granted.");
        await Expect(AnalyticsRow(page)).Not.ToContainTextAsync("not granted");
    }

    private static ILocator AnalyticsRow(IPage page) =>
        page.GetByRole(AriaRole.Table, new() { Name = "Consents in force" }).GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = "analytics", Exact = true }) });
}
