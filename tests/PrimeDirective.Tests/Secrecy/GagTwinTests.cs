using System.Net;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.PrivacyCenter;
using PrimeDirective.Tests.Sharing;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.Secrecy;

/// <summary>
/// Policy: "We'll notify you when we're asked to hand over your personal information ... unless we're legally prohibited
/// from doing so." While a gag runs, the person must not be able to tell: twins, one under a gagged legal request (a hold,
/// a disclosure), one under nothing, see the same in every answer and on every page; when the gag ends, what it hid
/// appears, once.
/// </summary>
[Collection(SecrecyPagesFixture.Name)]
public sealed class GagTwinTests(SecrecyPagesService service)
{
    private const string Rationale = "The subpoena is valid, specific and within the agency's authority; the law requires us to comply.";

    [Fact]
    public async Task Under_a_gag_every_answer_page_and_mail_of_the_person_equals_a_controls_and_at_its_end_what_it_hid_appears_once()
    {
        var gagged = await service.SignUpAsync();
        var control = await service.SignUpAsync();
        var gaggedPage = await SignedInAsync(gagged);
        var controlPage = await SignedInAsync(control);

        // The officer, in the console: a gagged request with a hold on the person, decided "disclose".
        var reference = $"SUB-{Guid.NewGuid():N}";
        var gagUntil = service.Clock.GetUtcNow().AddDays(30);
        var officer = await service.NewPageAsync(service.Admin);
        await service.SignInAsync(officer, service.Officer.Email);
        await officer.GotoAsync("/privacy/officer/legal-requests");
        await officer.GetByLabel("Authority (who asks)").FillAsync("Federal Agency");
        await officer.GetByLabel("Their reference").FillAsync(reference);
        await officer.GetByLabel("Person's user id").FillAsync(gagged.UserId);
        await officer.Locator("#categories-account").CheckAsync();
        await officer.GetByLabel("Gag until (optional)").FillAsync(gagUntil.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        await officer.GetByLabel("Also place a legal hold on the person's data").CheckAsync();
        await officer.GetByRole(AriaRole.Button, new() { Name = "Record the request" }).ClickAsync();
        await Expect(officer.GetByRole(AriaRole.Status)).ToHaveTextAsync("The request is recorded.");
        var requestId = (await officer.Locator("h2 .mono").InnerTextAsync()).Trim();
        await officer.Locator("#decision-disclose").CheckAsync();
        await officer.GetByLabel("Good-faith rationale (to disclose: 30 characters or more) or reasons to reject").FillAsync(Rationale);
        await officer.GetByRole(AriaRole.Button, new() { Name = "Record the decision" }).ClickAsync();
        var approver = await service.NewPageAsync(service.Admin);
        await service.SignInAsync(approver, service.Second.Officer.Email);
        await PrivacyCenter.Browsing.ApproveProposedAsync(officer, approver);

        // The authority's package: its URL is on the approving officer's page, this once, and it serves the person's data.
        var packageUrl = (await approver.Locator("#package-url").InnerTextAsync()).Trim();
        await approver.Context.CloseAsync();
        using (var package = await service.Http.GetAsync(packageUrl))
        {
            Assert.Equal(HttpStatusCode.OK, package.StatusCode);
            Assert.Contains(gagged.Email, await package.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await officer.GotoAsync($"/privacy/officer/legal-requests?id={requestId}");
        await Expect(officer.Locator("main")).ToContainTextAsync(reference);
        await Expect(officer.Locator("main")).Not.ToContainTextAsync("Package URL");
        await officer.Context.CloseAsync();

        // While the gag runs: every answer, every page and every mail of the one equals the control's.
        var controlAnswers = await Twins.AnswersAsync(service.Http, control);
        var controlPages = await Twins.PagesAsync(controlPage, control);
        var gaggedAnswers = await Twins.AnswersAsync(service.Http, gagged);
        var gaggedPages = await Twins.PagesAsync(gaggedPage, gagged);
        Twins.AssertSame(controlAnswers, gaggedAnswers);
        Twins.AssertSame(controlPages, gaggedPages);
        Assert.Equal(await service.MailSubjectsAsync(control.Email), await service.MailSubjectsAsync(gagged.Email));
        foreach (var seen in gaggedAnswers.Values.Concat(gaggedPages.Values))
        {
            Assert.DoesNotContain(reference, seen, StringComparison.Ordinal);
            Assert.DoesNotContain("Federal Agency", seen, StringComparison.Ordinal);
        }

        // A day before the end, still nothing.
        service.Clock.Advance(TimeSpan.FromDays(29));
        Twins.AssertSame(controlAnswers, await Twins.AnswersAsync(service.Http, gagged));

        // The end: acted on at once (reminders here come hourly), and what the gag hid appears exactly once.
        service.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        var notices = await Eventually.ReturnsAsync(
            () => service.LegalNoticesAsync(gagged), found => found.Count >= 2, TimeSpan.FromSeconds(30), "the legal notices at the gag's end");
        Assert.Equal(2, notices.Count);
        Assert.All(notices, notice => Assert.Contains(reference, (string?)notice["text"], StringComparison.Ordinal));

        var me = (await service.Http.GetMeAsync(gagged))["account"]!;
        var audit = me["audit"]!.AsArray().Select(entry => ((string)entry!["action"]!, (string)entry["reason"]!)).ToList();
        Assert.Single(audit, entry => entry.Item1 == "legal-hold-placed" && entry.Item2.Contains(reference, StringComparison.Ordinal));
        Assert.Single(audit, entry => entry.Item1 == "disclosed" && entry.Item2.EndsWith("basis legal", StringComparison.Ordinal));
        Assert.Equal(2, audit.Count(entry => entry.Item1 == "legal-request-notified" && entry.Item2.Contains(requestId, StringComparison.Ordinal)));
        Assert.Equal(audit.Select(entry => entry.Item1), me["audit"]!.AsArray().OrderBy(entry => (DateTimeOffset)entry!["at"]!).Select(entry => (string)entry!["action"]!));
        var entry = Assert.Single(await service.LedgerAsync(gagged));
        Assert.Equal(reference, (string?)entry!["legalReference"]);

        var mails = await service.MailSubjectsAsync(gagged.Email);
        Assert.Single(mails, subject => subject == "We were asked to hand over your personal information");
        Assert.Single(mails, subject => subject == "We handed over your personal information, as the law requires");

        // The pages show it too, once; the control still sees exactly what it saw.
        await gaggedPage.GotoAsync("/privacy/me");
        await Expect(gaggedPage.GetByRole(AriaRole.Table, new() { Name = "What was done with your account, and why" }).GetByText(reference)).ToHaveCountAsync(1);
        await gaggedPage.GotoAsync("/privacy/me/notices");
        await Expect(gaggedPage.GetByRole(AriaRole.Table, new() { Name = "Disclosures of your data" })).ToContainTextAsync(reference);
        Twins.AssertSame(controlAnswers, await Twins.AnswersAsync(service.Http, control));
        Twins.AssertSame(controlPages, await Twins.PagesAsync(controlPage, control));
        Assert.DoesNotContain(await service.MailSubjectsAsync(control.Email), subject => subject.Contains("hand over", StringComparison.Ordinal));

        // Acted on once: later looks change nothing.
        service.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(2, (await service.LegalNoticesAsync(gagged)).Count);
        Assert.Single(await service.LedgerAsync(gagged));
        await gaggedPage.Context.CloseAsync();
        await controlPage.Context.CloseAsync();
    }

    [Fact]
    public async Task An_erasure_a_gagged_hold_defers_reads_like_anyones_in_progress_until_the_gag_ends_and_the_hold_still_keeps_the_data()
    {
        var gagged = await service.SignUpAsync();
        var control = await service.SignUpAsync();
        var reference = $"SUB-{Guid.NewGuid():N}";
        var received = await service.ReceiveLegalRequestAsync(gagged, reference, service.Clock.GetUtcNow().AddDays(30), placeHold: true);
        var legalRequestId = (string)received["request"]!["requestId"]!;

        // Both ask for erasure; the control's is stopped half-way (no receipt yet), the gagged one waits on the hold.
        service.Gate.Close();
        try
        {
            var gaggedReceipt = await EraseAsync(gagged);
            var controlReceipt = await EraseAsync(control);
            await Eventually.ReturnsAsync(
                () => Task.FromResult(service.Logs.GetSnapshot().Any(record => record.Message.Contains($"Privacy request {RequestIdOf(gaggedReceipt)} is on hold", StringComparison.Ordinal))),
                deferred => deferred, TimeSpan.FromSeconds(30), "the gagged person's erasure deferred by the hold");
            await Eventually.ReturnsAsync(
                () => Task.FromResult(service.Gate.Stopped.ContainsKey(RequestIdOf(controlReceipt))), stopped => stopped, TimeSpan.FromSeconds(30), "the control's erasure under way");

            // The status and its page read the same for both: in progress, nothing erased yet.
            var gaggedStatus = await StatusAsync(gaggedReceipt);
            Assert.Equal(Twins.Normalise(await StatusAsync(controlReceipt)), Twins.Normalise(gaggedStatus));
            Assert.Contains("\"status\":\"in-progress\"", gaggedStatus, StringComparison.Ordinal);
            Assert.Equal(Twins.Normalise(await ReceiptPageAsync(controlReceipt)), Twins.Normalise(await ReceiptPageAsync(gaggedReceipt)));
            Assert.Equal(await service.MailSubjectsAsync(control.Email), await service.MailSubjectsAsync(gagged.Email));

            // The hold still keeps everything: the law requires it, whatever the person is shown.
            Assert.True(await service.Database.CountRowsContainingAsync(gagged.Email) > 0);

            // From the gag's end on, the person learns of the hold: the status says so, and they are told of the request (by
            // email: their account is closed). The control is untouched.
            service.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));
            Assert.Contains("\"status\":\"on-hold\"", await StatusAsync(gaggedReceipt), StringComparison.Ordinal);
            Assert.Contains("on hold: a legal hold defers it", await ReceiptPageAsync(gaggedReceipt), StringComparison.Ordinal);
            await Eventually.ReturnsAsync(
                () => service.MailSubjectsAsync(gagged.Email), mails => mails.Contains("We were asked to hand over your personal information"),
                TimeSpan.FromSeconds(30), "the notice of the request at the gag's end");
            Assert.NotNull((await service.LegalRequestAsync(legalRequestId))["receiptNotifiedAt"]);
            Assert.Single(await service.MailSubjectsAsync(gagged.Email), subject => subject.Contains("hand over", StringComparison.Ordinal));
            Assert.Contains("\"status\":\"in-progress\"", await StatusAsync(controlReceipt), StringComparison.Ordinal);
            Assert.True(await service.Database.CountRowsContainingAsync(gagged.Email) > 0);
        }
        finally
        {
            service.Gate.Open();
        }
    }

    private async Task<IPage> SignedInAsync(Person person)
    {
        var page = await service.NewPageAsync(service.Http);
        await service.SignInAsync(page, person.Email);
        return page;
    }

    private async Task<string> EraseAsync(Person person)
    {
        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        return (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
    }

    private static string RequestIdOf(string receiptUrl) => receiptUrl.Split('/')[^1].Split('?')[0];

    private async Task<string> StatusAsync(string receiptUrl)
    {
        using var response = await service.Http.GetAsync(receiptUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<string> ReceiptPageAsync(string receiptUrl)
    {
        var page = await service.NewPageAsync(service.Http);
        var response = await page.GotoAsync(receiptUrl.Replace("/v1/privacy-requests/", "/privacy/requests/", StringComparison.Ordinal));
        Assert.Equal(200, response!.Status);
        var content = await page.ContentAsync();
        await page.Context.CloseAsync();
        return content;
    }
}
