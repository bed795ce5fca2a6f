using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>
/// An officer's second factor on the pages (issue 25, point 2): after the emailed code the console answers 403 "second
/// factor required" and shows nothing of itself; the officer enrols an authenticator (secret, key URI and recovery codes
/// shown once), gives its code and reaches the console; at the next sign-in only a code is asked for. Axe-clean, no script.
/// </summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class OfficerFactorPageTests(PrivacyCenterService service)
{
    [Fact]
    public async Task An_officer_enrols_on_first_sign_in_gives_a_code_and_only_then_reaches_the_console()
    {
        var officer = await service.SignUpAsync();
        var (officerGateway, _) = await service.StartOfficerGatewayAsync(officer.UserId);
        var page = await service.NewPageAsync(officerGateway.BaseAddress);

        // The emailed code alone: the factor page, and the console refused with what is missing.
        var seen = (await service.Outbox.MessagesToAsync(officer.Email)).Count;
        await page.GotoAsync("/privacy/sign-in");
        await page.GetByLabel("Email address").FillAsync(officer.Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a code" }).ClickAsync();
        await page.GetByLabel("The 8-digit code we sent you").FillAsync(await service.Outbox.NextCodeAsync(officer.Email, seen));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page.Heading("Your second factor")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        foreach (var path in new[] { "/privacy/officer", "/privacy/officer/proposals", "/privacy/officer/processors" })
        {
            var refused = await page.GotoAsync(path);
            Assert.Equal(403, refused!.Status);
            await Expect(page.Heading("Second factor required")).ToBeVisibleAsync();
            await Expect(page.Locator("main form")).ToHaveCountAsync(0);
        }

        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Give your authenticator code" }).ClickAsync();

        // Enrolment: shown once, then a code from it (computed as an authenticator app does).
        await page.GetByRole(AriaRole.Button, new() { Name = "Set up an authenticator" }).ClickAsync();
        await Expect(page.Heading("Set up your authenticator")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();
        var secret = (await page.Locator("#factor-secret").TextContentAsync())!;
        Assert.Matches("^[A-Z2-7]{32}$", secret);
        await Expect(page.Locator("#factor-uri")).ToContainTextAsync($"otpauth://totp/Prime%20Directive:{officer.UserId}?secret={secret}");
        var recovery = await page.Locator("#recovery-codes li").AllTextContentsAsync();
        Assert.Equal(10, recovery.Count);
        OfficerFactors.Remember(officer.UserId, secret, recovery);

        // A wrong code: the field says so, and the console is still refused.
        var current = new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret)).ComputeTotp();
        await page.GetByLabel("Authenticator code, or a recovery code").FillAsync(current[..^1] + (char)('0' + ((current[^1] - '0' + 5) % 10)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page.Locator("#code-error")).ToContainTextAsync("The code is wrong");
        Assert.Equal(403, (await page.GotoAsync("/privacy/officer"))!.Status);

        await page.GotoAsync("/privacy/factor");
        await page.GetByLabel("Authenticator code, or a recovery code").FillAsync(OfficerFactors.NextCode(officer.UserId));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page.Heading("What we hold about you")).ToBeVisibleAsync();
        Assert.Equal(200, (await page.GotoAsync("/privacy/officer/proposals"))!.Status);
        await Expect(page.Heading("Second factor required")).ToHaveCountAsync(0);

        // The next sign-in asks for a code only: the secret is never shown again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await service.SignInAsync(page, officer.Email);
        Assert.Equal(200, (await page.GotoAsync("/privacy/officer"))!.Status);
        await page.GotoAsync("/privacy/factor");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Set up an authenticator" })).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_person_who_is_no_officer_has_no_factor_page()
    {
        var person = await service.SignUpAsync();
        var page = await service.NewPageAsync();
        await service.SignInAsync(page, person.Email);

        var response = await page.GotoAsync("/privacy/factor");
        Assert.Equal(404, response!.Status);
        await Expect(page.Heading("Not found")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
