using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Tests.Infrastructure;

namespace PrimeDirective.Grains.Tests.Sharing;

/// <summary>
/// A subject as the one decision point for disclosing its data: a basis that does not hold is refused with nothing in the
/// ledger and no package; one that holds is recorded before anything leaves; a gag hides what a legal request caused
/// from the person until it ends, and no longer.
/// </summary>
[Collection(GrainClusterDefinition.Name)]
public sealed class DisclosureDecisionTests(GrainCluster cluster)
{
    private const string Rationale = "A court order requires it; reviewed by the privacy officer.";

    [Fact]
    public async Task Without_third_party_sharing_consent_a_consent_disclosure_is_refused_and_nothing_is_recorded_or_packaged()
    {
        var person = await cluster.NewPersonAsync();

        var outcome = await Subject(person).DiscloseAsync(Order(DisclosureBasis.Consent, recipient: "Acme Research Ltd"));

        Assert.Equal(DisclosureOutcome.Refused(DisclosureBasis.Consent, "consent-not-granted"), outcome);
        Assert.Empty((await Subject(person).GetDisclosuresAsync())!.Value);
        Assert.Empty(await Subject(person).DisclosurePackagesAsync());
        var refused = Assert.Single((await person.Grain.GetAsync())!.Audit, entry => entry.Action == "disclosure-refused");
        Assert.Equal("basis consent: consent-not-granted", refused.Reason);
        Assert.DoesNotContain("Acme", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_consent_granted_the_disclosure_is_recorded_in_the_ledger_and_served_once_by_capability()
    {
        var person = await cluster.NewPersonAsync();
        await person.Grain.SetConsentAsync(DataPurpose.ThirdPartySharing, granted: true);
        var order = Order(DisclosureBasis.Consent, categories: [DataCategory.Account], purpose: DataPurpose.ServiceProvision);

        var outcome = await Subject(person).DiscloseAsync(order);

        Assert.NotNull(outcome);
        Assert.Null(outcome.RefusedBasis);
        Assert.NotNull(outcome.CapabilitySecret);
        Assert.Equal(cluster.Clock.GetUtcNow(), outcome.Entry!.At);
        Assert.Equal((order.DisclosureId, "capability", DisclosureBasis.Consent), (outcome.Entry.DisclosureId, outcome.Entry.Delivery, outcome.Entry.Basis));
        var ledger = (await Subject(person).GetDisclosuresAsync())!.Value;
        Assert.Equal([order.DisclosureId], ledger.Select(entry => entry.DisclosureId));
        Assert.Single(await Subject(person).DisclosurePackagesAsync(), package => !package.Hidden);
        Assert.Equal(new ChainVerification(1, true, null, ledger[0].Hash), (await Subject(person).VerifyDisclosuresAsync())! with { EvidenceEntries = null, EvidenceHead = null });
    }

    [Fact]
    public async Task A_repeated_order_returns_the_entry_already_recorded_and_discloses_nothing_more()
    {
        var person = await cluster.NewPersonAsync();
        await person.Grain.SetConsentAsync(DataPurpose.ThirdPartySharing, granted: true);
        var order = Order(DisclosureBasis.Consent, categories: [DataCategory.Account], purpose: DataPurpose.ServiceProvision);
        var first = await Subject(person).DiscloseAsync(order);

        var repeat = await Subject(person).DiscloseAsync(order);

        Assert.Equal(first!.Entry, repeat!.Entry);
        Assert.Null(repeat.CapabilitySecret);
        Assert.Single((await Subject(person).GetDisclosuresAsync())!.Value);
        Assert.Single(await Subject(person).DisclosurePackagesAsync());
    }

    [Fact]
    public async Task Withdrawing_consent_stops_the_next_consent_disclosure_but_keeps_the_ledger_of_earlier_ones()
    {
        var person = await cluster.NewPersonAsync();
        await person.Grain.SetConsentAsync(DataPurpose.ThirdPartySharing, granted: true);
        await Subject(person).DiscloseAsync(Order(DisclosureBasis.Consent, categories: [DataCategory.Account], purpose: DataPurpose.ServiceProvision));
        await person.Grain.SetConsentAsync(DataPurpose.ThirdPartySharing, granted: false);

        var outcome = await Subject(person).DiscloseAsync(Order(DisclosureBasis.Consent, categories: [DataCategory.Account], purpose: DataPurpose.ServiceProvision));

        Assert.Equal("consent-not-granted", outcome!.Reason);
        Assert.Single((await Subject(person).GetDisclosuresAsync())!.Value);
    }

    [Theory]
    [InlineData(DisclosureBasis.Legal, "no-decided-legal-request")]
    [InlineData(DisclosureBasis.Processor, "processor-not-registered")]
    [InlineData(DisclosureBasis.HarmPrevention, "protected-party-missing")]
    [InlineData(DisclosureBasis.Successor, "no-organisational-change")]
    public async Task A_basis_that_does_not_hold_is_refused_naming_it_even_with_consent_granted(DisclosureBasis basis, string reason)
    {
        var person = await cluster.NewPersonAsync();
        await person.Grain.SetConsentAsync(DataPurpose.ThirdPartySharing, granted: true);

        var outcome = await Subject(person).DiscloseAsync(Order(basis));

        Assert.Equal(DisclosureOutcome.Refused(basis, reason), outcome);
        Assert.Empty((await Subject(person).GetDisclosuresAsync())!.Value);
        Assert.Empty(await Subject(person).DisclosurePackagesAsync());
    }

    [Fact]
    public async Task A_legal_order_naming_a_request_that_was_never_decided_is_refused()
    {
        var person = await cluster.NewPersonAsync();
        var order = Order(DisclosureBasis.Legal) with { LegalRequestId = SubjectIds.New("eu"), LegalReference = "case-1" };

        var outcome = await Subject(person).DiscloseAsync(order);

        Assert.Equal("no-decided-legal-request", outcome!.Reason);
        Assert.Empty((await Subject(person).GetDisclosuresAsync())!.Value);
    }

    [Fact]
    public async Task A_cluster_cannot_consent_so_a_consent_disclosure_of_its_data_is_refused()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report());
        var subject = flynn.Grain.AsReference<IDisclosureSubject>();

        var outcome = await subject.DiscloseAsync(Order(DisclosureBasis.Consent));

        Assert.Equal(DisclosureOutcome.Refused(DisclosureBasis.Consent, "no-person-to-consent"), outcome);
        Assert.Empty((await subject.GetDisclosuresAsync())!.Value);
    }

    [Fact]
    public async Task An_unknown_subject_answers_nothing_and_records_nothing()
    {
        var key = cluster.UserKeys.ForUser(SubjectIds.New("eu"));
        var subject = cluster.Grains.GetGrain<IUserGrain>(key).AsReference<IDisclosureSubject>();

        Assert.Null(await subject.DiscloseAsync(Order(DisclosureBasis.Consent)));
        Assert.Null(await subject.GetDisclosuresAsync());
        Assert.Equal(0, cluster.Conflicts.WritesOf(key));
    }

    [Fact]
    public async Task A_gagged_legal_disclosure_is_hidden_from_the_person_until_the_gag_ends_and_shows_from_then_on()
    {
        var person = await cluster.NewPersonAsync();
        var gagUntil = cluster.Clock.GetUtcNow().AddDays(90);
        var request = await DecidedLegalRequestAsync(person, gagUntil);

        Assert.Equal(LegalCommandOutcome.Done, request.Outcome);
        var disclosureId = request.View!.DisclosureId;
        Assert.NotNull(disclosureId);
        Assert.Empty((await Subject(person).GetDisclosuresAsync())!.Value);
        Assert.DoesNotContain((await person.Grain.GetAsync())!.Audit, entry => entry.Action == "disclosed");
        Assert.Single(await Subject(person).DisclosurePackagesAsync(), package => package.Hidden);

        cluster.Clock.Advance(TimeSpan.FromDays(89));
        Assert.Empty((await Subject(person).GetDisclosuresAsync())!.Value);

        cluster.Clock.Advance(TimeSpan.FromDays(1));
        var shown = Assert.Single((await Subject(person).GetDisclosuresAsync())!.Value);
        Assert.Equal((disclosureId, DisclosureBasis.Legal, gagUntil), (shown.DisclosureId, shown.Basis, shown.HiddenUntil));
        Assert.Contains((await person.Grain.GetAsync())!.Audit, entry => entry.Action == "disclosed");
    }

    [Fact]
    public async Task A_legal_disclosure_without_a_gag_is_visible_at_once()
    {
        var person = await cluster.NewPersonAsync();

        var request = await DecidedLegalRequestAsync(person, gagUntil: null);

        var shown = Assert.Single((await Subject(person).GetDisclosuresAsync())!.Value);
        Assert.Equal((request.View!.DisclosureId, (DateTimeOffset?)null), (shown.DisclosureId, shown.HiddenUntil));
        Assert.NotNull(request.CapabilitySecret);
    }

    [Fact]
    public async Task A_legal_request_decided_reject_discloses_nothing()
    {
        var person = await cluster.NewPersonAsync();
        var requestId = SubjectIds.New("eu");
        var legal = cluster.Grains.GetGrain<ILegalRequestGrain>(SharingKeys.LegalRequest(requestId));
        await legal.ReceiveAsync(new LegalRequestReceipt(requestId, "A Court", "case-9", person.UserId, [DataCategory.Account], null, "officer-1"), placeHold: false);

        var result = await legal.DecideAsync(LegalDecisionKind.Reject, "Overbroad; no jurisdiction over this account.", "officer-1");

        Assert.Equal(LegalCommandOutcome.Done, result.Outcome);
        Assert.Null(result.View!.DisclosureId);
        Assert.Null(result.CapabilitySecret);
        Assert.Empty((await Subject(person).GetDisclosuresAsync())!.Value);
        Assert.Empty(await Subject(person).DisclosurePackagesAsync());
    }

    [Fact]
    public async Task A_decided_request_authorises_its_own_disclosure_for_its_own_person_only()
    {
        var (person, other) = (await cluster.NewPersonAsync(), await cluster.NewPersonAsync());
        var request = await DecidedLegalRequestAsync(person, gagUntil: null);
        var requestId = request.View!.Request.RequestId;

        // The same request named in another order, or for another person, authorises nothing.
        var another = await Subject(person).DiscloseAsync(Order(DisclosureBasis.Legal) with { LegalRequestId = requestId });
        var otherPerson = await Subject(other).DiscloseAsync(Order(DisclosureBasis.Legal) with { DisclosureId = request.View.DisclosureId!, LegalRequestId = requestId });

        Assert.Equal("no-decided-legal-request", another!.Reason);
        Assert.Equal("no-decided-legal-request", otherPerson!.Reason);
        Assert.Single((await Subject(person).GetDisclosuresAsync())!.Value);
        Assert.Empty((await Subject(other).GetDisclosuresAsync())!.Value);
    }

    private async Task<LegalDecisionResult> DecidedLegalRequestAsync(Person person, DateTimeOffset? gagUntil)
    {
        var requestId = SubjectIds.New(person.Region);
        var legal = cluster.Grains.GetGrain<ILegalRequestGrain>(SharingKeys.LegalRequest(requestId));
        var received = await legal.ReceiveAsync(
            new LegalRequestReceipt(requestId, "A Court", "case-1", person.UserId, [DataCategory.Account], gagUntil, "officer-1"), placeHold: false);
        Assert.NotNull(received);
        return await legal.DecideAsync(LegalDecisionKind.Disclose, Rationale, "officer-2");
    }

    private static IDisclosureSubject Subject(Person person) => person.Grain.AsReference<IDisclosureSubject>();

    private static DisclosureOrder Order(
        DisclosureBasis basis, string recipient = "proc-1", DataCategory[]? categories = null, DataPurpose purpose = DataPurpose.UsageStatistics) =>
        new(Guid.NewGuid().ToString("N"), recipient, basis, [.. categories ?? [DataCategory.Usage]], purpose, Rationale, null, "officer-1", null, null, null, null, null);
}
