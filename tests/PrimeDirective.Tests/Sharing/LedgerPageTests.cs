using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.PrivacyCenter;

namespace PrimeDirective.Tests.Sharing;

/// <summary>The officer's verification page shows what the evidence says: an intact ledger and its evidence, an erased subject as erased.</summary>
[Collection(SharingPagesFixture.Name)]
public sealed class LedgerPageTests(SharingPagesService service)
{
    [Fact]
    public async Task The_verification_page_shows_the_evidence_and_an_erased_person_as_erased_not_broken()
    {
        var kept = await service.SignUpAsync();
        var erased = await service.SignUpAsync();
        foreach (var person in new[] { kept, erased })
        {
            await service.SetConsentAsync(person, "third-party-sharing", granted: true);
            await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Partner One"));
            await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Partner Two"));
        }

        await service.ReceiptWhenAsync(await service.EraseAsync(erased), "completed");
        var page = await service.NewOfficerPageAsync();
        await service.SignInAsync(page, service.Officer.Email);

        var intact = await VerifyOnPageAsync(page, kept);
        await Assertions.Expect(intact.Locator("dd").Nth(0)).ToHaveTextAsync("verifies");
        await Assertions.Expect(intact.Locator("dd").Nth(1)).ToHaveTextAsync("2");
        await Assertions.Expect(intact.Locator("dd").Nth(3)).ToContainTextAsync("count 2, head ");
        await Assertions.Expect(intact).Not.ToContainTextAsync("Problem");

        // Measured on the old code: "We hold no disclosure ledger for this subject", as for a ledger someone removed.
        var gone = await VerifyOnPageAsync(page, erased);
        await Assertions.Expect(gone.Locator("dd").Nth(0)).ToHaveTextAsync("the subject was erased; the evidence records its ledger destroyed with 2 entries");
        await Assertions.Expect(gone).Not.ToContainTextAsync("broken");
        await page.AssertAccessibleAsync();
    }

    private static async Task<ILocator> VerifyOnPageAsync(IPage page, Person person)
    {
        await page.GotoAsync("/privacy/officer/disclosure-verification");
        await page.GetByLabel("User id or cluster id").FillAsync(person.UserId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the ledger" }).ClickAsync();
        var result = page.Locator("#verification");
        await Assertions.Expect(result).ToBeVisibleAsync();
        return result;
    }
}
