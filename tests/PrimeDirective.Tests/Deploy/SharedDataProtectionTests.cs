using System.Net;
using System.Text.RegularExpressions;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Deploy;

/// <summary>
/// Replicas that agree: two gateway processes, each with a filesystem of its own as two pods have, share one Data
/// Protection key ring in PostgreSQL, so a Privacy Center form rendered by one is accepted when posted to the other,
/// while a tampered token is still refused.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed partial class SharedDataProtectionTests(SharedService service)
{
    private const string TokenField = "__pd_antiforgery";

    [Fact]
    public async Task A_form_rendered_by_one_gateway_process_is_accepted_by_another_and_a_tampered_one_is_not()
    {
        await using var first = await GatewayProcess.StartAsync(service);
        await using var second = await GatewayProcess.StartAsync(service);
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        var email = $"replicas-{Guid.NewGuid():N}@example.org";
        var tampered = $"tampered-{Guid.NewGuid():N}@example.org";

        var (cookie, token) = await RenderSignUpAsync(http, first.Address);
        using var tamperedPost = await http.SendAsync(SignUp(second.Address, cookie, token[..^4] + "AAAA", tampered));
        using var accepted = await http.SendAsync(SignUp(second.Address, cookie, token, email));

        Assert.Equal(HttpStatusCode.BadRequest, tamperedPost.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains("Check your email", await accepted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(await service.Outbox.NextMessageAsync(email, seen: 0));
        Assert.Empty(await service.Outbox.MessagesToAsync(tampered));

        // The ring is in the cluster database, not in either process's home (a pod's read-only root has none).
        Assert.True(await service.Database.ScalarAsync<long>("select count(*) from data_protection_key") >= 1);
        Assert.All(new[] { first.Home, second.Home }, home => Assert.False(Directory.Exists(Path.Combine(home, ".aspnet")), $"keys were written under {home}"));
    }

    /// <summary>The sign-up page as a browser gets it: the antiforgery cookie and the form's token.</summary>
    private static async Task<(string Cookie, string Token)> RenderSignUpAsync(HttpClient http, Uri gateway)
    {
        using var page = await http.GetAsync(new Uri(gateway, "/privacy/sign-up"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var cookie = Assert.Single(page.Headers.GetValues("Set-Cookie"), header => header.StartsWith("pd_antiforgery=", StringComparison.Ordinal)).Split(';')[0];
        var token = TokenInput().Match(await page.Content.ReadAsStringAsync()).Groups["token"].Value;
        Assert.NotEmpty(token);
        return (cookie, token);
    }

    private static HttpRequestMessage SignUp(Uri gateway, string cookie, string token, string email)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "/privacy/sign-up"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["email"] = email,
                ["name"] = "Replica Reader",
                ["birthDate"] = "1990-04-02",
                ["region"] = "eu",
                [TokenField] = token,
            }),
        };
        request.Headers.Add("Cookie", cookie);
        return request;
    }

    [GeneratedRegex("name=\"__pd_antiforgery\" type=\"hidden\" value=\"(?<token>[^\"]+)\"|type=\"hidden\" name=\"__pd_antiforgery\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex TokenInput();
}
