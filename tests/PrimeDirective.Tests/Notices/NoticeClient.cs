using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Notices;

/// <summary>The notice routes as the tests drive them.</summary>
internal static class NoticeClient
{
    public const string BreachTitle = "Security breach notice";

    public const string PolicyTitle = "Our privacy policy is changing";

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
        }
    }

    public static async Task<string> DeclareAsync(HttpClient admin, Person officer, object breach)
    {
        var (status, body) = await SendAsync(admin, officer.Request(HttpMethod.Post, "/v1/admin/breaches", breach));
        Assert.Equal(HttpStatusCode.Created, status);
        return (string)body!["id"]!;
    }

    /// <summary>The breach's counts once its fan-out is done everywhere.</summary>
    public static async Task<JsonNode> DoneAsync(HttpClient admin, Person officer, string breachId) =>
        (await Eventually.ReturnsAsync(
            async () => (await SendAsync(admin, officer.Request(HttpMethod.Get, $"/v1/admin/breaches/{breachId}"))).Body!,
            body => (bool)body["progress"]!["done"]!,
            TimeSpan.FromSeconds(60),
            "the breach's fan-out done"))["progress"]!;

    /// <summary>The notices of a kind a person holds.</summary>
    public static async Task<List<JsonNode>> NotificationsAsync(HttpClient http, Person person, string kind)
    {
        var (status, body) = await SendAsync(http, person.Request(HttpMethod.Get, "/v1/me/notifications"));
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. body!.AsArray().Where(notice => (string?)notice!["kind"] == kind).Select(notice => notice!)];
    }

    /// <summary>The emails with <paramref name="title"/> a person received.</summary>
    public static async Task<int> EmailsAsync(ServiceHost service, Person person, string title) =>
        (await service.Outbox.MessagesToAsync(person.Email)).Count(message => message.Subject == title);
}
