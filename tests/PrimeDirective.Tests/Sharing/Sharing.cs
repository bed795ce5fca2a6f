using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>What sharing tests do through the real gateway: register processors, order disclosures, read ledgers.</summary>
public static class Sharing
{
    public const string ProblemPrefix = "urn:prime-directive:problem:";

    public static string NewProcessorId() => $"proc-{Guid.NewGuid():N}";

    /// <summary>A processor body: account and identifier data for service provision, eu only, a year's contract from <paramref name="now"/>.</summary>
    public static Dictionary<string, object?> ProcessorBody(
        LoopbackProcessor processor, DateTimeOffset now, string[]? categories = null, string[]? regions = null, TimeSpan? contractLeft = null, string location = "eu", string[]? purposes = null) => new()
    {
        ["name"] = "Mailer Ltd",
        ["purposes"] = purposes ?? ["service-provision"],
        ["categories"] = categories ?? ["account", "identifier"],
        ["regions"] = regions ?? ["eu"],
        ["location"] = location,
        ["contract"] = new { reference = $"DPA-{Guid.NewGuid():N}", signedAt = now.AddDays(-30), expiresAt = now + (contractLeft ?? TimeSpan.FromDays(365)) },
        ["endpoint"] = processor.PackageUrl,
        ["erasureEndpoint"] = processor.ErasureUrl,
        ["secret"] = processor.Secret,
    };

    public static async Task<HttpResponseMessage> PutProcessorAsync(this SharingService service, string processorId, object body, HttpClient? via = null) =>
        await (via ?? service.Admin).SendAsync(service.Officer.Request(HttpMethod.Put, $"/v1/admin/processors/{processorId}", body));

    public static async Task<string> RegisterAsync(
        this SharingService service, LoopbackProcessor processor, string[]? categories = null, string[]? regions = null, string location = "eu", string[]? purposes = null, TimeSpan? contractLeft = null)
    {
        var id = NewProcessorId();
        using var put = await service.PutProcessorAsync(id, ProcessorBody(processor, service.Clock.GetUtcNow(), categories, regions, contractLeft, location, purposes));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return id;
    }

    public static object ForPerson(Person person, string basis, string recipient, string[]? categories = null, string rationale = "Needed to deliver the service the person signed up for.", string? protects = null, object? change = null) => new
    {
        subject = new { userId = person.UserId },
        recipient,
        basis,
        categories = categories ?? ["account"],
        rationale,
        protects,
        change,
    };

    public static async Task<HttpResponseMessage> DiscloseAsync(this SharingService service, object body) =>
        await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Post, "/v1/admin/disclosures", body));

    public static async Task<JsonNode> DisclosedAsync(this SharingService service, object body)
    {
        using var response = await service.DiscloseAsync(body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    public static async Task<JsonNode> RefusedAsync(this SharingService service, object body, string basis)
    {
        using var response = await service.DiscloseAsync(body);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal(ProblemPrefix + "basis-not-held-" + basis, (string?)problem["type"]);
        return problem;
    }

    public static async Task<JsonArray> LedgerAsync(this ServiceHost service, Person person)
    {
        using var response = await service.Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me/disclosures"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Json.ReadAsync(response)).AsArray();
    }

    public static async Task<JsonNode> VerifyAsync(this SharingService service, Person person)
    {
        using var response = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/disclosures/users/{person.UserId}/verification"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    public static async Task SetConsentAsync(this ServiceHost service, Person person, string purpose, bool granted)
    {
        using var response = await service.Http.SendAsync(person.Request(HttpMethod.Put, $"/v1/me/consents/{purpose}", new { granted }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The stored state under <paramref name="grainKey"/> as text; empty if there is none.</summary>
    public static async Task<string> StatePayloadAsync(this ServiceHost service, string grainKey) =>
        await service.Database.GrainStateJsonAsync(grainKey) ?? string.Empty;

    /// <summary>Grain-state rows and reminders of the grain keyed <paramref name="grainKey"/> (a package's, a subject's).</summary>
    public static Task<(long States, long Reminders)> RowsAsync(this ServiceHost service, string grainKey) =>
        Requests.Erasure.RowsOfGrainAsync(service.Database, grainKey);

    /// <summary>How many data keys the key store holds for <paramref name="grainKey"/> (a package has one of its own).</summary>
    public static Task<long> DataKeysAsync(this ServiceHost service, string grainKey) =>
        service.KeyStore.ScalarAsync<long>("select count(*) from data_keys where subject = @key", ("key", grainKey));

    /// <summary>The key of a pushed package's grain.</summary>
    public static string PushKey(JsonNode made, string region = "eu") => $"{region}/push-{(string)made["disclosure"]!["disclosureId"]!}";

    /// <summary>The key of a capability package's grain, from its URL.</summary>
    public static string CapabilityKey(JsonNode made, string region = "eu")
    {
        var url = (string)made["packageUrl"]!;
        return $"{region}/cap-{Grains.Interfaces.Keys.Capabilities.HashOf(url[(url.LastIndexOf('.') + 1)..])}";
    }

    /// <summary>Asks for the person's erasure; the receipt's capability URL.</summary>
    public static async Task<string> EraseAsync(this ServiceHost service, Person person)
    {
        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        return (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
    }

    /// <summary>A privacy request's view through its receipt URL.</summary>
    public static async Task<JsonNode> ReceiptAsync(this ServiceHost service, string receiptUrl)
    {
        using var response = await service.Http.GetAsync(receiptUrl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    /// <summary>Waits until the request reads <paramref name="status"/> (e.g. <c>completed</c>).</summary>
    public static Task<JsonNode> ReceiptWhenAsync(this ServiceHost service, string receiptUrl, string status) =>
        Eventually.ReturnsAsync(() => service.ReceiptAsync(receiptUrl), json => (string?)json["status"] == status, TimeSpan.FromSeconds(60), $"the request is {status}");

    /// <summary>Package pushes the processor received (each attempt), oldest first.</summary>
    public static List<LoopbackProcessor.Received> Packages(this LoopbackProcessor processor) =>
        [.. processor.Requests.Where(request => request.Path == "/packages")];
}
