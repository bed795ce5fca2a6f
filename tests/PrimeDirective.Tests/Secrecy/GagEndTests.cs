using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Sharing;

namespace PrimeDirective.Tests.Secrecy;

/// <summary>
/// A gag's end is acted on at that moment, not when a reminder next looks: here reminders come hourly
/// (Sharing:ExpiryCheckPeriod and RetryPeriod), so only the gag's own timer can tell the person within the usual wait.
/// </summary>
[Collection(SecrecyFixture.Name)]
public sealed class GagEndTests(SecrecyService service)
{
    private const string Received = "We were asked to hand over your personal information";
    private const string Disclosed = "We handed over your personal information, as the law requires";

    [Fact]
    public async Task At_the_gags_end_the_person_is_told_of_the_request_and_the_decision_at_once_each_once_in_the_account_and_by_email()
    {
        var person = await service.SignUpAsync();
        var bystander = await service.SignUpAsync();
        var reference = $"SUB-{Guid.NewGuid():N}";
        var gagUntil = service.Clock.GetUtcNow().AddDays(30);
        var requestId = (string)(await service.ReceiveLegalRequestAsync(person, reference, gagUntil))["request"]!["requestId"]!;
        await service.DecideLegalRequestAsync(requestId, "disclose", "The subpoena is valid, specific and within the agency's authority.");

        // While it runs: no notice, no mail, no ledger entry.
        service.Clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        Assert.Empty(await service.LegalNoticesAsync(person));
        Assert.Empty(await service.LedgerAsync(person));
        Assert.DoesNotContain(await service.MailSubjectsAsync(person.Email), subject => subject.Contains("hand over", StringComparison.Ordinal));

        // Its end: the decision's notice arrives within the usual wait (the old hourly reminder would take an hour).
        service.Clock.Advance(TimeSpan.FromSeconds(2));
        var notices = await Eventually.ReturnsAsync(
            () => service.LegalNoticesAsync(person), found => found.Any(notice => ((string)notice["id"]!).EndsWith(requestId, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the decision's notice at the gag's end");

        // Told of both, once each, in the account and by email; the entry shows; nobody else hears anything.
        notices = await Eventually.ReturnsAsync(() => service.LegalNoticesAsync(person), found => found.Count >= 2, TimeSpan.FromSeconds(30), "both notices");
        Assert.Equal(2, notices.Count);
        Assert.Single(notices, notice => ((string)notice["text"]!).Contains("We hand over nothing unless", StringComparison.Ordinal));
        Assert.Single(notices, notice => ((string)notice["text"]!).Contains("disclosed it", StringComparison.Ordinal));
        Assert.All(notices, notice => Assert.Contains(reference, (string)notice["text"]!, StringComparison.Ordinal));
        var mails = await Eventually.ReturnsAsync(
            () => service.MailSubjectsAsync(person.Email), found => found.Contains(Received) && found.Contains(Disclosed), TimeSpan.FromSeconds(30), "both emails");
        Assert.Single(mails, subject => subject == Received);
        Assert.Single(mails, subject => subject == Disclosed);
        Assert.Single(await service.LedgerAsync(person));
        var view = await service.LegalRequestAsync(requestId);
        Assert.NotNull(view["notifiedAt"]);
        Assert.NotNull(view["receiptNotifiedAt"]);
        Assert.Empty(await service.LegalNoticesAsync(bystander));
        Assert.DoesNotContain(await service.MailSubjectsAsync(bystander.Email), subject => subject.Contains("hand over", StringComparison.Ordinal));

        // Later looks (the timer again, the backstop reminder) change nothing.
        service.Clock.Advance(TimeSpan.FromDays(2));
        using (var again = await service.AdminAsync(HttpMethod.Post, $"/v1/admin/legal-requests/{requestId}/decision",
            new { decision = "disclose", rationale = "The subpoena is valid, specific and within the agency's authority." }))
        {
            again.EnsureSuccessStatusCode();
        }

        Assert.Equal(2, (await service.LegalNoticesAsync(person)).Count);
        Assert.Single(await service.MailSubjectsAsync(person.Email), subject => subject == Disclosed);
    }

    [Fact]
    public async Task An_extended_gag_is_acted_on_at_its_new_end_and_not_at_the_old_one()
    {
        var person = await service.SignUpAsync();
        var gagUntil = service.Clock.GetUtcNow().AddDays(10);
        var requestId = (string)(await service.ReceiveLegalRequestAsync(person, $"SUB-{Guid.NewGuid():N}", gagUntil))["request"]!["requestId"]!;
        using (var extend = await service.AdminAsync(HttpMethod.Post, $"/v1/admin/legal-requests/{requestId}/gag", new { until = gagUntil.AddDays(5) }))
        {
            extend.EnsureSuccessStatusCode();
        }

        // Past the first end the request is decided: had the old end counted, that decision would tell the person at once.
        service.Clock.Advance(TimeSpan.FromDays(11));
        var decided = await service.DecideLegalRequestAsync(requestId, "reject", "Overbroad: the request names no specific matter.");
        Assert.Null(decided["notifiedAt"]);
        Assert.Null(decided["receiptNotifiedAt"]);
        Assert.Empty(await service.LegalNoticesAsync(person));

        // The new end: both notices, at once.
        service.Clock.Advance(TimeSpan.FromDays(4) + TimeSpan.FromSeconds(1));
        var notices = await Eventually.ReturnsAsync(
            () => service.LegalNoticesAsync(person), found => found.Count >= 2, TimeSpan.FromSeconds(30), "the notices at the extended end");
        Assert.Equal(2, notices.Count);
        Assert.Single(notices, notice => ((string)notice["text"]!).Contains("We hand over nothing unless", StringComparison.Ordinal));
        Assert.Single(notices, notice => ((string)notice["text"]!).Contains("We refused", StringComparison.Ordinal));
    }
}
