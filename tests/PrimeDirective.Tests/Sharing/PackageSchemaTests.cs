using System.Net;
using Microsoft.OpenApi;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary><c>GET /v1/disclosure-packages/{token}</c> documents what it answers, and what it answers matches.</summary>
[Collection(SharingFixture.Name)]
public sealed class PackageSchemaTests(SharingService service)
{
    [Fact]
    public async Task The_package_route_documents_its_response_schema_and_a_served_package_matches_it()
    {
        var client = await OpenApiClient.LoadAsync(service.Http);
        var ok = client.Operation(HttpMethod.Get, "/v1/disclosure-packages/{token}").Responses!["200"];

        // Measured on the old code: the 200 had a media type and no schema at all.
        var schema = ok.Content!["application/json"].Schema;
        Assert.NotNull(schema);
        var properties = (schema.Properties ?? new Dictionary<string, IOpenApiSchema>()).Keys.ToHashSet();
        Assert.Superset(new HashSet<string> { "disclosureId", "disclosedAt", "subject", "recipient", "basis", "categories", "purpose", "items", "withheld" }, properties);

        // A real package, fetched as a recipient would through the document alone, is accepted by that schema.
        var person = await service.SignUpAsync();
        await service.SetConsentAsync(person, "third-party-sharing", granted: true);
        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Archive Partner", ["account", "identifier"]));
        var url = (string)made["packageUrl"]!;
        var (status, body) = await client.SendAsync(
            HttpMethod.Get, "/v1/disclosure-packages/{token}", route: new Dictionary<string, string> { ["token"] = url[(url.LastIndexOf('/') + 1)..] });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(person.Email, (string?)body!["items"]!.AsArray().Single(item => (string?)item!["itemId"] == "email")!["value"]);

        // A token that fits the pattern but opens nothing is the documented 404.
        var (missing, problem) = await client.SendAsync(
            HttpMethod.Get, "/v1/disclosure-packages/{token}", route: new Dictionary<string, string> { ["token"] = "eu." + new string('A', 43) });
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.DoesNotContain(person.Email, problem!.ToJsonString(), StringComparison.Ordinal);
    }
}
