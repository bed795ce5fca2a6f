using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>The Privacy Center's sessions and headers: antiforgery, cookie flags, CSP, sign-out, and others' pages.</summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class SecurityTests(PrivacyCenterService service)
{
    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused_and_changes_nothing()
    {
        var page = await service.NewPageAsync();
        await service.SignUpAsync(page);

        // The browser's own cookies (session and antiforgery) go with it, as they would from a forged form; the token does not.
        var forged = await page.APIRequest.PostAsync("/privacy/me/consents", new APIRequestContextOptions
        {
            Form = FormWith(("purpose", "usage-statistics"), ("granted", "false")),
            MaxRedirects = 0,
        });
        Assert.Equal(400, forged.Status);
        var erase = await page.APIRequest.PostAsync("/privacy/me/erase", new APIRequestContextOptions { Form = FormWith(("confirm", "true")), MaxRedirects = 0 });
        Assert.Equal(400, erase.Status);

        await page.GotoAsync("/privacy/me/consents");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Withdraw consent to usage-statistics" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("You have not granted or withdrawn any consent yet.");
        await page.GotoAsync("/privacy/me");
        await Expect(page.Heading("What we hold about you")).ToBeVisibleAsync();
        await page.Context.CloseAsync();

        IFormData FormWith(params (string Name, string Value)[] fields)
        {
            var form = page.APIRequest.CreateFormData();
            foreach (var (name, value) in fields)
            {
                form.Set(name, value);
            }

            return form;
        }
    }

    [Fact]
    public async Task The_session_cookie_is_HttpOnly_Secure_SameSite_Strict_and_nothing_goes_to_script_storage()
    {
        var page = await service.NewPageAsync();
        await service.SignUpAsync(page);
        var cookies = await page.Context.CookiesAsync();
        var session = Assert.Single(cookies, cookie => cookie.Name == "pd_session");
        Assert.True(session.HttpOnly);
        Assert.True(session.Secure);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.Equal("/privacy", session.Path);
        Assert.All(cookies, cookie => Assert.True(cookie.HttpOnly && cookie.Secure && cookie.SameSite == SameSiteAttribute.Strict, cookie.Name));

        Assert.Equal(string.Empty, await page.EvaluateAsync<string>("() => document.cookie"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Every_page_sends_the_strict_CSP_and_no_referrer_and_an_injected_inline_script_does_not_run()
    {
        var page = await service.NewPageAsync();
        foreach (var path in new[] { "/privacy", "/privacy/sign-up", "/privacy/me", "/privacy/requests/eu-unknown" })
        {
            var response = await page.GotoAsync(path);
            var headers = await response!.AllHeadersAsync();
            Assert.Equal("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", headers["content-security-policy"]);
            Assert.Equal("no-referrer", headers["referrer-policy"]);
            Assert.Equal("no-store", headers["cache-control"]);
        }

        // No page carries a script, and markup slipped into one (as an injection would) is not run under the page's CSP.
        Assert.Equal(0, await page.Locator("script").CountAsync());
        await page.RouteAsync("**/privacy/policy", async route =>
        {
            var real = await route.FetchAsync();
            var body = (await real.TextAsync()).Replace("</main>", "<script>document.title = 'injected';</script></main>", StringComparison.Ordinal);
            await route.FulfillAsync(new RouteFulfillOptions { Response = real, Body = body });
        });
        var blocked = new List<string>();
        page.Console += (_, message) => blocked.Add(message.Text);
        await page.GotoAsync("/privacy/policy");
        await Expect(page.Heading("Our privacy policy")).ToBeVisibleAsync();
        Assert.Equal(1, await page.Locator("script").CountAsync());
        Assert.NotEqual("injected", await page.TitleAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Signing_out_ends_the_session_at_once_even_for_a_copy_of_its_cookie()
    {
        var page = await service.NewPageAsync();
        await service.SignUpAsync(page);
        var copy = Assert.Single(await page.Context.CookiesAsync(), cookie => cookie.Name == "pd_session");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("You are signed out");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), cookie => cookie.Name == "pd_session");

        // The same token replayed from another browser: refused, as if there were none.
        var replay = await service.NewPageAsync();
        await replay.Context.AddCookiesAsync([new Cookie { Name = copy.Name, Value = copy.Value, Domain = copy.Domain, Path = copy.Path, Secure = true, HttpOnly = true, SameSite = SameSiteAttribute.Strict }]);
        await replay.GotoAsync("/privacy/me");
        await Expect(replay.Heading("Sign in")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
        await replay.Context.CloseAsync();
    }

    [Fact]
    public async Task Another_persons_receipt_answers_like_an_unknown_one()
    {
        var owner = await service.NewPageAsync();
        var (ownerEmail, _) = await service.SignUpAsync(owner);
        await service.EraseOnPageAsync(owner, ownerEmail);
        var receipt = new Uri(owner.Url);
        var requestPath = receipt.AbsolutePath;
        var requestId = requestPath[(requestPath.LastIndexOf('/') + 1)..];

        var other = await service.NewPageAsync();
        await service.SignUpAsync(other);
        var unknown = await AnswerAsync(other, $"/privacy/requests/{requestId[..3]}{Guid.NewGuid():N}");
        Assert.Equal(404, unknown.Status);
        foreach (var probe in new[] { requestPath, $"{requestPath}?capability={Guid.NewGuid():N}", $"{requestPath}?capability=" })
        {
            var answer = await AnswerAsync(other, probe);
            Assert.Equal(unknown, answer);
        }

        // Its holder still reads it.
        Assert.Equal(200, (await owner.GotoAsync(receipt.PathAndQuery))!.Status);
        await owner.Context.CloseAsync();
        await other.Context.CloseAsync();
    }

    private static async Task<(int Status, string Text)> AnswerAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path);
        return (response!.Status, await page.Locator("main").InnerTextAsync());
    }
}
