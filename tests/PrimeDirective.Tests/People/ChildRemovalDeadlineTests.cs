using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.People;

/// <summary>
/// A waiting child-removal request does not keep the parent's name, address and statement forever (issue 19, point 26):
/// officers are reminded weekly while it waits; after 90 days it expires, the parent is told, and their details go. The
/// receipt shows when. Fake time on the silo; the request's reminder looks at it every second here.
/// </summary>
public sealed class ChildRemovalDeadlineTests
{
    [Fact]
    public async Task Officers_are_reminded_weekly_and_after_90_days_the_request_expires_the_parent_is_told_and_forgotten()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ReviewDeadlineService>();
        var mailbox = service.Settings["Requests:OfficerMailbox"]!;
        var child = await service.SignUpAsync();
        var (parentEmail, parentName) = (Infrastructure.People.NewEmail("parent"), Infrastructure.People.NewName());
        var statement = $"My son is ten; statement {Guid.NewGuid():N}.";
        var submittedAt = service.Clock.GetUtcNow();
        using var submit = await service.Http.PostAsync("/v1/child-removal-requests", Json.Body(new { childEmail = child.Email, parentName, parentEmail, statement }));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var accepted = await Json.ReadAsync(submit);
        var (requestId, receiptUrl) = ((string)accepted["requestId"]!, (string)accepted["receiptUrl"]!);
        await service.Outbox.NextMessageAsync(parentEmail, seen: 0);

        // The parent's receipt says when the request expires undecided.
        var waiting = await ReceiptAsync(service, receiptUrl);
        Assert.Equal("awaiting-review", (string)waiting["status"]!);
        Assert.Equal(submittedAt.AddDays(90), (DateTimeOffset)waiting["expiresAt"]!, TimeSpan.FromMinutes(5));

        // A week, and another: one reminder to the officers each time, naming the request and nobody.
        service.Clock.Advance(TimeSpan.FromDays(7));
        await service.Outbox.NextMessageAsync(mailbox, seen: 0);
        service.Clock.Advance(TimeSpan.FromDays(7));
        await service.Outbox.NextMessageAsync(mailbox, seen: 1);
        foreach (var reminder in await service.Outbox.MessagesToAsync(mailbox))
        {
            Assert.Equal("A child-removal request is waiting for review", reminder.Subject);
            Assert.Contains(requestId, reminder.TextBody, StringComparison.Ordinal);
            foreach (var personal in new[] { parentEmail, parentName, statement, child.Email, child.Name })
            {
                Assert.DoesNotContain(personal, reminder.TextBody, StringComparison.OrdinalIgnoreCase);
            }
        }

        Assert.Equal(1, await service.Database.CountRowsContainingAsync(parentEmail));

        // 91 days: undecided, it expires; the parent is told, and their details are destroyed.
        service.Clock.Advance(TimeSpan.FromDays(77));
        var expired = await Eventually.ReturnsAsync(
            () => ReceiptAsync(service, receiptUrl), receipt => (string)receipt["status"]! == "expired", TimeSpan.FromSeconds(30), "the request expired");
        Assert.Null(expired["expiresAt"]);
        var answer = await service.Outbox.NextMessageAsync(parentEmail, seen: 1);
        Assert.Equal("Your request to remove a child's data expired", answer.Subject);
        foreach (var personal in new[] { parentEmail, parentName, statement })
        {
            await Eventually.ReturnsAsync(
                () => service.Database.CountRowsContainingAsync(personal), rows => rows == 0, TimeSpan.FromSeconds(30), "the parent's details destroyed");
        }

        // The child's account is untouched (nobody decided to erase it), and no reminder came after the expiry.
        Assert.Equal(child.Email, (string)(await service.Http.GetMeAsync(child))["account"]!["profile"]!["email"]!);
        Assert.Equal(2, (await service.Outbox.MessagesToAsync(mailbox)).Count);
    }

    private static async Task<JsonNode> ReceiptAsync(ServiceHost service, string receiptUrl)
    {
        using var response = await service.Http.GetAsync(receiptUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    /// <summary>The policy's clock moved by the test; a waiting request checks it every second; officers have a mailbox.</summary>
    public sealed class ReviewDeadlineService : ServiceHost
    {
        public ReviewDeadlineService()
        {
            Settings["Requests:ReviewCheckPeriod"] = "00:00:01";
            Settings["Requests:OfficerMailbox"] = Infrastructure.People.NewEmail("officers");
            Settings["Outbox:RecheckPeriod"] = "00:00:02";
        }

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Purpose => "review-deadline";

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        }
    }
}
