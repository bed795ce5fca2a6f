using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.People;

/// <summary>The "told by someone else" collection path: third-party records, shown in access, correctable, erasable.</summary>
[Collection(TestCollections.SharedService)]
public sealed class ThirdPartyRecordTests(SharedService service)
{
    [Fact]
    public async Task A_third_party_record_is_kept_with_its_source_shown_in_access_corrected_erased_and_gone_with_the_account()
    {
        var (officer, officerHttp) = await OfficerAsync();
        var person = await service.SignUpAsync();
        var told = $"aws-account-{Guid.NewGuid():N}";

        string recordId;
        using (var add = await officerHttp.SendAsync(officer.Request(HttpMethod.Post, "/v1/admin/third-party-records",
            new { userId = person.UserId, source = "Example Cloud", kind = "provider-account-id", value = told })))
        {
            Assert.Equal(HttpStatusCode.Created, add.StatusCode);
            recordId = (string)(await Json.ReadAsync(add))["recordId"]!;
        }

        var item = RecordItem(await service.Http.GetMeAsync(person));
        Assert.Equal("third-party", (string)item["source"]!);
        Assert.Equal("third-party-record", (string)item["category"]!);
        Assert.True((bool)item["personal"]!);
        Assert.Null(item["expiresAt"]);
        var value = JsonNode.Parse((string)item["value"]!)!;
        Assert.Equal("Example Cloud", (string)value["source"]!);
        Assert.Equal(told, (string)value["value"]!);

        // Correctable by the person.
        var corrected = $"aws-account-{Guid.NewGuid():N}";
        using (var patch = await service.Http.SendAsync(person.Request(HttpMethod.Patch, $"/v1/me/third-party-records/{recordId}", new { value = corrected })))
        {
            Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        }

        var me = await service.Http.GetMeAsync(person);
        Assert.Equal(corrected, (string)JsonNode.Parse((string)RecordItem(me)["value"]!)!["value"]!);
        Assert.DoesNotContain(told, me.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(told));

        // Erasable on its own.
        using (var delete = await service.Http.SendAsync(person.Request(HttpMethod.Delete, $"/v1/me/third-party-records/{recordId}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.DoesNotContain((await service.Http.GetMeAsync(person))["account"]!["items"]!.AsArray(), entry => (string)entry!["category"]! == "third-party-record");
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(corrected));

        // And gone with the account.
        var again = $"company-{Guid.NewGuid():N}";
        using (var add = await officerHttp.SendAsync(officer.Request(HttpMethod.Post, "/v1/admin/third-party-records",
            new { userId = person.UserId, source = "Example Cloud", kind = "company", value = again })))
        {
            Assert.Equal(HttpStatusCode.Created, add.StatusCode);
        }

        var (_, receiptUrl) = await Erasure.EraseAsync(service, person);
        await Erasure.CompletedReceiptAsync(service.Http, receiptUrl, TimeSpan.FromSeconds(30));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(again));
    }

    [Fact]
    public async Task Only_officers_record_third_party_data_and_bad_or_unknown_subjects_change_nothing()
    {
        var (officer, officerHttp) = await OfficerAsync();
        var person = await service.SignUpAsync();
        var canary = $"canary-{Guid.NewGuid():N}";
        var body = new { userId = person.UserId, source = "Example Cloud", kind = "company", value = canary };

        using (var anonymous = await service.Http.PostAsync("/v1/admin/third-party-records", Json.Body(body)))
        using (var asPerson = await service.Http.SendAsync(person.Request(HttpMethod.Post, "/v1/admin/third-party-records", body)))
        using (var unknown = await officerHttp.SendAsync(officer.Request(HttpMethod.Post, "/v1/admin/third-party-records", body with { userId = "eu-" + Guid.NewGuid().ToString("N") })))
        using (var badKind = await officerHttp.SendAsync(officer.Request(HttpMethod.Post, "/v1/admin/third-party-records", body with { kind = "Free Text" })))
        using (var otherPersons = await service.Http.SendAsync(person.Request(HttpMethod.Delete, $"/v1/me/third-party-records/{Guid.NewGuid():N}")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, asPerson.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, badKind.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, otherPersons.StatusCode);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(canary));
        Assert.DoesNotContain(canary, LogText.All(service.Logs), StringComparison.Ordinal);
    }

    private static JsonNode RecordItem(JsonNode me) =>
        me["account"]!["items"]!.AsArray().Single(entry => (string)entry!["category"]! == "third-party-record")!;

    private async Task<(Person Officer, HttpClient Http)> OfficerAsync()
    {
        var officer = await service.SignUpAsync();
        var http = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        return (officer, http);
    }
}
