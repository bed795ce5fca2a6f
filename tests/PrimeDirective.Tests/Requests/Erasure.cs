using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Requests;

/// <summary>What erasure tests share: the receipt read through its capability URL, and the checks that nothing is left.</summary>
internal static class Erasure
{
    /// <summary>Reads a receipt anonymously (no token): status code and raw body.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> ReadReceiptAsync(HttpClient http, string receiptUrl)
    {
        using var response = await http.GetAsync(receiptUrl);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until the receipt says <c>completed</c>; returns its body.</summary>
    public static async Task<JsonNode> CompletedReceiptAsync(HttpClient http, string receiptUrl, TimeSpan deadline)
    {
        var (_, body) = await Eventually.ReturnsAsync(
            () => ReadReceiptAsync(http, receiptUrl),
            receipt => receipt.Status == HttpStatusCode.OK && (string?)JsonNode.Parse(receipt.Body)!["status"] == "completed",
            deadline,
            "the erasure's receipt says completed");
        return JsonNode.Parse(body)!;
    }

    /// <summary>Sends DELETE /v1/me (with a fresh step-up code) and checks the 202: request id, receipt URL and Location.</summary>
    public static async Task<(string RequestId, string ReceiptUrl)> EraseAsync(ServiceHost service, Person person)
    {
        using var delete = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        var accepted = await Json.ReadAsync(delete);
        var requestId = (string)accepted["requestId"]!;
        var receiptUrl = (string)accepted["receiptUrl"]!;
        Assert.StartsWith($"{person.Region}-", requestId, StringComparison.Ordinal);
        Assert.StartsWith($"/v1/privacy-requests/{requestId}?capability=", receiptUrl, StringComparison.Ordinal);
        Assert.Equal(receiptUrl, delete.Headers.Location?.OriginalString);
        Assert.True((string?)accepted["status"] is "accepted" or "in-progress", "a new request is accepted or already running");
        return (requestId, receiptUrl);
    }

    /// <summary>The receipts of a request, as (subject, region, counts by category).</summary>
    public static List<(string Subject, string Region, Dictionary<string, int> Counts)> Receipts(JsonNode receipt, string requestId) =>
        [.. receipt["receipts"]!.AsArray().Select(item =>
        {
            Assert.Equal(requestId, (string?)item!["requestId"]);
            Assert.NotNull(item["completedAt"]);
            var counts = item["itemsByCategory"]!.AsObject().ToDictionary(pair => pair.Key, pair => (int)pair.Value!, StringComparer.Ordinal);
            return ((string)item["subject"]!, (string)item["region"]!, counts);
        })];

    /// <summary>Asserts that no row of any table contains any of <paramref name="needles"/> (naming the ones found).</summary>
    public static async Task AssertNoRowContainsAsync(TestDatabase database, params string[] needles)
    {
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var needle in needles)
        {
            if (await database.CountRowsContainingAsync(needle) is var rows and > 0)
            {
                found[needle] = rows;
            }
        }

        Assert.Empty(found);
    }

    /// <summary>Asserts that every needle is found in at least one row now (so a later zero means it was destroyed).</summary>
    public static async Task AssertEveryNeedleStoredAsync(TestDatabase database, params string[] needles)
    {
        var missing = new List<string>();
        foreach (var needle in needles)
        {
            if (await database.CountRowsContainingAsync(needle) == 0)
            {
                missing.Add(needle);
            }
        }

        Assert.Empty(missing);
    }

    /// <summary>Asserts the receipt's JSON names none of <paramref name="needles"/>.</summary>
    public static void AssertReceiptNamesNone(JsonNode receipt, params string[] needles)
    {
        var text = receipt.ToJsonString();
        Assert.All(needles, needle => Assert.DoesNotContain(needle, text, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Grain-state rows and reminder rows of a grain key (a subject's pseudonymous key).</summary>
    public static async Task<(long States, long Reminders)> RowsOfGrainAsync(TestDatabase database, string grainKey) =>
        (await database.ScalarAsync<long>("select count(*) from grain_state where grain_id_extension_string = @key", ("key", grainKey)),
         await database.ScalarAsync<long>("select count(*) from reminder where strpos(grain_id, @key) > 0", ("key", grainKey)));

    /// <summary>The service's subject keys, computed with its pseudonym key (as the silos do).</summary>
    public static (UserKeys Users, ClusterKeys Clusters) KeysOf(ServiceHost service)
    {
        var pseudonymizer = new Pseudonymizer(Options.Create(new PrivacyOptions { PseudonymKey = service.Settings["Privacy:PseudonymKey"] }));
        return (new UserKeys(pseudonymizer), new ClusterKeys(pseudonymizer));
    }

    /// <summary>A JSON report that came through the trusted proxy on behalf of <paramref name="forwardedFor"/>.</summary>
    public static HttpRequestMessage ForwardedJsonReport(string path, string bootstrapId, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json.Body(Json.Report(bootstrapId, $"r-{Guid.NewGuid():N}")) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    /// <summary>Sends <paramref name="request"/> (disposing it) and asserts the status.</summary>
    public static async Task SendAsync(HttpClient http, HttpRequestMessage request, HttpStatusCode expected)
    {
        using (request)
        using (var response = await http.SendAsync(request))
        {
            Assert.Equal(expected, response.StatusCode);
        }
    }

    /// <summary>Links a cluster to the person (proof: its bootstrap id) and returns the region it was found in.</summary>
    public static async Task<string> LinkAsync(HttpClient http, Person person, string clusterId, string bootstrapId)
    {
        using var link = await http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId, bootstrapId }));
        Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        var linked = await Json.ReadAsync(link);
        Assert.Equal(clusterId, (string?)linked["clusterId"]);
        return (string)linked["region"]!;
    }
}
