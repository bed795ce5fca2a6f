using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Tests.ComponentFakes;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Tests.SubjectDisclosures;

/// <summary>The disclosure decision point and ledger keeper alone, as a person's account wires it.</summary>
public sealed class SubjectDisclosuresTests
{
    private readonly SiloParts _silo = new();

    private static DisclosureOrder ByConsent(string recipient) => new(
        Guid.NewGuid().ToString("N"), recipient, DisclosureBasis.Consent, [DataCategory.Account], DataPurpose.ThirdPartySharing,
        "the person asked us to share", null, "officer-1", null, null, null, null, null);

    private UserState Consenting()
    {
        var account = UserParts.ActiveAccount(_silo);
        account.Consents.Add(new ConsentEvent(DataPurpose.ThirdPartySharing, true, _silo.Clock.GetUtcNow(), "2026-09-22"));
        return account;
    }

    [Fact]
    public async Task Without_consent_a_consent_disclosure_is_refused_audited_without_its_recipient_and_nothing_leaves()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));

        var outcome = await parts.Disclosures.DiscloseAsync(ByConsent("acme-marketing"));

        Assert.Equal(DisclosureBasis.Consent, outcome!.RefusedBasis);
        Assert.Equal("consent-not-granted", outcome.Reason);
        var stored = parts.State.Stored;
        Assert.Empty(stored.DisclosureLedger);
        Assert.Empty(stored.DisclosurePackages);
        var refused = Assert.Single(stored.Audit, entry => entry.Action == "disclosure-refused");
        Assert.DoesNotContain("acme-marketing", refused.Reason, StringComparison.Ordinal);
        Assert.Empty(_silo.Grains.Calls);
    }

    [Fact]
    public async Task After_a_write_conflict_the_disclosure_is_recorded_once_on_the_fresh_state_and_its_chain_verifies()
    {
        var parts = new UserParts(_silo, Consenting());
        parts.State.ConflictOnNextWrite(theirs => theirs.Audit.Add(new AuditEntry(_silo.Clock.GetUtcNow(), "other-activation", "meanwhile")));

        var outcome = await parts.Disclosures.DiscloseAsync(ByConsent("acme-partner"));

        Assert.NotNull(outcome!.Entry);
        var stored = parts.State.Stored;
        Assert.Equal(1, parts.State.Conflicts);
        Assert.Single(stored.DisclosureLedger);
        Assert.Contains(stored.Audit, entry => entry.Action == "other-activation");
        Assert.Single(stored.Audit, entry => entry.Action == "disclosed");
        Assert.Single(stored.DisclosurePackages);
        Assert.Single(_silo.Grains.To("CreateAsync"));
        var verified = await parts.Disclosures.VerifyAsync();
        Assert.Equal(("intact", 1), (verified!.Status, verified.Entries));
    }

    [Fact]
    public async Task The_package_list_stays_bounded_packages_long_past_their_end_leave_it()
    {
        var seeded = Consenting();
        seeded.DisclosurePackages["eu/long-gone"] = new ListedPackage("old-disclosure", _silo.Clock.GetUtcNow().AddDays(-31));
        seeded.DisclosurePackages["eu/recent"] = new ListedPackage("recent-disclosure", _silo.Clock.GetUtcNow().AddDays(-29));
        var parts = new UserParts(_silo, seeded);

        await parts.Disclosures.DiscloseAsync(ByConsent("acme-partner"));

        var listed = parts.State.Stored.DisclosurePackages;
        Assert.DoesNotContain("eu/long-gone", listed.Keys);
        Assert.Contains("eu/recent", listed.Keys);
        Assert.Equal(2, listed.Count);
    }
}
