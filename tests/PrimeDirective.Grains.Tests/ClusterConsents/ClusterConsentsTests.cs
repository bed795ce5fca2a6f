using PrimeDirective.Grains.Tests.ClusterReports;

namespace PrimeDirective.Grains.Tests.ClusterConsents;

public sealed class ClusterConsentsTests
{
    [Fact]
    public async Task A_grant_is_listed_once_however_often_it_is_repeated_and_a_withdrawal_removes_it()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        await parts.Consents.LinkAsync("eu/person", usageStatisticsConsent: true);
        for (var repeat = 0; repeat < 5; repeat++)
        {
            await parts.Consents.SetLinkedCrashConsentAsync("eu/person", withdrawn: false);
        }

        Assert.Equal(["eu/person"], parts.State.Stored.CrashReportsGrantedBy);
        await parts.Consents.SetLinkedCrashConsentAsync("eu/person", withdrawn: true);
        Assert.Empty(parts.State.Stored.CrashReportsGrantedBy);
    }

    [Fact]
    public async Task An_account_not_linked_changes_nothing()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        var writes = parts.State.Writes;

        await parts.Consents.SetLinkedConsentAsync("eu/stranger", usageStatisticsConsent: false);
        await parts.Consents.SetLinkedCrashConsentAsync("eu/stranger", withdrawn: false);

        Assert.Equal(writes, parts.State.Writes);
        Assert.Empty(parts.State.Stored.Links);
        Assert.Empty(parts.State.Stored.CrashReportsGrantedBy);
    }

    [Fact]
    public async Task A_consent_change_whose_write_conflicts_is_decided_again_and_keeps_what_the_other_activation_stored()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        await parts.Consents.LinkAsync("eu/first", usageStatisticsConsent: true);

        // Another activation linked a second account meanwhile; the withdrawal must not drop it.
        parts.State.ConflictOnNextWrite(other => other.Links["eu/second"] = new(parts.Clock.GetUtcNow(), true));
        await parts.Consents.SetLinkedConsentAsync("eu/first", usageStatisticsConsent: false);

        Assert.Equal(1, parts.State.Conflicts);
        var links = parts.State.Stored.Links;
        Assert.False(links["eu/first"].UsageStatisticsConsent);
        Assert.True(links["eu/second"].UsageStatisticsConsent);
        Assert.True(Grains.Clusters.ClusterConsents.WithholdsReports(parts.State.Stored));
        Assert.False(await parts.StoreAsync(parts.Report()));
    }

    [Fact]
    public async Task Telemetry_keeps_its_change_time_when_set_again_to_the_same_value()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        var first = await parts.Consents.SetTelemetryAsync(disabled: true, purge: false);
        parts.Clock.Advance(TimeSpan.FromHours(1));
        var again = await parts.Consents.SetTelemetryAsync(disabled: true, purge: false);

        Assert.Equal(first, again);
        Assert.Equal(parts.Clock.GetUtcNow() - TimeSpan.FromHours(1), parts.State.Stored.TelemetryChangedAt);
    }
}
