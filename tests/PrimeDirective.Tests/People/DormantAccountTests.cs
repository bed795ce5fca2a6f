using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.People;

/// <summary>
/// Dormant accounts are not kept forever (issue 19, point 26): without a sign-in for 2 years an account is warned by
/// email, and erased at 3 years; a sign-in starts the count again; the export shows the rule and its next date. Fake
/// time on the silo; the dormancy reminder looks at it every second here.
/// </summary>
public sealed class DormantAccountTests
{
    private const string WarningSubject = "Your Prime Directive account will be erased unless you sign in";

    [Fact]
    public async Task An_account_without_sign_in_is_warned_at_2_years_and_erased_at_3_while_signing_in_keeps_it()
    {
        await using var service = await ServiceHost.StartOwnedAsync<DormancyService>();
        var createdAt = service.Clock.GetUtcNow();
        var dormant = await service.SignUpAsync();
        var returning = await service.SignUpAsync();
        var warnedThenBack = await service.SignUpAsync();

        // The export shows the rule and when it next acts: the warning, 730 days after sign-up.
        var rule = Rule(await service.Http.GetMeAsync(dormant));
        Assert.Equal("account", (string)rule["data"]!);
        Assert.Contains("730 days", (string)rule["rule"]!, StringComparison.Ordinal);
        Assert.InRange((DateTimeOffset)rule["nextAt"]! - createdAt, TimeSpan.FromDays(730) - TimeSpan.FromMinutes(5), TimeSpan.FromDays(730) + TimeSpan.FromMinutes(5));

        // 729 days on, one of them signs in; two days later the other two have had no sign-in for 731 days.
        service.Clock.Advance(TimeSpan.FromDays(729));
        await SignInAsync(service, returning);
        service.Clock.Advance(TimeSpan.FromDays(2));
        foreach (var person in new[] { dormant, warnedThenBack })
        {
            var warning = await service.Outbox.NextMessageAsync(person.Email, seen: 1);
            Assert.Equal(WarningSubject, warning.Subject);
            Assert.Contains("unless you sign in before", warning.TextBody, StringComparison.Ordinal);
        }

        var warned = await service.Http.GetMeAsync(dormant);
        Assert.Contains(warned["account"]!["notifications"]!.AsArray(), notice => (string)notice!["kind"]! == "dormant-account");
        Assert.Contains(warned["account"]!["audit"]!.AsArray(), entry => (string)entry!["action"]! == "dormant-account-warned");
        Assert.InRange((DateTimeOffset)Rule(warned)["nextAt"]! - createdAt, TimeSpan.FromDays(1095) - TimeSpan.FromMinutes(5), TimeSpan.FromDays(1096) + TimeSpan.FromMinutes(5));

        // One of the warned signs in the day after; the other never does.
        service.Clock.Advance(TimeSpan.FromDays(1));
        await SignInAsync(service, warnedThenBack);

        // A year on (1097 days after sign-up): the dormant account is erased, by an erasure request like any other.
        service.Clock.Advance(TimeSpan.FromDays(365));
        await Eventually.ReturnsAsync(
            async () =>
            {
                using var me = await service.Http.SendAsync(dormant.Request(HttpMethod.Get, "/v1/me"));
                return me.StatusCode;
            },
            status => status == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(30),
            "the dormant account closed");
        await Eventually.ReturnsAsync(
            async () => await service.Database.CountRowsContainingAsync(dormant.Email) + await service.Database.CountRowsContainingAsync(dormant.Name),
            rows => rows == 0,
            TimeSpan.FromSeconds(30),
            "nothing of the dormant account left");

        // The others stay, unwarned since their sign-in, and nothing of theirs was touched.
        foreach (var person in new[] { returning, warnedThenBack })
        {
            var me = await service.Http.GetMeAsync(person);
            Assert.Equal(person.Email, (string)me["account"]!["profile"]!["email"]!);
            Assert.Contains(me["account"]!["audit"]!.AsArray(), entry => (string)entry!["action"]! == "account-created");
            Assert.DoesNotContain(me["account"]!["requests"]!.AsArray(), request => (string)request!["kind"]! == "erasure");
        }

        Assert.DoesNotContain(await service.Outbox.MessagesToAsync(returning.Email), message => message.Subject == WarningSubject);
        Assert.Single(await service.Outbox.MessagesToAsync(warnedThenBack.Email), message => message.Subject == WarningSubject);
    }

    private static JsonNode Rule(JsonNode me) =>
        me["account"]!["retentionRules"]!.AsArray().Single(rule => (string)rule!["data"]! == "account")!;

    /// <summary>Signs in with a code, as a person returning after a long time does.</summary>
    private static async Task SignInAsync(ServiceHost service, Person person)
    {
        var seen = (await service.Outbox.MessagesToAsync(person.Email)).Count;
        using (var signIn = await service.Http.PostAsync("/v1/sessions", Json.Body(new { email = person.Email })))
        {
            Assert.Equal(HttpStatusCode.Accepted, signIn.StatusCode);
        }

        await Infrastructure.People.VerifyAsync(service.Http, person.Email, await service.Outbox.NextCodeAsync(person.Email, seen));
    }

    /// <summary>The policy's clock moved by the test; dormancy checked every second; reminders may come every second.</summary>
    public sealed class DormancyService : ServiceHost
    {
        public DormancyService()
        {
            Settings["Retention:DormantCheckPeriod"] = "00:00:01";
            Settings["Requests:RetryPeriod"] = "00:00:01";
        }

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Purpose => "dormancy";

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        }
    }
}
