using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Tests.Infrastructure;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>
/// A breach's or a substantive policy change's email is never dropped silently: delivered, or counted as failed in its
/// campaign's view (outbox lifetime passed). A substantive version takes effect no
/// sooner than the minimum notice period after publication, and continued use is recorded only for people who were told.
/// </summary>
public sealed class CampaignEmailTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Breach_emails_dropped_after_their_lifetime_are_counted_as_failed_while_the_notice_stays_and_none_is_displaced_by_later_ones()
    {
        await using var service = await ServiceHost.StartOwnedAsync<RefusingMailService>();
        var officer = await service.OfficerAsync("ap");
        var (unreachable, reachable) = (await service.SignUpAsync("eu"), await service.SignUpAsync("eu"));
        service.Refused[unreachable.Email] = true;

        // Seventeen breaches while the person's mail is refused: each notice is a row of its own, none pushes another out.
        var now = DateTimeOffset.UtcNow;
        var breaches = new List<string>();
        for (var i = 0; i < 17; i++)
        {
            var breach = await DeclareAsync(service.Admin!, officer, BreachTests.Breach(["eu"], ["account"], now.AddHours(-1), now.AddHours(1)));
            Assert.Equal(2, (long)(await DoneAsync(service.Admin!, officer, breach))["notified"]!);
            breaches.Add(breach);
        }

        await Eventually.ReturnsAsync(() => EmailsAsync(service, reachable, BreachTitle), count => count == 17, s_wait, "every email to the reachable person");
        Assert.Equal(0, (long)(await ProgressAsync(service, officer, breaches[0]))["emailsFailed"]!);
        Assert.Equal(17L, await service.Database.ScalarAsync<long>("select count(*) from person_notice where email_state = 'pending'"));

        // Three days of refusals: the rest are dropped unsent, and each is counted as failed in its own breach.
        service.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        foreach (var breach in breaches)
        {
            var counts = await Eventually.ReturnsAsync(
                () => ProgressAsync(service, officer, breach), progress => (long)progress["emailsFailed"]! > 0, s_wait, "the dropped email counted");
            Assert.Equal(1, (long)counts["emailsFailed"]!);
            Assert.Equal(2, (long)counts["notified"]!);
        }

        // The notices themselves stay in the account; the other person got every email; no outbox is left waiting.
        Assert.Equal(17, (await NotificationsAsync(service.Http, unreachable, "breach")).Count);
        Assert.Equal(0, await EmailsAsync(service, unreachable, BreachTitle));
        Assert.Equal(17, await EmailsAsync(service, reachable, BreachTitle));
        Assert.Equal(17L, await service.Database.ScalarAsync<long>("select count(*) from person_notice where email_state = 'undelivered' and email is null"));
        Assert.Equal(17L, await service.Database.ScalarAsync<long>("select count(*) from person_notice where email_state = 'delivered' and email is null"));
        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select (select count(*) from reminder where reminder_name = 'outbox') + (select count(*) from outbox_mark)"),
            rows => rows == 0,
            s_wait,
            "every outbox reminder and mark removed");
    }

    [Fact]
    public async Task A_substantive_version_takes_effect_after_the_notice_period_and_continued_use_is_recorded_only_for_people_who_were_told()
    {
        await using var service = await ServiceHost.StartOwnedAsync<RefusingMailService>();
        var officer = await service.OfficerAsync("ap");
        var (unreachable, told) = (await service.SignUpAsync("eu"), await service.SignUpAsync("us"));
        service.Refused[unreachable.Email] = true;
        var start = DateTimeOffset.UtcNow;

        // Too soon: a clear 422 on its field, nothing published, nobody told.
        var early = Version("2027-early", start.AddDays(29));
        var (refused, problem) = await SendAsync(service.Admin!, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", early));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Contains("at least 30 days after it is published", (string?)problem!["errors"]!["effectiveAt"]![0], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy/2027-early"))).Status);
        Assert.Equal(["2016-09-22"], (await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy"))).Body!["history"]!.AsArray().Select(version => (string?)version!["version"]));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(service.Admin!, officer.Request(HttpMethod.Get, "/v1/admin/policy-versions/2027-early/announcement"))).Status);

        // Far enough ahead: published and announced; one person's email is refused until its lifetime passes.
        var (published, _) = await SendAsync(service.Admin!, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", Version("2027-late", start.AddDays(31))));
        Assert.Equal(HttpStatusCode.Created, published);
        await Eventually.ReturnsAsync(() => EmailsAsync(service, told, PolicyTitle), count => count > 0, s_wait, "the announcement's email");

        // Every other account's email (the officers' too) delivered before the lifetime passes: only the refused one fails.
        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select count(*) from person_notice where email_state = 'delivered'"),
            delivered => delivered == 3, s_wait, "the reachable accounts' emails delivered");
        service.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        var counts = await Eventually.ReturnsAsync(
            async () => (await SendAsync(service.Admin!, officer.Request(HttpMethod.Get, "/v1/admin/policy-versions/2027-late/announcement"))).Body!,
            progress => (bool)progress["done"]! && (long)progress["emailsFailed"]! > 0,
            s_wait,
            "the undelivered announcement counted");
        // Every account, the second officer who approved the version included.
        Assert.Equal(4, (long)counts["notified"]!);
        Assert.Equal(1, (long)counts["emailsFailed"]!);
        Assert.Single(await NotificationsAsync(service.Http, unreachable, "policy-change"));

        // In effect: the person who was told continues under it; the one whose email never arrived is not held to it.
        service.Clock.Advance(TimeSpan.FromDays(28));
        Assert.Equal("2027-late", (string?)(await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy"))).Body!["version"]);
        await Eventually.ReturnsAsync(async () => ContinuedUse(await service.Http.GetMeAsync(told)), versions => versions.Count > 0, s_wait, "continued use recorded");
        Assert.Equal(["2027-late"], ContinuedUse(await service.Http.GetMeAsync(told)));
        await service.Http.GetMeAsync(unreachable);
        var me = await service.Http.GetMeAsync(unreachable);
        Assert.Empty(ContinuedUse(me));
        Assert.DoesNotContain(me["account"]!["audit"]!.AsArray(), entry => (string?)entry!["action"] == "policy-accepted");
    }

    private static object Version(string name, DateTimeOffset effectiveAt) => new
    {
        version = name,
        effectiveAt = Iso(effectiveAt),
        substantive = true,
        summary = "Crash reports are kept for a year.",
        text = "# Policy\n\nCrash reports: one year.",
    };

    private static List<string?> ContinuedUse(JsonNode me) =>
        [.. me["account"]!["consentHistory"]!.AsArray().Where(entry => (string?)entry!["how"] == "continued-use").Select(entry => (string?)entry!["policyVersion"])];

    private static async Task<JsonNode> ProgressAsync(NoticeService service, Person officer, string breach) =>
        (await SendAsync(service.Admin!, officer.Request(HttpMethod.Get, $"/v1/admin/breaches/{breach}"))).Body!["progress"]!;

    /// <summary>A notice service whose outbox refuses every message to chosen addresses (as a mailbox that bounces would).</summary>
    public sealed class RefusingMailService : NoticeService
    {
        /// <summary>Addresses whose mail is refused from now on.</summary>
        public ConcurrentDictionary<string, bool> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

        protected override string Purpose => "campaign-mail";

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            base.ConfigureSilo(silo);
            silo.Services.AddSingleton<IOutbox>(provider => new RefusingOutbox(ActivatorUtilities.CreateInstance<FileOutbox>(provider), Refused));
        }

        private sealed class RefusingOutbox(IOutbox inner, ConcurrentDictionary<string, bool> refused) : IOutbox
        {
            public Task SendAsync(OutboxMessage message, MessageOrigin origin, CancellationToken cancellationToken = default) =>
                refused.ContainsKey(message.To) ? Task.FromException(new IOException("mailbox unavailable")) : inner.SendAsync(message, origin, cancellationToken);

            public Task DestroyCopiesAsync(GrainId owner, string? messageId = null) => inner.DestroyCopiesAsync(owner, messageId);

            public Task AdoptCopiesAsync(GrainId previous, GrainId heir) => inner.AdoptCopiesAsync(previous, heir);
        }
    }
}
