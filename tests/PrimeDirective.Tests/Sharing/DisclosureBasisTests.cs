using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// Policy, "When do we share your information with others?": one decision point for every disclosure; each basis is
/// allowed while it holds and refused (409, the problem type naming the basis) when it does not, with nothing sent.
/// </summary>
[Collection(SharingFixture.Name)]
public sealed class DisclosureBasisTests(SharingService service)
{
    [Fact]
    public async Task Consent_allows_a_disclosure_while_granted_and_refuses_it_once_withdrawn_or_never_given()
    {
        var person = await service.SignUpAsync();
        var recipient = $"Partner {Guid.NewGuid():N}";

        // Never given: the default for third-party sharing is no.
        var never = await service.RefusedAsync(Sharing.ForPerson(person, "consent", recipient), "consent");
        Assert.Equal("consent-not-granted", (string?)never["condition"]);

        await service.SetConsentAsync(person, "third-party-sharing", granted: true);
        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "consent", recipient));
        Assert.Equal("consent", (string?)made["disclosure"]!["basis"]);
        Assert.StartsWith("/v1/disclosure-packages/", (string?)made["packageUrl"], StringComparison.Ordinal);

        await service.SetConsentAsync(person, "third-party-sharing", granted: false);
        var withdrawn = await service.RefusedAsync(Sharing.ForPerson(person, "consent", recipient), "consent");
        Assert.Equal("consent", (string?)withdrawn["basis"]);
        Assert.Null(withdrawn["packageUrl"]);

        // Exactly the one disclosure that held is in the ledger; the refusals are audited without recipient or rationale.
        var ledger = await service.LedgerAsync(person);
        Assert.Single(ledger);
        Assert.Equal(recipient, (string?)ledger[0]!["recipient"]);
        var audit = (await service.Http.GetMeAsync(person))["account"]!["audit"]!.AsArray();
        var refusals = audit.Where(entry => (string?)entry!["action"] == "disclosure-refused").ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, entry => Assert.DoesNotContain(recipient, entry!.ToJsonString(), StringComparison.Ordinal));
        Assert.DoesNotContain(service.Logs.GetSnapshot(), record => record.Message.Contains(recipient, StringComparison.Ordinal) || record.Message.Contains(person.UserId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_processor_under_a_current_contract_receives_a_package_signed_with_its_secret()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var processorId = await service.RegisterAsync(processor);
        var person = await service.SignUpAsync();
        var other = await service.SignUpAsync();

        var made = await service.DisclosedAsync(Sharing.ForPerson(person, "processor", processorId, ["account"]));
        Assert.Equal("push", (string?)made["disclosure"]!["delivery"]);
        Assert.False((bool)made["disclosure"]!["internationalTransfer"]!);
        Assert.Null(made["packageUrl"]);

        var received = await Eventually.ReturnsAsync(
            () => Task.FromResult(processor.Requests.ToList()), requests => requests.Count >= 1, TimeSpan.FromSeconds(30), "the processor receives the package");
        var package = Assert.Single(received);
        Assert.Equal("/packages", package.Path);
        Assert.True(LoopbackProcessor.IsSignedWith(package, "X-PrimeDirective-Signature", processor.Secret));

        // A signature under any other secret, or over an altered body, would be detected.
        Assert.False(LoopbackProcessor.IsSignedWith(package, "X-PrimeDirective-Signature", processor.Secret + "x"));
        Assert.False(LoopbackProcessor.IsSignedWith(package with { Body = [.. package.Body, (byte)' '] }, "X-PrimeDirective-Signature", processor.Secret));

        // The package holds the person's account data of the disclosed category only, and nobody else's.
        var body = JsonNode.Parse(package.Text)!;
        Assert.Equal((string?)made["disclosure"]!["disclosureId"], (string?)body["disclosureId"]);
        Assert.Contains(person.Email, package.Text, StringComparison.Ordinal);
        Assert.All(body["items"]!.AsArray(), item => Assert.Equal("account", (string?)item!["category"]));
        Assert.DoesNotContain(person.UserId, package.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(other.Email, package.Text, StringComparison.Ordinal);

        // Acknowledged once: not sent again.
        var status = await Eventually.ReturnsAsync(
            async () => (long)(await service.Database.GrainStatesContainingAsync((string)made["disclosure"]!["disclosureId"]!))
                .Count(found => found.Json.Contains("\"DeliveredAt\":\"", StringComparison.Ordinal)),
            count => count == 1, TimeSpan.FromSeconds(30), "the package is marked delivered");
        Assert.Equal(1, status);
        Assert.Single(processor.Requests);
    }

    [Fact]
    public async Task A_processor_is_refused_when_its_contract_expired_a_category_is_not_covered_or_the_region_is_not_allowed()
    {
        await using var processor = await LoopbackProcessor.StartAsync();
        var now = service.Clock.GetUtcNow();
        var person = await service.SignUpAsync();

        // Expired contract: ineligible at once, nothing to run.
        var expired = Sharing.NewProcessorId();
        using (var put = await service.PutProcessorAsync(expired, Sharing.ProcessorBody(processor, now, contractLeft: TimeSpan.FromDays(1))))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var beforeExpiry = await service.DisclosedAsync(Sharing.ForPerson(person, "processor", expired, ["account"]));
        Assert.NotNull(beforeExpiry["disclosure"]);
        service.Clock.Advance(TimeSpan.FromDays(2));
        var lapsed = await service.RefusedAsync(Sharing.ForPerson(person, "processor", expired, ["account"]), "processor");
        Assert.Equal("contract-not-current", (string?)lapsed["condition"]);

        // A category the contract does not cover.
        var narrow = await service.RegisterAsync(processor, categories: ["identifier"]);
        var uncovered = await service.RefusedAsync(Sharing.ForPerson(person, "processor", narrow, ["account"]), "processor");
        Assert.Equal("category-not-covered", (string?)uncovered["condition"]);

        // A region the processor may not hold: a person in us, a processor for eu only.
        var american = await service.SignUpAsync("us");
        var euOnly = await service.RegisterAsync(processor);
        var region = await service.RefusedAsync(Sharing.ForPerson(american, "processor", euOnly, ["account"]), "processor");
        Assert.Equal("region-not-allowed", (string?)region["condition"]);

        // A transfer the contract lists is allowed and recorded as international.
        var transfer = await service.RegisterAsync(processor, regions: ["eu", "us"], location: "eu");
        var international = await service.DisclosedAsync(Sharing.ForPerson(american, "processor", transfer, ["account"]));
        Assert.True((bool)international["disclosure"]!["internationalTransfer"]!);
        Assert.Equal("eu", (string?)international["disclosure"]!["recipientRegion"]);

        // An unknown processor is no basis either.
        var unknown = await service.RefusedAsync(Sharing.ForPerson(person, "processor", Sharing.NewProcessorId(), ["account"]), "processor");
        Assert.Equal("processor-not-registered", (string?)unknown["condition"]);

        // Only the two that held were ever sent; the refused ones sent nothing and wrote no entry.
        await Eventually.ReturnsAsync(() => Task.FromResult(processor.Requests.Count), count => count == 2, TimeSpan.FromSeconds(30), "the two allowed packages arrive");
        Assert.Single(await service.LedgerAsync(person));
        Assert.Single(await service.LedgerAsync(american));
    }

    [Fact]
    public async Task Harm_prevention_needs_a_good_faith_rationale_naming_whose_rights_property_or_safety_it_protects()
    {
        var person = await service.SignUpAsync();
        var noRationale = await service.RefusedAsync(Sharing.ForPerson(person, "harm-prevention", "City Police", rationale: "urgent", protects: "the-public"), "harm-prevention");
        Assert.Equal("rationale-missing", (string?)noRationale["condition"]);
        var nobody = await service.RefusedAsync(
            Sharing.ForPerson(person, "harm-prevention", "City Police", rationale: "A credible threat against our users was traced to this account's activity."), "harm-prevention");
        Assert.Equal("protected-party-missing", (string?)nobody["condition"]);
        Assert.Empty(await service.LedgerAsync(person));

        var made = await service.DisclosedAsync(Sharing.ForPerson(
            person, "harm-prevention", "City Police", rationale: "A credible threat against our users was traced to this account's activity.", protects: "other-users"));
        Assert.Equal("harm-prevention", (string?)made["disclosure"]!["basis"]);
        Assert.Single(await service.LedgerAsync(person));
    }

    [Fact]
    public async Task Legal_is_refused_outside_a_decided_legal_request()
    {
        var person = await service.SignUpAsync();
        var refused = await service.RefusedAsync(Sharing.ForPerson(person, "legal", "District Court"), "legal");
        Assert.Equal("no-decided-legal-request", (string?)refused["condition"]);
        Assert.Empty(await service.LedgerAsync(person));
    }

    [Fact]
    public async Task A_successor_needs_a_recorded_organisational_change_that_names_it()
    {
        var person = await service.SignUpAsync();
        var missing = await service.RefusedAsync(Sharing.ForPerson(person, "successor", "NewCo Inc"), "successor");
        Assert.Equal("no-organisational-change", (string?)missing["condition"]);
        var other = await service.RefusedAsync(
            Sharing.ForPerson(person, "successor", "NewCo Inc", change: new { kind = "acquisition", successor = "OtherCo", reference = "Deed 2026-11" }), "successor");
        Assert.Equal("recipient-not-successor", (string?)other["condition"]);

        var made = await service.DisclosedAsync(
            Sharing.ForPerson(person, "successor", "NewCo Inc", change: new { kind = "acquisition", successor = "NewCo Inc", reference = "Deed 2026-11" }));
        Assert.Equal("Deed 2026-11", (string?)made["disclosure"]!["legalReference"]);
        Assert.Single(await service.LedgerAsync(person));
    }
}
