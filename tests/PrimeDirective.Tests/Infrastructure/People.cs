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

    /// <summary>The subject of the message that carries a step-up code to erase an account.</summary>
    public const string StepUpSubject = "Your code to erase your Prime Directive account";

    /// <summary>Asks for a step-up code to erase <paramref name="person"/>'s account and reads it from the outbox.</summary>
    public static async Task<string> StepUpCodeAsync(this ServiceHost service, Person person, HttpClient? http = null)
    {
        http ??= service.Http;
        var seen = await service.StepUpCodesSentAsync(person.Email);
        using (var response = await http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/step-up", new { action = "erase-account" })))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        return await service.NextStepUpCodeAsync(person.Email, seen);
    }

    /// <summary>The step-up codes <paramref name="email"/> has received so far.</summary>
    public static async Task<IReadOnlyCollection<string>> StepUpCodesSentAsync(this ServiceHost service, string email) =>
        (await StepUpMessagesAsync(service, email)).Select(TestOutbox.CodeIn).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The one step-up code <paramref name="email"/> received that is not among <paramref name="seen"/>. Chosen by code, not
    /// by position: a message delivered again (at least once) carries its old code and may be written after a newer one,
    /// and files written in one millisecond sort by a random id, so the newest file need not hold the newest code.
    /// </summary>
    public static async Task<string> NextStepUpCodeAsync(this ServiceHost service, string email, IReadOnlyCollection<string> seen)
    {
        var messages = await Eventually.ReturnsAsync(
            () => StepUpMessagesAsync(service, email), all => NewCodes(all, seen).Count > 0, TimeSpan.FromSeconds(30), "a new step-up code in the outbox");
        return Assert.Single(NewCodes(messages, seen));
    }

    /// <summary>The distinct codes of <paramref name="messages"/> not among <paramref name="seen"/>.</summary>
    internal static List<string> NewCodes(IEnumerable<MimeKit.MimeMessage> messages, IReadOnlyCollection<string> seen) =>
        [.. messages.Select(TestOutbox.CodeIn).Where(code => !seen.Contains(code)).Distinct(StringComparer.Ordinal)];

    /// <summary><c>DELETE /v1/me</c> with a fresh step-up code in <c>X-Step-Up-Code</c>, as a person erasing themselves sends it.</summary>
    public static async Task<HttpRequestMessage> EraseRequestAsync(this ServiceHost service, Person person, HttpClient? http = null)
    {
        var request = person.Request(HttpMethod.Delete, "/v1/me");
        request.Headers.Add("X-Step-Up-Code", await service.StepUpCodeAsync(person, http));
        return request;
    }

    /// <summary>Sends <c>DELETE /v1/me</c> with a fresh step-up code; the caller checks the answer.</summary>
    public static async Task<HttpResponseMessage> SendEraseAsync(this ServiceHost service, Person person, HttpClient? http = null)
    {
        using var request = await service.EraseRequestAsync(person, http);
        return await (http ?? service.Http).SendAsync(request);
    }

    private static async Task<List<MimeKit.MimeMessage>> StepUpMessagesAsync(ServiceHost service, string email) =>
        [.. (await service.Outbox.MessagesToAsync(email)).Where(message => message.Subject == StepUpSubject)];

    public static async Task<JsonNode> GetMeAsync(this HttpClient http, Person person)
    {
        using var response = await http.SendAsync(person.Request(HttpMethod.Get, "/v1/me"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }
}
