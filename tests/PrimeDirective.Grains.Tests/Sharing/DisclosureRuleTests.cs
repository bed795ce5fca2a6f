using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Sharing;

namespace PrimeDirective.Grains.Tests.Sharing;

/// <summary>
/// The one rule every disclosure passes (policy: "When do we share your information with others?"): each basis holds only
/// when all its conditions hold at that moment, and a refusal names the first condition that failed.
/// </summary>
public sealed class DisclosureRuleTests
{
    private static readonly DateTimeOffset s_now = new(2027, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private const string GoodRationale = "Credible threat to another user's safety, reported and verified.";

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, "consent-not-granted")]
    [InlineData(null, "no-person-to-consent")]
    public void Consent_holds_only_for_a_person_who_granted_third_party_sharing(bool? granted, string? refusal)
    {
        var decision = DisclosureRules.Decide(Order(DisclosureBasis.Consent), "eu", s_now, granted, legalAuthorised: true);

        Assert.Equal(new DisclosureRules.Decision(refusal, false, null), decision);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, "no-decided-legal-request")]
    public void Legal_holds_only_when_a_decided_request_authorises_exactly_this_disclosure(bool authorised, string? refusal)
    {
        var decision = DisclosureRules.Decide(Order(DisclosureBasis.Legal), "eu", s_now, consentGranted: true, authorised);

        Assert.Equal(refusal, decision.Refusal);
        Assert.False(decision.International);
    }

    [Fact]
    public void Consent_does_not_stand_in_for_a_legal_decision_nor_a_legal_decision_for_consent()
    {
        Assert.Equal("no-decided-legal-request", DisclosureRules.Decide(Order(DisclosureBasis.Legal), "eu", s_now, true, false).Refusal);
        Assert.Equal("consent-not-granted", DisclosureRules.Decide(Order(DisclosureBasis.Consent), "eu", s_now, false, true).Refusal);
    }

    [Theory]
    [InlineData("the-person")]
    [InlineData("other-users")]
    [InlineData("prime-directive")]
    [InlineData("the-public")]
    public void Harm_prevention_holds_with_a_rationale_and_a_party_of_the_policys_list(string protects)
    {
        var decision = DisclosureRules.Decide(Order(DisclosureBasis.HarmPrevention, rationale: GoodRationale, protects: protects), "eu", s_now, null, false);

        Assert.Null(decision.Refusal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("because")]
    [InlineData("                                        short                                        ")]
    [InlineData("twenty-nine characters long.!")]
    public void Harm_prevention_without_a_rationale_of_30_characters_is_refused(string rationale)
    {
        var decision = DisclosureRules.Decide(Order(DisclosureBasis.HarmPrevention, rationale: rationale, protects: "the-public"), "eu", s_now, null, false);

        Assert.Equal("rationale-missing", decision.Refusal);
    }

    [Fact]
    public void A_rationale_of_exactly_30_characters_is_enough()
    {
        var rationale = new string('r', DisclosureRules.MinimumRationaleLength);

        Assert.Null(DisclosureRules.Decide(Order(DisclosureBasis.HarmPrevention, rationale: rationale, protects: "the-public"), "eu", s_now, null, false).Refusal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("shareholders")]
    [InlineData("The-Public")]
    public void Harm_prevention_for_a_party_not_on_the_list_is_refused(string? protects)
    {
        var decision = DisclosureRules.Decide(Order(DisclosureBasis.HarmPrevention, rationale: GoodRationale, protects: protects), "eu", s_now, null, false);

        Assert.Equal("protected-party-missing", decision.Refusal);
    }

    [Theory]
    [InlineData("restructuring")]
    [InlineData("acquisition")]
    [InlineData("bankruptcy")]
    public void Successor_holds_for_a_recorded_change_naming_the_recipient(string kind)
    {
        var order = Order(DisclosureBasis.Successor, recipient: "newco") with { Change = new OrganisationalChange(kind, "newco", "deed-1") };

        Assert.Null(DisclosureRules.Decide(order, "eu", s_now, null, false).Refusal);
    }

    [Theory]
    [InlineData(null, "newco", "no-organisational-change")]
    [InlineData("merger-of-convenience", "newco", "no-organisational-change")]
    [InlineData("acquisition", "othercorp", "recipient-not-successor")]
    [InlineData("acquisition", "NewCo", "recipient-not-successor")]
    public void Successor_without_a_known_change_or_to_someone_else_is_refused(string? kind, string successor, string refusal)
    {
        var order = Order(DisclosureBasis.Successor, recipient: "newco") with
        {
            Change = kind is null ? null : new OrganisationalChange(kind, successor, "deed-1"),
        };

        Assert.Equal(refusal, DisclosureRules.Decide(order, "eu", s_now, null, false).Refusal);
    }

    [Fact]
    public void A_processor_under_a_current_contract_covering_everything_holds_and_says_where_the_data_goes()
    {
        var processor = Processor(location: "us");

        var decision = DisclosureRules.Decide(Order(DisclosureBasis.Processor, processor: processor), "eu", s_now, null, false);

        Assert.Equal(new DisclosureRules.Decision(null, true, "us"), decision);
    }

    [Fact]
    public void A_processor_in_the_subjects_own_region_is_no_international_transfer()
    {
        var decision = DisclosureRules.Decide(Order(DisclosureBasis.Processor, processor: Processor(location: "eu")), "eu", s_now, null, false);

        Assert.Equal(new DisclosureRules.Decision(null, false, "eu"), decision);
    }

    [Fact]
    public void An_unregistered_processor_or_one_registered_under_another_id_is_refused()
    {
        Assert.Equal("processor-not-registered", DisclosureRules.Decide(Order(DisclosureBasis.Processor), "eu", s_now, null, false).Refusal);
        Assert.Equal(
            "processor-not-registered",
            DisclosureRules.Decide(Order(DisclosureBasis.Processor, recipient: "other", processor: Processor()), "eu", s_now, null, false).Refusal);
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(-400, -1)]
    [InlineData(-30, 0)]
    public void A_processor_whose_contract_is_not_in_force_now_is_refused(int signedInDays, int expiresInDays)
    {
        var contract = new ProcessorContract("c-1", s_now.AddDays(signedInDays), s_now.AddDays(expiresInDays));

        var decision = DisclosureRules.Decide(Order(DisclosureBasis.Processor, processor: Processor() with { Contract = contract }), "eu", s_now, null, false);

        Assert.Equal("contract-not-current", decision.Refusal);
    }

    [Fact]
    public void A_contract_signed_this_very_moment_is_in_force()
    {
        var contract = new ProcessorContract("c-1", s_now, s_now.AddDays(1));

        Assert.Null(DisclosureRules.Decide(Order(DisclosureBasis.Processor, processor: Processor() with { Contract = contract }), "eu", s_now, null, false).Refusal);
    }

    [Fact]
    public void A_processor_not_covering_every_category_the_purpose_or_the_subjects_region_is_refused_naming_which()
    {
        var order = Order(DisclosureBasis.Processor, processor: Processor());

        Assert.Equal("category-not-covered", DisclosureRules.Decide(order with { Categories = [DataCategory.Usage, DataCategory.IpAddress] }, "eu", s_now, null, false).Refusal);
        Assert.Equal("purpose-not-covered", DisclosureRules.Decide(order with { Purpose = DataPurpose.Analytics }, "eu", s_now, null, false).Refusal);
        Assert.Equal("region-not-allowed", DisclosureRules.Decide(order, "ap", s_now, null, false).Refusal);
    }

    [Fact]
    public void An_unknown_basis_is_refused()
    {
        var decision = DisclosureRules.Decide(Order((DisclosureBasis)99), "eu", s_now, true, true);

        Assert.Equal("unknown-basis", decision.Refusal);
    }

    private static DisclosureOrder Order(
        DisclosureBasis basis, string recipient = "proc-1", string rationale = GoodRationale, string? protects = null, ProcessorView? processor = null) =>
        new(Guid.NewGuid().ToString("N"), recipient, basis, [DataCategory.Usage], DataPurpose.UsageStatistics, rationale, protects, "officer-1", processor, null, null, null, null);

    private static ProcessorView Processor(string location = "eu") => new(
        "proc-1", "Processor One", [DataPurpose.UsageStatistics], [DataCategory.Usage, DataCategory.Configuration], ["eu", "us"], location,
        new ProcessorContract("c-1", s_now.AddYears(-1), s_now.AddYears(1)), "https://proc.example/in", "https://proc.example/erase", s_now.AddYears(-1));
}
