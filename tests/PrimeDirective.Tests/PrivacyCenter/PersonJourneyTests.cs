using Microsoft.Playwright;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>A person's journey through the Privacy Center in a real browser, against the real service.</summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class PersonJourneyTests(PrivacyCenterService service)
{
    [Fact]
    public async Task Sign_up_then_see_everything_held()
    {
        var page = await service.NewPageAsync();
        var (email, name) = await service.SignUpAsync(page);

        var held = page.Locator("main");
        await Assertions.Expect(held).ToContainTextAsync(email);
        await Assertions.Expect(held).ToContainTextAsync(name);
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new PageGetByRoleOptions { Name = "Items in your account" })).ToContainTextAsync("account");
        await page.Context.CloseAsync();
    }
}
