using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.PrivacyCenter;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.Auth;

/// <summary>
/// A session ended by signing out of the Privacy Center, or by erasure, is refused on every route, its token sent as a
/// bearer too (issue 19, point 13): from the next request on the gateway that ended it, and on another gateway of the same
/// cluster within its check period (a design bound of 5 s; the test waits with a deadline, it does not time anything).
/// </summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class SignOutEverywhereTests(PrivacyCenterService service)
{
    [Fact]
    public async Task A_signed_out_pages_token_is_refused_as_a_bearer_on_me_and_admin_routes_of_both_gateways_and_other_tokens_still_work()
    {
        var officer = await service.SignUpAsync();
        var officers = new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId };
        var (first, second) = (await service.StartGatewayAsync(officers), await service.StartGatewayAsync(officers));

        // The officer signs in to the Privacy Center through the first gateway; the cookie carries the session's token.
        var page = await service.NewPageAsync(first.BaseAddress);
        await service.SignInAsync(page, officer.Email);
        var token = Assert.Single(await page.Context.CookiesAsync(), cookie => cookie.Name == "pd_session").Value;

        // Before signing out the token works as a bearer everywhere (and the second gateway has checked it once).
        foreach (var gateway in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/v1/me", token));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/v1/admin/processors", token));
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You are signed out");

        // The gateway that ended it refuses the token from the next request, on the person's and the officers' routes.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(first, "/v1/me", token));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(first, "/v1/admin/processors", token));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(first, "/v1/me/notifications", token));

        // The other gateway refuses it once its check period has passed.
        foreach (var path in new[] { "/v1/me", "/v1/admin/processors" })
        {
            await Eventually.ReturnsAsync(
                () => StatusAsync(second, path, token),
                status => status == HttpStatusCode.Unauthorized,
                TimeSpan.FromSeconds(30),
                $"the signed-out token refused on {path} by the other gateway");
        }

        // Only that session ended: the officer's other token works on both gateways.
        foreach (var gateway in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/v1/me", officer.Token));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, "/v1/admin/processors", officer.Token));
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_pages_token_of_an_erased_account_is_refused_as_a_bearer_on_every_gateway_at_once()
    {
        var (first, second) = (service.Http, await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client" }));
        var person = await service.SignUpAsync();
        var page = await service.NewPageAsync(first.BaseAddress);
        await service.SignInAsync(page, person.Email);
        var token = Assert.Single(await page.Context.CookiesAsync(), cookie => cookie.Name == "pd_session").Value;
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(second, "/v1/me", token));

        await service.EraseOnPageAsync(page, person.Email);

        foreach (var gateway in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(gateway, "/v1/me", token));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(gateway, "/v1/me", person.Token));
        }

        await page.Context.CloseAsync();
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient gateway, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await gateway.SendAsync(request);
        return response.StatusCode;
    }
}
