using System.Net;
using PrimeDirective.Tests.Infrastructure;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>
/// A breach reaches whoever held data of its categories during its window, whatever the data: third-party records,
/// crash reports, and the copies of a person's data in disclosure packages, not only account data and identifiers.
/// </summary>
public sealed class BreachReachTests
{
    private static readonly string[] s_records = ["third-party-record"];

    [Fact]
    public async Task A_breach_of_third_party_records_and_crash_reports_reaches_the_people_and_operators_who_held_them_and_nobody_else()
    {
        await using var service = await ServiceHost.StartOwnedAsync<NoticeService>();
        var officer = await service.OfficerAsync("ap");
        var admin = service.Admin!;
        var (recorded, packaged, control) = (await service.SignUpAsync("eu"), await service.SignUpAsync("eu"), await service.SignUpAsync("eu"));

        // One person holds a record a named source told us; another held one, disclosed in a package, then erased it.
        await AddRecordAsync(admin, officer, recorded);
        var recordId = await AddRecordAsync(admin, officer, packaged);
        var (disclosed, disclosure) = await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/disclosures", new
        {
            subject = new { userId = packaged.UserId },
            recipient = "County Safety Office",
            basis = "harm-prevention",
            categories = s_records,
            rationale = "A credible threat against the person was reported to us by the source.",
            protects = "the-person",
        }));
        Assert.Equal(HttpStatusCode.Created, disclosed);
        Assert.NotNull((string?)disclosure!["packageUrl"]);
        var (removed, _) = await SendAsync(service.Http, packaged.Request(HttpMethod.Delete, $"/v1/me/third-party-records/{recordId}"));
        Assert.Equal(HttpStatusCode.NoContent, removed);

        // One cluster nobody linked sent a crash report; another only reported.
        var (crashed, crashedProof, quiet, quietProof) = (Flynn.NewId(), Flynn.NewId(), Flynn.NewId(), Flynn.NewId());
        foreach (var (cluster, proof) in new[] { (crashed, crashedProof), (quiet, quietProof) })
        {
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, proof, region: "eu"));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var (crashStatus, _) = await SendAsync(service.Http, Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{crashed}/crash-reports", crashedProof, Json.Body(new
        {
            version = "v20161108.0",
            component = "scheduler",
            occurredAt = Iso(DateTimeOffset.UtcNow),
            message = "panic: runtime error",
            stack = "goroutine 1 [running]",
        })));
        Assert.Equal(HttpStatusCode.Accepted, crashStatus);

        var now = DateTimeOffset.UtcNow;
        var records = await DeclareAsync(admin, officer, BreachTests.Breach(["eu"], ["third-party-record"], now.AddHours(-1), now.AddHours(1)));
        var recordCounts = await DoneAsync(admin, officer, records);
        Assert.Equal(2, (long)recordCounts["notified"]!);
        Assert.Equal(2, (long)recordCounts["affected"]!);
        Assert.Equal(0, (long)recordCounts["shownToOperators"]!);

        var crashes = await DeclareAsync(admin, officer, BreachTests.Breach(["eu"], ["crash-report"], now.AddHours(-1), now.AddHours(1)));
        var crashCounts = await DoneAsync(admin, officer, crashes);
        Assert.Equal(0, (long)crashCounts["notified"]!);
        Assert.Equal(1, (long)crashCounts["shownToOperators"]!);

        foreach (var person in new[] { recorded, packaged })
        {
            await Eventually.ReturnsAsync(() => EmailsAsync(service, person, BreachTitle), count => count > 0, TimeSpan.FromSeconds(60), "the breach email");
            Assert.Equal([records], (await NotificationsAsync(service.Http, person, "breach")).Select(notice => (string?)notice["id"]));
        }

        // Nobody else: not the person who never held such data, not the officer, not the cluster without crash reports.
        foreach (var person in new[] { control, officer })
        {
            Assert.Empty(await NotificationsAsync(service.Http, person, "breach"));
            Assert.Equal(0, await EmailsAsync(service, person, BreachTitle));
        }

        var (_, crashedView) = await SendAsync(service.Http, Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{crashed}", crashedProof));
        Assert.Equal([crashes], crashedView!["notices"]!.AsArray().Select(notice => (string?)notice!["id"]));
        var (_, quietView) = await SendAsync(service.Http, Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{quiet}", quietProof));
        Assert.Empty(quietView!["notices"]!.AsArray());
    }

    private static async Task<string> AddRecordAsync(HttpClient admin, Person officer, Person person)
    {
        var (status, body) = await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/third-party-records",
            new { userId = person.UserId, source = "Example Cloud", kind = "provider-account-id", value = $"acct-{Guid.NewGuid():N}" }));
        Assert.Equal(HttpStatusCode.Created, status);
        return (string)body!["recordId"]!;
    }
}
