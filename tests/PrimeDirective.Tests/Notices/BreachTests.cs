using System.Net;
using PrimeDirective.Tests.Infrastructure;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>Policy: "if we learn of a security breach, we'll notify you" — everyone affected, once, and nobody else.</summary>
public sealed class BreachTests
{
    [Fact]
    public async Task Affected_people_are_selected_by_region_category_and_window_and_each_is_notified_once()
    {
        await using var service = await ServiceHost.StartOwnedAsync<NoticeService>();
        var officer = await service.OfficerAsync("ap");
        var admin = service.Admin!;
        var (eu1, eu2, us1) = (await service.SignUpAsync("eu"), await service.SignUpAsync("eu"), await service.SignUpAsync("us"));
        var (linked, linkedProof, unlinked, unlinkedProof) = (Flynn.NewId(), Flynn.NewId(), Flynn.NewId(), Flynn.NewId());
        foreach (var (cluster, proof) in new[] { (linked, linkedProof), (unlinked, unlinkedProof) })
        {
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, proof, region: "eu"));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var (linkStatus, _) = await SendAsync(service.Http, eu1.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId = linked, bootstrapId = linkedProof, region = "eu" }));
        Assert.Equal(HttpStatusCode.OK, linkStatus);
        var now = DateTimeOffset.UtcNow;

        // Account data in eu during the window: both eu people; not the us person, not clusters (they hold no account data).
        var accounts = await DeclareAsync(admin, officer, Breach(["eu"], ["account"], now.AddHours(-1), now.AddHours(1)));
        var counts = await DoneAsync(admin, officer, accounts);
        Assert.Equal(2, (long)counts["notified"]!);
        Assert.Equal(2, (long)counts["affected"]!);
        Assert.Equal(0, (long)counts["shownToOperators"]!);
        Assert.Equal(0, (long)counts["pending"]!);
        Assert.Empty(counts["failed"]!.AsObject());
        Assert.Equal(4, (long)counts["examined"]!);

        // A window that closed before anyone here existed: nobody.
        var old = await DeclareAsync(admin, officer, Breach(["eu", "us"], ["usage", "account"], new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2020, 2, 1, 0, 0, 0, TimeSpan.Zero)));
        var oldCounts = await DoneAsync(admin, officer, old);
        Assert.Equal(0, (long)oldCounts["affected"]!);
        Assert.Equal(5, (long)oldCounts["examined"]!);

        // Usage data in eu now: the linked cluster's person (once, through the cluster), the unlinked cluster's operator.
        var usage = await DeclareAsync(admin, officer, Breach(["eu"], ["usage"], now.AddHours(-1), now.AddHours(1)));
        var usageCounts = await DoneAsync(admin, officer, usage);
        Assert.Equal(1, (long)usageCounts["notified"]!);
        Assert.Equal(1, (long)usageCounts["shownToOperators"]!);

        foreach (var (person, expected) in new[] { (eu1, 2), (eu2, 1), (us1, 0), (officer, 0) })
        {
            if (expected > 0)
            {
                await Eventually.ReturnsAsync(() => EmailsAsync(service, person, BreachTitle), count => count >= expected, TimeSpan.FromSeconds(30), "breach emails");
            }

            Assert.Equal(expected, await EmailsAsync(service, person, BreachTitle));
            Assert.Equal(expected, (await NotificationsAsync(service.Http, person, "breach")).Count);
        }

        Assert.Equal([accounts, usage], (await NotificationsAsync(service.Http, eu1, "breach")).Select(notice => (string?)notice["id"]));
        var email = (await service.Outbox.MessagesToAsync(eu2.Email)).Single(message => message.Subject == BreachTitle);
        Assert.Contains("Change your password.", email.TextBody, StringComparison.Ordinal);

        // The unlinked cluster's operator sees the notice with the cluster's data; the linked cluster shows none.
        var (_, unlinkedView) = await SendAsync(service.Http, Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{unlinked}", unlinkedProof));
        Assert.Equal([usage], unlinkedView!["notices"]!.AsArray().Select(notice => (string?)notice!["id"]));
        var (_, linkedView) = await SendAsync(service.Http, Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{linked}", linkedProof));
        Assert.Empty(linkedView!["notices"]!.AsArray());

        // Nothing personal in the counts an officer sees.
        var (_, view) = await SendAsync(admin, officer.Request(HttpMethod.Get, $"/v1/admin/breaches/{usage}"));
        foreach (var needle in new[] { eu1.Email, eu1.UserId, linked, unlinked, linkedProof })
        {
            Assert.DoesNotContain(needle, view!.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_subject_erased_before_the_declaration_is_absent_and_not_notified()
    {
        await using var service = await ServiceHost.StartOwnedAsync<NoticeService>();
        var officer = await service.OfficerAsync("ap");
        var (kept, erased) = (await service.SignUpAsync("eu"), await service.SignUpAsync("eu"));
        var (erasure, _) = await SendAsync(service.Http, await service.EraseRequestAsync(erased));
        Assert.Equal(HttpStatusCode.Accepted, erasure);
        await Eventually.ReturnsAsync(
            () => service.Database.CountRowsContainingAsync(erased.Email), rows => rows == 0, TimeSpan.FromSeconds(30), "the erased account gone");

        var now = DateTimeOffset.UtcNow;
        var breach = await DeclareAsync(service.Admin!, officer, Breach(["eu"], ["account", "identifier"], now.AddDays(-1), now.AddHours(1)));
        var counts = await DoneAsync(service.Admin!, officer, breach);
        Assert.Equal(1, (long)counts["notified"]!);
        Assert.Equal(1, (long)counts["examined"]!);
        await Eventually.ReturnsAsync(() => EmailsAsync(service, kept, BreachTitle), count => count > 0, TimeSpan.FromSeconds(30), "the breach email");
        Assert.Equal(0, await EmailsAsync(service, erased, BreachTitle));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(erased.Email));
    }

    internal static object Breach(string[] regions, string[] categories, DateTimeOffset from, DateTimeOffset until) => new
    {
        regions,
        categories,
        exposedFrom = Iso(from),
        exposedUntil = Iso(until),
        description = "A backup of the reports database was readable from the internet.",
        advice = "Change your password.",
    };
}
