using Microsoft.Playwright;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>Journeys' shared steps, through the pages only (codes come from the outbox, as a person reads their mail).</summary>
public static class Browsing
{
    public static ILocator Heading(this IPage page, string name) =>
        page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = name, Level = 1 });

    /// <summary>A link of the site's navigation.</summary>
    public static ILocator Nav(this IPage page, string name) =>
        page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new LocatorGetByRoleOptions { Name = name, Exact = true });

    /// <summary>Erases the signed-in person through the erase page (a step-up code read from the outbox, the confirmation); ends on the receipt page.</summary>
    public static async Task EraseOnPageAsync(this Infrastructure.ServiceHost service, IPage page, string email)
    {
        var seen = await Infrastructure.People.StepUpCodesSentAsync(service, email);
        await page.GotoAsync("/privacy/me/erase");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Send me a code" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("A code is on its way to your address.");
        await page.GetByLabel("The 8-digit code we sent you").FillAsync(await Infrastructure.People.NextStepUpCodeAsync(service, email, seen));
        await page.GetByLabel("I understand: erase my account and all my data").CheckAsync();
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Erase everything" }).ClickAsync();
        await Assertions.Expect(page.Heading("Privacy request")).ToBeVisibleAsync();
    }

    /// <summary>Signs a fresh adult up through the sign-up page and the emailed code; ends on "What we hold".</summary>
    public static async Task<(string Email, string Name)> SignUpAsync(this Infrastructure.ServiceHost service, IPage page, string? email = null, string? name = null)
    {
        email ??= Infrastructure.People.NewEmail("web");
        name ??= Infrastructure.People.NewName();
        var seen = (await service.Outbox.MessagesToAsync(email)).Count;
        await page.GotoAsync("/privacy/sign-up");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Name", new PageGetByLabelOptions { Exact = true }).FillAsync(name);
        await page.GetByLabel("Birth date").FillAsync(Infrastructure.People.AdultBirthDate);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Send me a code" }).ClickAsync();
        await Assertions.Expect(page.Heading("Check your email")).ToBeVisibleAsync();
        await EnterCodeAsync(page, await service.Outbox.NextCodeAsync(email, seen));
        return (email, name);
    }

    /// <summary>Asks for a sign-in code through the sign-in page; with an account, enters it and ends on "What we hold".</summary>
    public static async Task SignInAsync(this Infrastructure.ServiceHost service, IPage page, string email, bool expectAccount = true)
    {
        var seen = (await service.Outbox.MessagesToAsync(email)).Count;
        await page.GotoAsync("/privacy/sign-in");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Send me a code" }).ClickAsync();
        await Assertions.Expect(page.Heading("Check your email")).ToBeVisibleAsync();
        if (expectAccount)
        {
            await EnterCodeAsync(page, await service.Outbox.NextCodeAsync(email, seen));
        }
    }

    /// <summary>
    /// The two-person rule on the pages: <paramref name="proposer"/>'s page says its action was only proposed; the second
    /// officer (signed in on <paramref name="approver"/>) approves that proposal on the Proposals page; ends on its status.
    /// </summary>
    public static async Task ApproveProposedAsync(IPage proposer, IPage approver)
    {
        var status = proposer.GetByRole(AriaRole.Status);
        await Assertions.Expect(status).ToContainTextAsync("Proposed, not done");
        var id = System.Text.RegularExpressions.Regex.Match(await status.TextContentAsync() ?? string.Empty, "proposal ([0-9a-f]{32})").Groups[1].Value;
        await approver.GotoAsync("/privacy/officer/proposals");
        await approver.AssertAccessibleAsync();
        await approver.Locator($"section[aria-labelledby='proposal-{id}']")
            .GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Approve and carry it out" }).ClickAsync();
        await Assertions.Expect(approver.GetByRole(AriaRole.Status)).ToContainTextAsync("Approved and done");
    }

    /// <summary>Gives the emailed code on the sign-in page (and an officer's second factor after it); ends on "What we hold".</summary>
    public static async Task EnterCodeAsync(IPage page, string code)
    {
        await page.GetByLabel("The 8-digit code we sent you").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Heading("What we hold about you").Or(page.Heading("Your second factor"))).ToBeVisibleAsync();
        if (await page.Heading("Your second factor").IsVisibleAsync())
        {
            await GiveFactorAsync(page);
        }
    }

    /// <summary>
    /// An officer's step after the emailed code: enrols an authenticator the first time (its secret and recovery codes
    /// remembered for the tests, see <see cref="Infrastructure.OfficerFactors"/>), gives its code; ends on "What we hold".
    /// </summary>
    public static async Task GiveFactorAsync(IPage page)
    {
        var session = (await page.Context.CookiesAsync()).Single(cookie => cookie.Name == "pd_session").Value;
        var userId = Infrastructure.OfficerFactors.UserIdOf(session)!;
        var enrol = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Set up an authenticator" });
        if (await enrol.IsVisibleAsync())
        {
            await enrol.ClickAsync();
            await Assertions.Expect(page.Heading("Set up your authenticator")).ToBeVisibleAsync();
            Infrastructure.OfficerFactors.Remember(
                userId, (await page.Locator("#factor-secret").TextContentAsync())!, await page.Locator("#recovery-codes li").AllTextContentsAsync());
        }

        await page.GetByLabel("Authenticator code, or a recovery code").FillAsync(Infrastructure.OfficerFactors.NextCode(userId));
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Heading("What we hold about you")).ToBeVisibleAsync();
    }
}
