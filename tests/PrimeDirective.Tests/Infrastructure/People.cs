using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>A person with an account, as the tests drive one: fresh address, their user id and token.</summary>
public sealed record Person(string Email, string Name, string BirthDate, string Region, string UserId, string Token)
{
    public HttpRequestMessage Request(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json.Body(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return request;
    }
}

/// <summary>Sign-up and sign-in through the real gateway, with codes read from the outbox.</summary>
public static class People
{
    public const string AdultBirthDate = "1984-02-29";

    public static string NewEmail(string label = "person") => $"{label}-{Guid.NewGuid():N}@example.test";

    public static string NewName() => $"Name {Guid.NewGuid():N}";

    /// <summary>Signs up a fresh person in <paramref name="region"/> and verifies the code: an account, a token.</summary>
    public static async Task<Person> SignUpAsync(this ServiceHost service, string region = "eu", HttpClient? http = null)
    {
        http ??= service.Http;
        var (email, name) = (NewEmail(), NewName());
        using var signUp = await http.PostAsync("/v1/users", Json.Body(new { email, name, region, birthDate = AdultBirthDate }));
        Assert.Equal(HttpStatusCode.Accepted, signUp.StatusCode);
        var code = await service.Outbox.NextCodeAsync(email);
        var (userId, token) = await VerifyAsync(http, email, code);
        return new Person(email, name, AdultBirthDate, region, userId, token);
    }

    public static async Task<(string UserId, string Token)> VerifyAsync(HttpClient http, string email, string code)
    {
        using var verify = await http.PostAsync("/v1/sessions/verify", Json.Body(new { email, code }));
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        var session = await Json.ReadAsync(verify);
        return ((string)session["userId"]!, (string)session["token"]!);
    }

    public static async Task<JsonNode> GetMeAsync(this HttpClient http, Person person)
    {
        using var response = await http.SendAsync(person.Request(HttpMethod.Get, "/v1/me"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }
}
