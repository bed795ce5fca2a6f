using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Auth;

/// <summary>
/// <c>Auth:SigningKey</c> rotation (issue 23): gateways configured with several versions sign with the newest and accept
/// any configured, so a token signed with the previous key keeps working through the rotation; once that version is
/// removed (retired), its tokens get 401 while the new key's tokens still work.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class SigningKeyRotationTests(SharedService service)
{
    [Fact]
    public async Task A_token_signed_with_the_previous_key_works_until_that_key_is_retired_then_401()
    {
        var (previous, next) = (NewKey(), NewKey());
        var before = await service.StartGatewayAsync(Keys(("1", previous)));
        var during = await service.StartGatewayAsync(Keys(("1", previous), ("2", next)));
        var after = await service.StartGatewayAsync(Keys(("2", next)));

        // A person signed in before the rotation holds a token of version 1.
        var person = await service.SignUpAsync(http: before);
        Assert.Equal("1", new JsonWebToken(person.Token).Kid);

        // During the rotation it still works, and a new sign-in gets a token of version 2 (which the old gateway never knew).
        Assert.Equal(HttpStatusCode.OK, await MeAsync(during, person.Token));
        using (var signIn = await during.PostAsync("/v1/sessions", Json.Body(new { email = person.Email })))
        {
            Assert.Equal(HttpStatusCode.Accepted, signIn.StatusCode);
        }

        var (_, token) = await Infrastructure.People.VerifyAsync(during, person.Email, await service.Outbox.NextCodeAsync(person.Email, seen: 1));
        Assert.Equal("2", new JsonWebToken(token).Kid);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(during, token));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(before, token));

        // Version 1 retired: its token is refused, the new one is not; a key never configured is refused everywhere.
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(after, person.Token));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(after, token));
        var forged = ForgedToken(person.Token);
        foreach (var gateway in new[] { before, during, after })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(gateway, forged));
        }
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A client gateway whose only signing keys are <paramref name="keys"/> (the fixture's single key removed).</summary>
    private static Dictionary<string, string?> Keys(params (string Version, string Key)[] keys)
    {
        var settings = new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:SigningKey"] = string.Empty };
        foreach (var (version, key) in keys)
        {
            settings[$"Auth:SigningKeys:{version}"] = key;
        }

        return settings;
    }

    /// <summary>The same claims, signed with a key no gateway has.</summary>
    private static string ForgedToken(string token)
    {
        var parts = token.Split('.');
        var signature = HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        return $"{parts[0]}.{parts[1]}.{Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
    }

    private static async Task<HttpStatusCode> MeAsync(HttpClient gateway, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await gateway.SendAsync(request);
        return response.StatusCode;
    }
}
