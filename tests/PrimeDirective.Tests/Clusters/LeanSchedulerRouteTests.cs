using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Users;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Notices;
using PrimeDirective.Tests.Requests;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Clusters;

/// <summary>
/// Flynn's scheduler report is a lean route (issue 21): it skips authentication and the rest of the middleware it does
/// not use, so a token or cookie it happens to carry is neither checked nor used, and touches nobody's account. A
/// service of its own: a policy version reaches every account of the service.
/// </summary>
public sealed class LeanSchedulerRouteTests
{
    [Fact]
    public async Task A_scheduler_report_carrying_a_token_or_cookie_is_stored_and_acknowledged_and_the_tokens_account_is_not_used()
    {
        await using var service = await ServiceHost.StartOwnedAsync<NoticeService>();
        var officer = await service.OfficerAsync();
        var person = await service.SignUpAsync("eu");

        // A policy version takes effect after the person signed up: their next authenticated use records acceptance.
        var minor = new { version = "2026-12-lean", effectiveAt = Iso(DateTimeOffset.UtcNow.AddHours(1)), substantive = false, summary = "Typos fixed.", text = "# Policy\n\nTypos fixed." };
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(service.Admin!, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", minor))).Status);
        service.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("2026-12-lean", (string?)(await SendAsync(service.Http, new HttpRequestMessage(HttpMethod.Get, "/v1/policy"))).Body!["version"]);

        // Garbage credentials: acknowledged and stored, as Flynn expects.
        var (garbled, garbledProof) = (Flynn.NewId(), Flynn.NewId());
        using (var report = Flynn.SchedulerReport(garbled, garbledProof))
        {
            report.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "x");
            report.Headers.Add("Cookie", "__Host-pd-session=not-a-session; other=%00%ff");
            using var acknowledged = await service.Http.SendAsync(report);
            Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        }

        await AssertStoredAsync(service, garbled, garbledProof);

        // A real person's token on a Flynn report: stored, and the person's account is not used.
        var (cluster, proof) = (Flynn.NewId(), Flynn.NewId());
        using (var report = Flynn.SchedulerReport(cluster, proof))
        {
            report.Headers.Authorization = new AuthenticationHeaderValue("Bearer", person.Token);
            using var acknowledged = await service.Http.SendAsync(report);
            Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        }

        await AssertStoredAsync(service, cluster, proof);

        // Read straight from the account (no route, so no use recorded by reading): the report recorded no continued use.
        var account = service.Silos[0].Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(Erasure.KeysOf(service).Users.ForUser(person.UserId));
        Assert.DoesNotContain((await account.GetAsync())!.ConsentHistory, entry => entry.How == Consents.ContinuedUse);

        // Bad input with the same token still gets the problem answer, and still uses no account.
        using (var malformed = new HttpRequestMessage(HttpMethod.Get, $"/measure/scheduler?id_version=v1&id_bootstrap={proof}&id_cluster=not-a-uuid"))
        {
            malformed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", person.Token);
            using var refused = await service.Http.SendAsync(malformed);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        Assert.DoesNotContain((await account.GetAsync())!.ConsentHistory, entry => entry.How == Consents.ContinuedUse);

        // The same token on a route of the full stack is authenticated and uses the account: exactly one continued use.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(service.Http, person.Request(HttpMethod.Get, "/v1/me"))).Status);
        var accepted = Assert.Single((await account.GetAsync())!.ConsentHistory, entry => entry.How == Consents.ContinuedUse);
        Assert.Equal("2026-12-lean", accepted.PolicyVersion);
    }

    private static async Task AssertStoredAsync(NoticeService service, string cluster, string proof)
    {
        using var view = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", proof));
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        Assert.Contains(cluster, await view.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
