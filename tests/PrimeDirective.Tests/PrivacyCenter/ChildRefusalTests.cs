using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>Under 13: the sign-up page refuses kindly, and nothing is kept or sent.</summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class ChildRefusalTests(PrivacyCenterService service)
{
    [Fact]
    public async Task A_child_is_refused_kindly_and_nothing_is_kept_or_sent()
    {
        var page = await service.NewPageAsync();
        var (email, name) = (Infrastructure.People.NewEmail("child"), Infrastructure.People.NewName());
        var tenYearsAgo = DateTime.UtcNow.AddYears(-10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await page.GotoAsync("/privacy/sign-up");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Birth date").FillAsync(tenYearsAgo);
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Send me a code" }).ClickAsync(),
            response => response.Request.Method == "POST");
        Assert.Equal(403, answer.Status);

        await Expect(page.Heading("We can't take your sign-up")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Nothing you typed was kept");
        var html = await page.ContentAsync();
        Assert.DoesNotContain(email, html, StringComparison.Ordinal);
        Assert.DoesNotContain(name, html, StringComparison.Ordinal);

        // No code was sent, and the address was not claimed: a real sign-up with it later works as for anyone.
        await service.SignInAsync(page, email, expectAccount: false);
        Assert.Empty(await service.Outbox.MessagesToAsync(email));
        Assert.DoesNotContain(service.Logs.GetSnapshot(), record => record.Message.Contains(email, StringComparison.OrdinalIgnoreCase));
        await page.Context.CloseAsync();
    }
}
