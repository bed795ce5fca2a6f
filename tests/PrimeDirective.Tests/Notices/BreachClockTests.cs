using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>
/// The breach clock (GDPR Art. 33): a breach records when we became aware, the supervisory authority must be notified
/// within 72 hours, an officer records that it was, and a breach past its deadline without it is flagged overdue.
/// </summary>
public sealed class BreachClockTests
{
    [Fact]
    public async Task The_deadline_is_72_hours_after_awareness_and_only_an_unnotified_breach_past_it_is_overdue()
    {
        await using var service = await ServiceHost.StartOwnedAsync<NoticeService>();
        var officer = await service.OfficerAsync("ap");
        var admin = service.Admin!;
        var now = DateTimeOffset.UtcNow;
        var aware = DateTimeOffset.Parse(Iso(now.AddHours(-2)), System.Globalization.CultureInfo.InvariantCulture);

        // Given awareness two hours ago; and one declared without it (aware now).
        var notified = await DeclareAsync(admin, officer, Breach(Iso(aware)));
        var silent = await DeclareAsync(admin, officer, Breach(null));

        var before = await ListAsync(admin, officer);
        Assert.Equal(new[] { notified, silent }, before.Keys);
        Assert.Equal(aware, Instant(before[notified], "awareAt"));
        Assert.Equal(aware.AddHours(72), Instant(before[notified], "deadline"));
        var silentAware = Instant(before[silent], "awareAt");
        Assert.InRange(silentAware, now, DateTimeOffset.UtcNow);
        Assert.Equal(silentAware.AddHours(72), Instant(before[silent], "deadline"));
        foreach (var breach in before.Values)
        {
            Assert.False((bool)breach["overdue"]!);
            Assert.False((bool)breach["authorityNotified"]!);
            Assert.Null(breach["authorityNotification"]);
        }

        // The authority is told of one of them, an hour after we became aware.
        var (status, recorded) = await SendAsync(admin, officer.Request(
            HttpMethod.Put, $"/v1/admin/breaches/{notified}/authority-notification", Notification(Iso(aware.AddHours(1)))));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((bool)recorded!["authorityNotified"]!);
        Assert.Equal("CNIL", (string?)recorded["authorityNotification"]!["authority"]);
        Assert.Equal("2026-0042", (string?)recorded["authorityNotification"]!["reference"]);
        Assert.Equal(aware.AddHours(1), Instant(recorded["authorityNotification"]!, "notifiedAt"));
        Assert.Equal(officer.UserId, (string?)recorded["authorityNotification"]!["recordedBy"]);

        // 71 hours on: nothing is overdue yet.
        service.Clock.Advance(TimeSpan.FromHours(71));
        Assert.All((await ListAsync(admin, officer)).Values, breach => Assert.False((bool)breach["overdue"]!));

        // 73 hours on: the breach the authority was not told of is overdue, in the list and on its own; the other is not.
        service.Clock.Advance(TimeSpan.FromHours(2));
        var after = await ListAsync(admin, officer);
        Assert.False((bool)after[notified]["overdue"]!);
        Assert.True((bool)after[notified]["authorityNotified"]!);
        Assert.True((bool)after[silent]["overdue"]!);
        Assert.False((bool)after[silent]["authorityNotified"]!);
        var (_, alone) = await SendAsync(admin, officer.Request(HttpMethod.Get, $"/v1/admin/breaches/{silent}"));
        Assert.True((bool)alone!["overdue"]!);

        // Recording the notification late clears the flag (it is late, but no longer missing).
        var (lateStatus, late) = await SendAsync(admin, officer.Request(
            HttpMethod.Put, $"/v1/admin/breaches/{silent}/authority-notification", Notification((string)before[silent]["awareAt"]!)));
        Assert.Equal(HttpStatusCode.OK, lateStatus);
        Assert.False((bool)late!["overdue"]!);
        Assert.True((bool)late["authorityNotified"]!);
    }

    [Fact]
    public async Task Bad_awareness_or_notification_is_refused_and_nothing_is_stored()
    {
        await using var service = await ServiceHost.StartOwnedAsync<NoticeService>();
        var officer = await service.OfficerAsync("ap");
        var admin = service.Admin!;
        var now = DateTimeOffset.UtcNow;

        // Awareness in the future, or not an instant (no offset, or words): 422 on awareAt, no breach listed.
        foreach (var awareAt in new[] { Iso(now.AddHours(1)), "2026-01-01T00:00:00", "yesterday" })
        {
            var (status, problem) = await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/breaches", Breach(awareAt)));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            Assert.NotNull(problem!["errors"]!["awareAt"]);
        }

        Assert.Empty(await ListAsync(admin, officer));
        var breach = await DeclareAsync(admin, officer, Breach(Iso(now.AddHours(-1))));

        // A notification in the future, before awareness, or without authority or reference: 422, nothing recorded.
        foreach (var (body, field) in new[]
        {
            (Notification(Iso(now.AddHours(1))), "notifiedAt"),
            (Notification(Iso(now.AddHours(-2))), "notifiedAt"),
            (new { authority = " ", reference = "r", notifiedAt = Iso(now) }, "authority"),
            (new { authority = "CNIL", reference = "", notifiedAt = Iso(now) }, "reference"),
        })
        {
            var (status, problem) = await SendAsync(admin, officer.Request(HttpMethod.Put, $"/v1/admin/breaches/{breach}/authority-notification", body));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
            Assert.NotNull(problem!["errors"]![field]);
        }

        Assert.False((bool)(await ListAsync(admin, officer))[breach]["authorityNotified"]!);

        // No such breach: 404, and nothing changes for the one there is.
        var (unknown, _) = await SendAsync(admin, officer.Request(
            HttpMethod.Put, $"/v1/admin/breaches/{Guid.NewGuid():N}/authority-notification", Notification(Iso(now))));
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        var listed = await ListAsync(admin, officer);
        Assert.Equal(new[] { breach }, listed.Keys);
        Assert.False((bool)listed[breach]["authorityNotified"]!);

        // Someone who is not an officer can neither list breaches nor record a notification.
        var person = await service.SignUpAsync("eu");
        var (listStatus, _) = await SendAsync(service.Http, person.Request(HttpMethod.Get, "/v1/admin/breaches"));
        Assert.Equal(HttpStatusCode.Forbidden, listStatus);
        var (putStatus, _) = await SendAsync(service.Http, person.Request(
            HttpMethod.Put, $"/v1/admin/breaches/{breach}/authority-notification", Notification(Iso(now))));
        Assert.Equal(HttpStatusCode.Forbidden, putStatus);
        Assert.False((bool)(await ListAsync(admin, officer))[breach]["authorityNotified"]!);
    }

    private static object Breach(string? awareAt)
    {
        var now = DateTimeOffset.UtcNow;
        return new
        {
            regions = new[] { "eu" },
            categories = new[] { "account" },
            exposedFrom = Iso(now.AddDays(-1)),
            exposedUntil = Iso(now.AddHours(1)),
            description = "A backup of the reports database was readable from the internet.",
            advice = "Change your password.",
            awareAt,
        };
    }

    private static object Notification(string notifiedAt) => new { authority = "CNIL", reference = "2026-0042", notifiedAt };

    private static DateTimeOffset Instant(JsonNode node, string field) => DateTimeOffset.Parse((string)node[field]!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The breaches listed, by id, in the list's order.</summary>
    private static async Task<Dictionary<string, JsonNode>> ListAsync(HttpClient admin, Person officer)
    {
        var (status, body) = await SendAsync(admin, officer.Request(HttpMethod.Get, "/v1/admin/breaches"));
        Assert.Equal(HttpStatusCode.OK, status);
        return body!.AsArray().ToDictionary(breach => (string)breach!["id"]!, breach => breach!);
    }
}
