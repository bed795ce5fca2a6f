using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Secrecy;

/// <summary>Policy: "We'll notify you when we're asked to hand over your personal information": when asked, and again at the decision.</summary>
[Collection(SecrecyFixture.Name)]
public sealed class LegalNoticeTests(SecrecyService service)
{
    private const string Received = "We were asked to hand over your personal information";

    [Fact]
    public async Task Without_a_gag_the_person_is_told_when_the_request_arrives_and_again_at_the_decision_in_the_account_and_by_email()
    {
        var person = await service.SignUpAsync();
        var bystander = await service.SignUpAsync();
        var reference = $"CIV-{Guid.NewGuid():N}";
        var received = await service.ReceiveLegalRequestAsync(person, reference, gagUntil: null, authority: "County Court");
        var requestId = (string)received["request"]!["requestId"]!;

        // Told on receipt, before anything is decided: in the account at once, by email soon after.
        Assert.NotNull(received["receiptNotifiedAt"]);
        Assert.Null(received["notifiedAt"]);
        var notice = Assert.Single(await service.LegalNoticesAsync(person));
        Assert.Equal($"legal-request-{requestId}-received", (string?)notice["id"]);
        Assert.Contains("County Court", (string)notice["text"]!, StringComparison.Ordinal);
        Assert.Contains(reference, (string)notice["text"]!, StringComparison.Ordinal);
        Assert.Contains("We hand over nothing unless we believe in good faith that the law requires it", (string)notice["text"]!, StringComparison.Ordinal);
        var first = await Eventually.ReturnsAsync(
            () => service.Outbox.MessagesToAsync(person.Email), found => found.Any(message => message.Subject == Received), TimeSpan.FromSeconds(30), "the email on receipt");
        Assert.Contains(reference, first.Single(message => message.Subject == Received).TextBody, StringComparison.Ordinal);

        // Told again at the decision; each notice once.
        var decided = await service.DecideLegalRequestAsync(requestId, "reject", "Overbroad: the request names no specific matter.");
        Assert.NotNull(decided["notifiedAt"]);
        var notices = await service.LegalNoticesAsync(person);
        Assert.Equal(2, notices.Count);
        Assert.Contains("We refused", (string)notices.Single(found => (string?)found["id"] == $"legal-request-{requestId}")["text"]!, StringComparison.Ordinal);
        var mails = await Eventually.ReturnsAsync(
            () => service.MailSubjectsAsync(person.Email), found => found.Contains("We refused to hand over your personal information"), TimeSpan.FromSeconds(30), "the decision's email");
        Assert.Single(mails, subject => subject == Received);
        Assert.Single(mails, subject => subject == "We refused to hand over your personal information");

        // The audit says the person was told, twice; nobody else was told anything.
        var audit = (await service.Http.GetMeAsync(person))["account"]!["audit"]!.AsArray();
        Assert.Equal(2, audit.Count(entry => (string?)entry!["action"] == "legal-request-notified"));
        Assert.Empty(await service.LegalNoticesAsync(bystander));
        Assert.DoesNotContain(await service.MailSubjectsAsync(bystander.Email), subject => subject.Contains("hand over", StringComparison.Ordinal));
    }
}
