using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Secrecy;

/// <summary>A legal <c>disclose</c> decision hands the deciding officer the package's URL, once: the authority can fetch what was disclosed.</summary>
[Collection(SecrecyFixture.Name)]
public sealed class LegalPackageTests(SecrecyService service)
{
    private const string Rationale = "The warrant is valid, specific and within the court's authority; the law requires us to comply.";

    [Fact]
    public async Task The_decision_answers_the_packages_capability_url_once_and_it_serves_the_disclosed_data()
    {
        var person = await service.SignUpAsync();
        var requestId = (string)(await service.ReceiveLegalRequestAsync(person, $"WAR-{Guid.NewGuid():N}", gagUntil: null))["request"]!["requestId"]!;

        var decided = await service.DecideLegalRequestAsync(requestId, "disclose", Rationale);
        var packageUrl = (string?)decided["packageUrl"];
        Assert.NotNull(packageUrl);
        Assert.StartsWith("/v1/disclosure-packages/", packageUrl, StringComparison.Ordinal);
        Assert.True((DateTimeOffset)decided["packageExpiresAt"]! > service.Clock.GetUtcNow());

        // Whoever holds the URL (the authority) gets the disclosed data, without an account.
        using (var anonymous = new HttpClient { BaseAddress = service.Http.BaseAddress })
        using (var package = await anonymous.GetAsync(packageUrl))
        {
            Assert.Equal(HttpStatusCode.OK, package.StatusCode);
            var body = await Json.ReadAsync(package);
            Assert.Equal("legal", (string?)body["basis"]);
            Assert.Equal(decided["disclosureId"]!.ToString(), (string?)body["disclosureId"]);
            Assert.Contains(person.Email, body.ToJsonString(), StringComparison.Ordinal);
        }

        // Once: the request's view never carries it, nor does the same decision sent again; nothing stores the secret.
        Assert.Null((await service.LegalRequestAsync(requestId))["packageUrl"]);
        var again = await service.DecideLegalRequestAsync(requestId, "disclose", Rationale);
        Assert.Null(again["packageUrl"]);
        Assert.Equal(decided["disclosureId"]!.ToString(), again["disclosureId"]!.ToString());
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(packageUrl!.Split('.')[^1]));

        // A rejection makes no package.
        var other = await service.SignUpAsync();
        var rejectedId = (string)(await service.ReceiveLegalRequestAsync(other, $"WAR-{Guid.NewGuid():N}", gagUntil: null))["request"]!["requestId"]!;
        var rejected = await service.DecideLegalRequestAsync(rejectedId, "reject", "The warrant names another person.");
        Assert.Null(rejected["packageUrl"]);
        Assert.Null(rejected["disclosureId"]);
    }
}
