using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.People;

[Collection(TestCollections.SharedService)]
public sealed class SignUpTests(SharedService service)
{
    private readonly HttpClient _http = service.Http;

    [Fact]
    public async Task Sign_up_sends_a_code_and_verifying_it_creates_the_account_and_a_working_token()
    {
        var (email, name) = (Infrastructure.People.NewEmail(), Infrastructure.People.NewName());

        using var signUp = await _http.PostAsync("/v1/users", Json.Body(new { email, name, region = "us", birthDate = "1990-05-17" }));
        Assert.Equal(HttpStatusCode.Accepted, signUp.StatusCode);

        // Nothing is an account yet: the pending sign-up lives in its email index entry only, which is not keyed by the address.
        var code = await service.Outbox.NextCodeAsync(email);
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(name));
        Assert.Equal(0, await service.Database.ScalarAsync<long>(
            "select count(*) from grain_state where grain_id_extension_string like '%' || @p || '%'", ("p", email)));

        var (userId, token) = await Infrastructure.People.VerifyAsync(_http, email, code);
        Assert.StartsWith("us-", userId, StringComparison.Ordinal);

        // The account holds the name now; the index entry only points at the account.
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(name));

        var person = new Person(email, name, "1990-05-17", "us", userId, token);
        var me = await _http.GetMeAsync(person);
        Assert.Equal(userId, (string?)me["account"]!["userId"]);
        Assert.Equal("us", (string?)me["account"]!["region"]);
        Assert.Equal(name, (string?)me["account"]!["profile"]!["name"]);
        Assert.Equal(email, (string?)me["account"]!["profile"]!["email"]);
        Assert.Equal("1990-05-17", (string?)me["account"]!["profile"]!["birthDate"]);
        var emailItem = me["account"]!["items"]!.AsArray().Single(item => (string?)item!["itemId"] == "email")!;
        Assert.Equal("account", (string?)emailItem["category"]);
        Assert.Equal("direct", (string?)emailItem["source"]);
        Assert.True((bool)emailItem["personal"]!);
        Assert.Null(emailItem["expiresAt"]);

        // The code was single-use.
        using var again = await _http.PostAsync("/v1/sessions/verify", Json.Body(new { email, code }));
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task Sign_in_sends_a_fresh_code_to_a_known_address_and_nothing_to_an_unknown_one()
    {
        var person = await service.SignUpAsync();
        var unknown = Infrastructure.People.NewEmail("unknown");

        using var known = await _http.PostAsync("/v1/sessions", Json.Body(new { email = person.Email }));
        using var stranger = await _http.PostAsync("/v1/sessions", Json.Body(new { email = unknown }));
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, stranger.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(), await stranger.Content.ReadAsStringAsync());

        var code = await service.Outbox.NextCodeAsync(person.Email, seen: 1);
        var (userId, _) = await Infrastructure.People.VerifyAsync(_http, person.Email, code);
        Assert.Equal(person.UserId, userId);
        Assert.Empty(await service.Outbox.MessagesToAsync(unknown));
    }
}
