using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>The disclosure ledger: every disclosure is an entry the subject sees, hash-chained so that an edit is detected.</summary>
[Collection(SharingFixture.Name)]
public sealed class LedgerTests(SharingService service)
{
    private static readonly string[] s_usage = ["usage"];
    private static readonly string[] s_usageAndAddress = ["usage", "ip-address"];

    [Fact]
    public async Task The_person_sees_every_disclosure_of_their_data_and_nobody_else_sees_it()
    {
        var person = await service.SignUpAsync();
        var other = await service.SignUpAsync();
        var recipient = $"Safety Board {Guid.NewGuid():N}";
        await service.DisclosedAsync(Sharing.ForPerson(
            person, "harm-prevention", recipient, ["account", "identifier"], "Needed to stop an ongoing fraud against other users of the service.", "other-users"));

        var entry = Assert.Single(await service.LedgerAsync(person));
        Assert.Equal(recipient, (string?)entry!["recipient"]);
        Assert.Equal("harm-prevention", (string?)entry["basis"]);
        Assert.Equal(["account", "identifier"], entry["categories"]!.AsArray().Select(category => (string?)category));
        Assert.NotNull(entry["at"]);

        // Another person sees only their own ledger; nobody without a token sees any.
        Assert.Empty(await service.LedgerAsync(other));
        using var anonymous = await service.Http.GetAsync("/v1/me/disclosures");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        // A person's token is no officer's: the verification route refuses it.
        using var asPerson = await service.Admin.SendAsync(other.Request(HttpMethod.Get, $"/v1/admin/disclosures/users/{person.UserId}/verification"));
        Assert.Equal(HttpStatusCode.Forbidden, asPerson.StatusCode);
    }

    [Fact]
    public async Task The_chain_verifies_and_an_entry_altered_in_the_database_fails_verification()
    {
        var person = await service.SignUpAsync();
        await service.SetConsentAsync(person, "third-party-sharing", granted: true);
        var first = await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Research Partner A"));
        await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Research Partner B"));
        await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Research Partner C"));

        var ledger = await service.LedgerAsync(person);
        Assert.Equal(3, ledger.Count);
        Assert.Equal((string?)ledger[0]!["hash"], (string?)ledger[1]!["previousHash"]);
        Assert.Equal((string?)ledger[1]!["hash"], (string?)ledger[2]!["previousHash"]);
        var sound = await service.VerifyAsync(person);
        Assert.True((bool)sound["valid"]!);
        Assert.Equal(3, (int)sound["entries"]!);

        // Someone with database access rewrites the first recipient in the stored row.
        var rows = 0;
        foreach (var (key, _) in await service.Database.GrainStatesContainingAsync((string)first["disclosure"]!["disclosureId"]!))
        {
            rows += await service.Database.RewriteGrainStateAsync(key, json => json.Replace("Research Partner A", "Research Partner Z", StringComparison.Ordinal)) ? 1 : 0;
        }

        Assert.True(rows >= 1);

        var broken = await service.VerifyAsync(person);
        Assert.False((bool)broken["valid"]!);
        Assert.Equal(0, (int)broken["firstBrokenIndex"]!);
    }

    [Fact]
    public async Task Removing_the_newest_entry_in_the_database_fails_verification()
    {
        var person = await service.SignUpAsync();
        await service.SetConsentAsync(person, "third-party-sharing", granted: true);
        await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Partner One"));
        var last = await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Partner Two"));
        var id = (string)last["disclosure"]!["disclosureId"]!;

        // Drop the last element of the stored ledger array, leaving the rest intact.
        foreach (var (key, _) in (await service.Database.GrainStatesContainingAsync(id)).Where(found => found.Json.Contains("DisclosureLedger", StringComparison.Ordinal)))
        {
            await service.Database.RewriteGrainStateAsync(key, json =>
            {
                var state = JsonNode.Parse(json)!.AsObject();
                state["DisclosureLedger"]!.AsArray().RemoveAt(state["DisclosureLedger"]!.AsArray().Count - 1);
                return state.ToJsonString();
            });
        }

        var broken = await service.VerifyAsync(person);
        Assert.False((bool)broken["valid"]!);
        Assert.Equal(1, (int)broken["entries"]!);
    }

    [Fact]
    public async Task A_cluster_operator_sees_the_clusters_disclosures_and_a_wrong_proof_sees_nothing()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        // A cluster has nobody who could consent for it.
        var noConsent = await service.RefusedAsync(
            new { subject = new { clusterId = cluster, region = "eu" }, recipient = "Partner", basis = "consent", categories = s_usage, rationale = "Asked for it." }, "consent");
        Assert.Equal("no-person-to-consent", (string?)noConsent["condition"]);

        var made = await service.DisclosedAsync(new
        {
            subject = new { clusterId = cluster, region = "eu" },
            recipient = "CERT-EU",
            basis = "harm-prevention",
            categories = s_usageAndAddress,
            rationale = "The cluster is being used to attack public infrastructure right now.",
            protects = "the-public",
        });
        var packageUrl = (string)made["packageUrl"]!;
        using (var package = await service.Http.GetAsync(packageUrl))
        {
            Assert.Equal(HttpStatusCode.OK, package.StatusCode);
            var text = await package.Content.ReadAsStringAsync();
            Assert.Contains("ip-address", text, StringComparison.Ordinal);
            Assert.DoesNotContain(bootstrap, text, StringComparison.Ordinal);
        }

        using var read = new HttpRequestMessage(HttpMethod.Get, $"/v1/clusters/{cluster}");
        read.Headers.Add("X-Flynn-Bootstrap-Id", bootstrap);
        using var view = await service.Http.SendAsync(read);
        var record = await Json.ReadAsync(view);
        var entry = Assert.Single(record["disclosures"]!.AsArray());
        Assert.Equal("CERT-EU", (string?)entry!["recipient"]);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, $"/v1/clusters/{cluster}");
        wrong.Headers.Add("X-Flynn-Bootstrap-Id", Flynn.NewId());
        using var refused = await service.Http.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.DoesNotContain("CERT-EU", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var verify = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/disclosures/clusters/{cluster}/verification?region=eu"));
        Assert.True((bool)(await Json.ReadAsync(verify))["valid"]!);
    }

    [Fact]
    public async Task A_capability_package_is_readable_within_seven_days_then_404_and_its_row_is_destroyed()
    {
        var person = await service.SignUpAsync();
        await service.SetConsentAsync(person, "third-party-sharing", granted: true);
        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "consent", "Archive Partner", ["account"]));
        var url = (string)made["packageUrl"]!;
        var secret = url[(url.LastIndexOf('.') + 1)..];
        var key = $"eu/cap-{Capabilities.HashOf(secret)}";
        Assert.Equal(1, await PackageRowsAsync(key));

        using (var read = await service.Http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Contains(person.Email, await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Six days on it still works; a wrong secret never does.
        service.Clock.Advance(TimeSpan.FromDays(6));
        using (var read = await service.Http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var guessed = await service.Http.GetAsync(url[..^4] + "AAAA"))
        {
            Assert.Equal(HttpStatusCode.NotFound, guessed.StatusCode);
        }

        service.Clock.Advance(TimeSpan.FromDays(1.5));
        using (var expired = await service.Http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        }

        await Eventually.ReturnsAsync(() => PackageRowsAsync(key), rows => rows == 0, TimeSpan.FromSeconds(30), "the expired package's row is deleted by its reminder");

        // The ledger entry remains: the disclosure happened, only its package is gone.
        Assert.Single(await service.LedgerAsync(person));
    }

    private Task<long> PackageRowsAsync(string key) =>
        service.Database.ScalarAsync<long>("select count(*) from grain_state where grain_id_extension_string = @key", ("key", key));
}
