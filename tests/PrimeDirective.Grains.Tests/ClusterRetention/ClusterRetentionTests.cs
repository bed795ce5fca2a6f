using PrimeDirective.Grains.Clusters;

namespace PrimeDirective.Grains.Tests.ClusterRetention;

public sealed class ClusterRetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_reminder_is_due_at_the_earliest_expiry_or_sooner_for_an_erasure_to_submit_again()
    {
        var current = new ClusterState { EarliestReportExpiry = Now.AddDays(30) };
        Assert.Equal(Now.AddDays(30), Grains.Clusters.ClusterRetention.NextDue(current, Now));

        current.UnconfirmedErasures.Add(new("eu-request", "hash", Now.AddMinutes(1)));
        Assert.Equal(Now.AddMinutes(1), Grains.Clusters.ClusterRetention.NextDue(current, Now));
    }

    [Fact]
    public void An_open_ended_hold_defers_expiry_but_not_the_submission_of_an_erasure()
    {
        var hold = new Interfaces.Retention.LegalHold("litigation", "case-1", Now, EndsAt: null, "officer");
        var current = new ClusterState { EarliestReportExpiry = Now.AddDays(30), LegalHold = hold };
        Assert.Null(Grains.Clusters.ClusterRetention.NextDue(current, Now));

        current.UnconfirmedErasures.Add(new("eu-request", "hash", Now.AddMinutes(1)));
        Assert.Equal(Now.AddMinutes(1), Grains.Clusters.ClusterRetention.NextDue(current, Now));
    }

    [Fact]
    public void A_cluster_is_forgettable_only_when_nothing_needs_its_ids()
    {
        Assert.True(ClusterErasure.IsForgettable(new ClusterState { ClusterId = "c" }));
        Assert.False(ClusterErasure.IsForgettable(new ClusterState { ClusterId = "c", EarliestReportExpiry = Now }));
        Assert.True(ClusterErasure.IsForgettable(new ClusterState { ClusterId = "c", EarliestReportExpiry = Now }, reportsLeft: false));
        Assert.False(ClusterErasure.IsForgettable(new ClusterState { ClusterId = "c", TelemetryDisabled = true }));
        Assert.False(ClusterErasure.IsForgettable(new ClusterState { ClusterId = "c", AcceptedErasures = ["eu-request"] }));
    }
}
