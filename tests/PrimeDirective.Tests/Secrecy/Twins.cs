using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Secrecy;

/// <summary>
/// What a person can see, taken so that two people's views compare: their own ids, addresses and names, every other id,
/// every instant and every form token are replaced by placeholders.
/// </summary>
public static partial class Twins
{
    /// <summary>The person's own pages, as the Privacy Center's navigation lists them.</summary>
    public static readonly string[] PersonPages = ["/privacy/me", "/privacy/me/profile", "/privacy/me/consents", "/privacy/me/clusters", "/privacy/me/notices", "/privacy/me/erase"];

    /// <summary><paramref name="text"/> with <paramref name="person"/>'s identity and every id, instant and token replaced.</summary>
    public static string Normalise(string text, Person? person = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (person is not null)
        {
            text = text.Replace(person.UserId, "<user>", StringComparison.Ordinal)
                .Replace(person.Email, "<email>", StringComparison.OrdinalIgnoreCase)
                .Replace(person.Name, "<name>", StringComparison.Ordinal);
        }

        text = Token().Replace(text, "value=\"<token>\"");
        text = Capability().Replace(text, "capability=<capability>");
        text = Instant().Replace(text, "<instant>");
        text = PageInstant().Replace(text, "<instant>");
        text = KeyFingerprint().Replace(text, "\"keyFingerprint\":\"<fingerprint>\"");
        return Id().Replace(text, "<id>");
    }

    /// <summary>Every answer <paramref name="person"/> gets from the API about themselves, normalised, by route.</summary>
    public static async Task<Dictionary<string, string>> AnswersAsync(HttpClient http, Person person)
    {
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in new[] { "/v1/me", "/v1/me?download=1", "/v1/me/disclosures", "/v1/me/notifications" })
        {
            using var response = await http.SendAsync(person.Request(HttpMethod.Get, path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var disposition = response.Content.Headers.ContentDisposition?.ToString() ?? "-";
            answers[path] = Normalise($"{disposition}\n{await response.Content.ReadAsStringAsync()}", person);
        }

        return answers;
    }

    /// <summary>Every page of the person's own, as the browser got it, normalised, by path.</summary>
    public static async Task<Dictionary<string, string>> PagesAsync(IPage page, Person person)
    {
        var pages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in PersonPages)
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(200, response!.Status);
            pages[path] = Normalise(await page.ContentAsync(), person);
        }

        // The export the "What we hold" page offers, as the browser downloads it.
        await page.GotoAsync(PersonPages[0]);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download everything (JSON)" }).ClickAsync());
        pages["export"] = Normalise($"{download.SuggestedFilename}\n{await File.ReadAllTextAsync((await download.PathAsync())!)}", person);
        return pages;
    }

    /// <summary>Asserts two views are the same, naming the first one that differs.</summary>
    public static void AssertSame(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, text) in expected)
        {
            Assert.True(text == actual[key], $"{key} differs.\nExpected:\n{text}\nActual:\n{actual[key]}");
        }
    }

    [GeneratedRegex("value=\"CfDJ8[^\"]*\"")]
    private static partial Regex Token();

    [GeneratedRegex("capability=[A-Za-z0-9_-]+")]
    private static partial Regex Capability();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")]
    private static partial Regex Instant();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")]
    private static partial Regex PageInstant();

    [GeneratedRegex("\"keyFingerprint\":\"[^\"]*\"")]
    private static partial Regex KeyFingerprint();

    [GeneratedRegex("[a-z]+-[0-9a-f]{32}")]
    private static partial Regex Id();
}
