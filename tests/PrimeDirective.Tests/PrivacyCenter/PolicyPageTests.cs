using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>The public policy page reads the registry: the effective date at the top, then the text, then the history.</summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class PolicyPageTests(PrivacyCenterService service)
{
    [Fact]
    public async Task The_policy_page_shows_the_effective_date_before_the_text_and_then_the_history_with_each_versions_page()
    {
        var page = await service.NewPageAsync(bypassCsp: true);
        var response = await page.GotoAsync("/privacy/policy");
        Assert.Equal(200, response!.Status);
        await Expect(page.Heading("Our privacy policy")).ToBeVisibleAsync();

        // Order on the page: the date in effect, the policy's own text (Markdown rendered: its headings and lists), the history.
        var main = await page.Locator("main").InnerTextAsync();
        var effective = main.IndexOf("In effect since 2016-09-22", StringComparison.Ordinal);
        var text = main.IndexOf("Your privacy is an important factor", StringComparison.Ordinal);
        var history = main.IndexOf("Every version of the policy", StringComparison.Ordinal);
        Assert.True(effective >= 0 && text > effective && history > text, $"effective {effective}, text {text}, history {history}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Prime Directive Privacy Policy", Level = 2 })).ToBeVisibleAsync();
        await Expect(page.Locator(".policy-text li").First).ToContainTextAsync("you give it to us directly");
        Assert.Equal(0, await page.Locator(".policy-text h1").CountAsync());

        // The removed setting is not what the page reads; the history links each version's own page; the stats are linked.
        var row = page.GetByRole(AriaRole.Table, new() { Name = "Every version of the policy" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "2016-09-22" });
        await Expect(row).ToContainTextAsync("The policy as first published.");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "usage statistics" })).ToHaveAttributeAsync("href", "/stats");
        await page.AssertAccessibleAsync();

        await row.GetByRole(AriaRole.Link, new() { Name = "2016-09-22" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/privacy/policy/2016-09-22$"));
        await Expect(page.Locator("#effective")).ToContainTextAsync("In effect since 2016-09-22");
        await page.AssertAccessibleAsync();

        // A version nobody published answers like any unknown page.
        var unknown = await page.GotoAsync("/privacy/policy/1999-01-01");
        Assert.Equal(404, unknown!.Status);
        await Expect(page.Heading("Not found")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
