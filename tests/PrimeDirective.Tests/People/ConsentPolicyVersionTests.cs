using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.People;

/// <summary>A consent is recorded under the version of the policy it was given under: by default, the policy's own date.</summary>
[Collection(TestCollections.SharedService)]
public sealed class ConsentPolicyVersionTests(SharedService service)
{
    /// <summary>The date POLICY.md carries ("September 22, 2016"); the service sets no Accounts:PolicyVersion.</summary>
    private const string PolicyDate = "2016-09-22";

    [Fact]
    public async Task A_consent_recorded_without_configuration_carries_the_policys_date()
    {
        Assert.False(service.Settings.ContainsKey("Accounts:PolicyVersion"));
        var person = await service.SignUpAsync();

        using (var grant = await service.Http.SendAsync(person.Request(HttpMethod.Put, "/v1/me/consents/analytics", new { granted = true })))
        {
            Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        }

        var history = (await service.Http.GetMeAsync(person))["account"]!["consentHistory"]!.AsArray();
        var consent = Assert.Single(history);
        Assert.Equal("analytics", (string?)consent!["purpose"]);
        Assert.True((bool)consent["granted"]!);
        Assert.Equal(PolicyDate, (string?)consent["policyVersion"]);
    }
}
