using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Tests.Infrastructure;

namespace PrimeDirective.Grains.Tests.ConsentChoices;

/// <summary>
/// A person's consents on the account grain: the defaults, a grant, a withdrawal, a repeat that changes nothing, the
/// contract purpose nobody can withdraw, and Global Privacy Control withdrawing analytics only.
/// </summary>
[Collection(GrainClusterDefinition.Name)]
public sealed class ConsentChoiceTests(GrainCluster cluster)
{
    [Fact]
    public async Task A_new_account_has_usage_statistics_by_default_service_provision_by_contract_and_nothing_else()
    {
        var person = await cluster.NewPersonAsync();

        var record = await person.Grain.GetAsync();

        Assert.NotNull(record);
        Assert.Equal(
            [
                new ConsentState(DataPurpose.UsageStatistics, true, "default", null),
                new ConsentState(DataPurpose.CrashReports, false, "default", null),
                new ConsentState(DataPurpose.Analytics, false, "default", null),
                new ConsentState(DataPurpose.ThirdPartySharing, false, "default", null),
                new ConsentState(DataPurpose.ServiceProvision, true, "contract", null),
            ],
            record.Consents.ToArray());
        Assert.Empty(record.ConsentHistory);
    }

    [Theory]
    [InlineData(DataPurpose.Analytics)]
    [InlineData(DataPurpose.CrashReports)]
    [InlineData(DataPurpose.ThirdPartySharing)]
    public async Task A_grant_is_in_force_from_the_policy_clocks_now_recorded_in_history_and_audit(DataPurpose purpose)
    {
        var person = await cluster.NewPersonAsync();
        var now = cluster.Clock.GetUtcNow();

        var consent = await person.Grain.SetConsentAsync(purpose, granted: true);

        Assert.Equal(new ConsentState(purpose, true, "consent", now), consent);
        var record = (await person.Grain.GetAsync())!;
        var granted = Assert.Single(record.ConsentHistory);
        Assert.Equal((purpose, true, now), (granted.Purpose, granted.Granted, granted.At));
        Assert.False(string.IsNullOrEmpty(granted.PolicyVersion));
        Assert.Contains(record.Audit, entry => entry.Action == "consent-granted" && entry.At == now);
        Assert.All(record.Consents.Where(other => other.Purpose != purpose), other => Assert.NotEqual("consent", other.Basis));
    }

    [Fact]
    public async Task A_withdrawal_after_a_grant_is_in_force_and_both_stay_in_the_history()
    {
        var person = await cluster.NewPersonAsync();
        await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true);
        cluster.Clock.Advance(TimeSpan.FromHours(2));
        var later = cluster.Clock.GetUtcNow();

        var consent = await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: false);

        Assert.Equal(new ConsentState(DataPurpose.Analytics, false, "consent", later), consent);
        var record = (await person.Grain.GetAsync())!;
        Assert.Equal([true, false], record.ConsentHistory.Select(consentEvent => consentEvent.Granted));
        Assert.Contains(record.Audit, entry => entry.Action == "consent-withdrawn" && entry.At == later);
    }

    [Fact]
    public async Task Withdrawing_the_default_usage_statistics_consent_is_recorded_as_a_choice()
    {
        var person = await cluster.NewPersonAsync();

        var consent = await person.Grain.SetConsentAsync(DataPurpose.UsageStatistics, granted: false);

        Assert.Equal((false, "consent"), (consent!.Granted, consent.Basis));
    }

    [Fact]
    public async Task Repeating_the_choice_in_force_changes_and_writes_nothing()
    {
        var person = await cluster.NewPersonAsync();
        await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true);
        var writes = cluster.Conflicts.WritesOf(person.Key);
        cluster.Clock.Advance(TimeSpan.FromMinutes(1));

        var consent = await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true);

        Assert.True(consent!.Granted);
        Assert.Equal(writes, cluster.Conflicts.WritesOf(person.Key));
        Assert.Single((await person.Grain.GetAsync())!.ConsentHistory);
    }

    [Fact]
    public async Task Service_provision_cannot_be_withdrawn_and_nothing_is_recorded()
    {
        var person = await cluster.NewPersonAsync();
        var writes = cluster.Conflicts.WritesOf(person.Key);

        await Assert.ThrowsAsync<ArgumentException>(() => person.Grain.SetConsentAsync(DataPurpose.ServiceProvision, granted: false));

        Assert.Equal(writes, cluster.Conflicts.WritesOf(person.Key));
        var record = (await person.Grain.GetAsync())!;
        Assert.Empty(record.ConsentHistory);
        Assert.True(record.Consents.Single(consent => consent.Purpose == DataPurpose.ServiceProvision).Granted);
    }

    [Fact]
    public async Task An_account_that_does_not_exist_answers_nothing_and_stores_nothing()
    {
        var key = cluster.UserKeys.ForUser(PrimeDirective.Grains.Interfaces.Keys.SubjectIds.New("eu"));
        var grain = cluster.Grains.GetGrain<IUserGrain>(key);

        Assert.Null(await grain.SetConsentAsync(DataPurpose.Analytics, granted: true));
        Assert.Null(await cluster.Grains.GetGrain<IUserTracking>(key).WithdrawAnalyticsForGpcAsync());
        Assert.Null(await grain.GetAsync());
        Assert.False(await grain.IsActiveAsync());
        Assert.Equal(0, cluster.Conflicts.WritesOf(key));
    }

    [Fact]
    public async Task Global_privacy_control_withdraws_a_granted_analytics_consent_saying_why_and_nothing_else()
    {
        var person = await cluster.NewPersonAsync();
        await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true);
        await person.Grain.SetConsentAsync(DataPurpose.ThirdPartySharing, granted: true);
        cluster.Clock.Advance(TimeSpan.FromSeconds(30));

        var analytics = await cluster.Grains.GetGrain<IUserTracking>(person.Key).WithdrawAnalyticsForGpcAsync();

        Assert.Equal(new ConsentState(DataPurpose.Analytics, false, "consent", cluster.Clock.GetUtcNow()), analytics);
        var record = (await person.Grain.GetAsync())!;
        Assert.Contains(record.Audit, entry => entry.Action == "consent-withdrawn" && entry.Reason.Contains("Global Privacy Control", StringComparison.Ordinal));
        Assert.True(record.Consents.Single(consent => consent.Purpose == DataPurpose.ThirdPartySharing).Granted);
        Assert.True(record.Consents.Single(consent => consent.Purpose == DataPurpose.UsageStatistics).Granted);
    }

    [Fact]
    public async Task Global_privacy_control_on_an_account_without_analytics_consent_records_nothing()
    {
        var person = await cluster.NewPersonAsync();
        var writes = cluster.Conflicts.WritesOf(person.Key);

        var analytics = await cluster.Grains.GetGrain<IUserTracking>(person.Key).WithdrawAnalyticsForGpcAsync();
        var again = await cluster.Grains.GetGrain<IUserTracking>(person.Key).WithdrawAnalyticsForGpcAsync();

        Assert.Equal(new ConsentState(DataPurpose.Analytics, false, "default", null), analytics);
        Assert.Equal(analytics, again);
        Assert.Equal(writes, cluster.Conflicts.WritesOf(person.Key));
        Assert.Empty((await person.Grain.GetAsync())!.ConsentHistory);
    }

    [Fact]
    public async Task A_persons_consent_changes_nobody_elses()
    {
        var (person, other) = (await cluster.NewPersonAsync(), await cluster.NewPersonAsync());
        await other.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true);

        await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true);
        await cluster.Grains.GetGrain<IUserTracking>(person.Key).WithdrawAnalyticsForGpcAsync();

        Assert.True((await other.Grain.GetAsync())!.Consents.Single(consent => consent.Purpose == DataPurpose.Analytics).Granted);
    }

    [Fact]
    public async Task The_silos_log_of_consent_changes_names_no_email_name_or_user_id()
    {
        var person = await cluster.NewPersonAsync();
        await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true);
        await cluster.Grains.GetGrain<IUserTracking>(person.Key).WithdrawAnalyticsForGpcAsync();

        var logged = cluster.Logs.GetSnapshot().Select(record => $"{record.Message} {record.Exception}").ToList();
        Assert.Contains(logged, line => line.Contains("Global Privacy Control", StringComparison.Ordinal));
        foreach (var secret in new[] { person.Email, person.Name, person.UserId })
        {
            Assert.DoesNotContain(logged, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }
}
