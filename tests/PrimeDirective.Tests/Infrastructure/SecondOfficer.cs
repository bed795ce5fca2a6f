using System.Net;
using System.Net.Http.Headers;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// The two-person rule as tests that act as one officer go through it: a second officer (with an account of their own)
/// approves every proposal the first one's request answered with 202, and the test sees what the approval answered,
/// which is what the action's route answers. Tests of the rule itself start a gateway that names both officers instead.
/// </summary>
public sealed class SecondOfficer(Person officer) : OfficerFactorHandler
{
    /// <summary>The approving officer.</summary>
    public Person Officer { get; } = officer;

    /// <summary>Approves the proposal at <paramref name="proposal"/> (the 202's Location) as the second officer.</summary>
    public HttpRequestMessage Approval(Uri proposal) => Officer.Request(HttpMethod.Post, $"{proposal.OriginalString}/approval");

    private static string? UserIdOf(string? token) => token is null ? null : OfficerFactors.UserIdOf(token);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted || response.Headers.Location is not { } location ||
            !location.OriginalString.StartsWith("/v1/admin/proposals/", StringComparison.Ordinal) ||
            request.Headers.Authorization is not { Parameter: var token } || token == Officer.Token || UserIdOf(token) == Officer.UserId)
        {
            return response;
        }

        response.Dispose();
        using var approval = Approval(location);
        approval.RequestUri = new Uri(request.RequestUri!, approval.RequestUri!);
        return await base.SendAsync(approval, cancellationToken);
    }
}

/// <summary>Officer gateways for tests, with the second officer of <see cref="SecondOfficer"/>.</summary>
public static class Officers
{
    /// <summary>
    /// A gateway whose configuration names <paramref name="officerId"/> and a fresh second officer, and a client whose
    /// proposals (202 on <c>/v1/admin/</c>) the second officer approves at once.
    /// </summary>
    public static async Task<(HttpClient Admin, SecondOfficer Second)> StartOfficerGatewayAsync(
        this ServiceHost service, string officerId, IDictionary<string, string?>? overrides = null)
    {
        // In the first officer's region: a breach or an announcement that reaches them reaches both, and nobody else more.
        var second = await service.SignUpAsync(Grains.Interfaces.Keys.SubjectIds.Parse(officerId)?.Region ?? "eu");
        var settings = new Dictionary<string, string?>(overrides ?? new Dictionary<string, string?>(), StringComparer.Ordinal)
        {
            ["Auth:Officers:0"] = officerId,
            ["Auth:Officers:1"] = second.UserId,
        };
        settings.TryAdd("Orleans:Mode", "client");
        var address = (await service.StartGatewayOnAsync("http://127.0.0.1:0", settings)).Single();
        var approver = new SecondOfficer(second);
        var http = new HttpClient(approver) { BaseAddress = address };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("prime-directive-tests", "1"));
        return (http, approver);
    }
}
