using Orleans.Storage;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Tests.Infrastructure;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Tests.Storage;

/// <summary>
/// Subject grains meeting write conflicts: after one they re-read and decide again from what the other writer stored,
/// never writing a value computed from their stale snapshot; when a write cannot be made, nothing of it is applied.
/// </summary>
[Collection(GrainClusterDefinition.Name)]
public sealed class ConflictTests(GrainCluster cluster)
{
    [Fact]
    public async Task A_grant_another_activation_already_stored_is_not_recorded_twice()
    {
        var person = await cluster.NewPersonAsync();
        var earlier = cluster.Clock.GetUtcNow().AddMinutes(-3);
        var competitor = cluster.Conflicts.BeforeNextWrite<UserState>(
            person.Key,
            state => state.Consents.Count == 1,
            state => state.Consents.Add(new ConsentEvent(DataPurpose.Analytics, true, earlier, "competitor")));

        var consent = await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true);

        Assert.True(competitor.IsCompletedSuccessfully);
        Assert.Equal(new ConsentState(DataPurpose.Analytics, true, "consent", earlier), consent);
        var history = (await person.Grain.GetAsync())!.ConsentHistory;
        Assert.Equal([("competitor", earlier)], history.Select(consentEvent => (consentEvent.PolicyVersion, consentEvent.At)));
    }

    [Fact]
    public async Task A_withdrawal_decided_again_after_a_conflict_lands_after_what_the_other_activation_stored()
    {
        var person = await cluster.NewPersonAsync();
        var competitor = cluster.Conflicts.BeforeNextWrite<UserState>(
            person.Key,
            state => state.Consents.Count == 1,
            state => state.Consents.Add(new ConsentEvent(DataPurpose.CrashReports, true, cluster.Clock.GetUtcNow(), "competitor")));

        await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: false);

        await competitor;
        var record = (await person.Grain.GetAsync())!;
        Assert.Equal([DataPurpose.CrashReports, DataPurpose.Analytics], record.ConsentHistory.Select(consentEvent => consentEvent.Purpose));
        Assert.True(record.Consents.Single(consent => consent.Purpose == DataPurpose.CrashReports).Granted);
        Assert.False(record.Consents.Single(consent => consent.Purpose == DataPurpose.Analytics).Granted);
    }

    [Fact]
    public async Task A_first_report_meeting_an_opt_out_another_activation_stored_is_discarded_and_nothing_of_it_is_kept()
    {
        var flynn = cluster.NewCluster();
        var key = cluster.ClusterKeys.For(flynn.Region, flynn.ClusterId);
        var optedOutAt = cluster.Clock.GetUtcNow().AddSeconds(-10);
        var competitor = cluster.Conflicts.BeforeNextWrite<ClusterState>(key, state => state.ClusterId == flynn.ClusterId, state =>
        {
            state.ClusterId = flynn.ClusterId;
            state.BootstrapId = flynn.BootstrapId;
            state.FirstSeenAt = optedOutAt;
            state.TelemetryDisabled = true;
            state.TelemetryChangedAt = optedOutAt;
        });

        var receipt = await flynn.Grain.RecordReportAsync(flynn.Report(ipAddress: "192.0.2.150"));

        Assert.True(competitor.IsCompletedSuccessfully);
        Assert.Equal(ReportOutcome.Discarded, receipt.Outcome);
        var record = await flynn.Grain.GetAsync(flynn.BootstrapId);
        Assert.Equal(new TelemetrySetting(true, optedOutAt), record!.Telemetry);
        Assert.Empty((await flynn.Grain.ReadReportsAsync(flynn.BootstrapId, null))!.Items);
    }

    [Fact]
    public async Task An_opt_out_another_activation_already_stored_is_answered_with_its_time_not_overwritten_with_now()
    {
        var flynn = cluster.NewCluster();
        await flynn.Grain.RecordReportAsync(flynn.Report());
        var key = cluster.ClusterKeys.For(flynn.Region, flynn.ClusterId);
        var optedOutAt = cluster.Clock.GetUtcNow().AddSeconds(-5);
        cluster.Clock.Advance(TimeSpan.FromMinutes(1));
        var competitor = cluster.Conflicts.BeforeNextWrite<ClusterState>(key, state => state.TelemetryDisabled, state =>
        {
            state.TelemetryDisabled = true;
            state.TelemetryChangedAt = optedOutAt;
        });

        var setting = await flynn.Grain.SetTelemetryAsync(flynn.BootstrapId, disabled: true, purge: false);

        await competitor;
        Assert.Equal(new TelemetrySetting(true, optedOutAt), setting);
        Assert.Equal(optedOutAt, (await flynn.Grain.GetAsync(flynn.BootstrapId))!.Telemetry.ChangedAt);
    }

    [Fact]
    public async Task A_conflict_without_any_change_by_others_is_re_read_and_written_once()
    {
        var person = await cluster.NewPersonAsync();
        var (reads, writes) = (cluster.Conflicts.ReadsOf(person.Key), cluster.Conflicts.WritesOf(person.Key));
        var injected = cluster.Conflicts.FailNextWrites(person.Key, 1);

        var consent = await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true);

        Assert.True(injected.IsCompletedSuccessfully);
        Assert.True(consent!.Granted);
        Assert.Equal(reads + 1, cluster.Conflicts.ReadsOf(person.Key));
        Assert.Equal(writes + 1, cluster.Conflicts.WritesOf(person.Key));
        Assert.Single((await person.Grain.GetAsync())!.ConsentHistory);
    }

    [Fact]
    public async Task When_every_attempt_conflicts_the_call_fails_and_nothing_of_the_change_remains()
    {
        var person = await cluster.NewPersonAsync();
        var writes = cluster.Conflicts.WritesOf(person.Key);
        _ = cluster.Conflicts.FailNextWrites(person.Key, 3);

        await Assert.ThrowsAsync<InconsistentStateException>(() => person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true));

        // The activation that held the unwritten change is gone; the account reads what storage holds.
        Assert.Equal(writes, cluster.Conflicts.WritesOf(person.Key));
        var record = (await person.Grain.GetAsync())!;
        Assert.Empty(record.ConsentHistory);
        Assert.DoesNotContain(record.Audit, entry => entry.Action == "consent-granted");
        Assert.False(record.Consents.Single(consent => consent.Purpose == DataPurpose.Analytics).Granted);
    }

    [Fact]
    public async Task A_write_that_fails_for_another_reason_is_not_retried_and_leaves_nothing_applied_the_next_call_succeeds()
    {
        var person = await cluster.NewPersonAsync();
        var reads = cluster.Conflicts.ReadsOf(person.Key);
        _ = cluster.Conflicts.FailNextWrites(person.Key, 1, new IOException("storage unreachable"));

        await Assert.ThrowsAnyAsync<Exception>(() => person.Grain.SetConsentAsync(DataPurpose.ThirdPartySharing, granted: true));

        var afterFailure = (await person.Grain.GetAsync())!;
        Assert.Empty(afterFailure.ConsentHistory);
        Assert.True(cluster.Conflicts.ReadsOf(person.Key) > reads, "a fresh activation read the stored state");

        var consent = await person.Grain.SetConsentAsync(DataPurpose.ThirdPartySharing, granted: true);
        Assert.True(consent!.Granted);
        Assert.Single((await person.Grain.GetAsync())!.ConsentHistory);
    }

    [Fact]
    public async Task A_conflict_on_one_subject_touches_no_other()
    {
        var (person, other) = (await cluster.NewPersonAsync(), await cluster.NewPersonAsync());
        var otherWrites = cluster.Conflicts.WritesOf(other.Key);
        _ = cluster.Conflicts.FailNextWrites(person.Key, 1);

        await person.Grain.SetConsentAsync(DataPurpose.Analytics, granted: true);

        Assert.Equal(otherWrites, cluster.Conflicts.WritesOf(other.Key));
        Assert.Empty((await other.Grain.GetAsync())!.ConsentHistory);
    }
}
