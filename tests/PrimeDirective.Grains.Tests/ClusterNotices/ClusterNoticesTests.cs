using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Tests.ClusterReports;

namespace PrimeDirective.Grains.Tests.ClusterNotices;

public sealed class ClusterNoticesTests
{
    private static NoticeCampaign Breach(ClusterParts parts, string id, params DataCategory[] categories) => new(
        id, NoticeKind.Breach, ["eu"], [.. categories], parts.Clock.GetUtcNow().AddHours(-1), parts.Clock.GetUtcNow().AddHours(1),
        "Security breach notice", "Change your password.", parts.Clock.GetUtcNow());

    [Fact]
    public async Task A_cluster_nobody_linked_shows_a_breach_to_its_operator_once_however_often_it_is_reached()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        var breach = Breach(parts, "breach-1", DataCategory.Usage);

        for (var reached = 0; reached < 3; reached++)
        {
            var reach = await parts.Notices.ReachAsync(breach);
            Assert.Equal(NoticeOutcome.ShownToOperator, reach.Outcome);
            Assert.Empty(reach.People);
        }

        Assert.Equal(["breach-1"], parts.State.Stored.OperatorNotices.Select(notice => notice.Id));
    }

    [Fact]
    public async Task A_linked_cluster_names_its_people_and_records_nothing_itself()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        await parts.Consents.LinkAsync("eu/first", usageStatisticsConsent: true);
        await parts.Consents.LinkAsync("us/second", usageStatisticsConsent: true);
        var writes = parts.State.Writes;

        var reach = await parts.Notices.ReachAsync(Breach(parts, "breach-2", DataCategory.Usage));

        Assert.Null(reach.Outcome);
        Assert.Equal(["eu/first", "us/second"], reach.People.Order(StringComparer.Ordinal));
        Assert.Equal(writes, parts.State.Writes);
        Assert.Empty(parts.State.Stored.OperatorNotices);
    }

    [Fact]
    public async Task A_breach_of_a_category_the_cluster_never_held_does_not_affect_it_and_a_policy_change_skips_a_linked_cluster()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        Assert.Equal(NoticeOutcome.NotAffected, (await parts.Notices.ReachAsync(Breach(parts, "breach-3", DataCategory.Account))).Outcome);

        await parts.Consents.LinkAsync("eu/first", usageStatisticsConsent: true);
        var policy = new NoticeCampaign("policy-2", NoticeKind.PolicyChange, ["eu"], ImmutableArray<DataCategory>.Empty, null, null, "Policy", "Changed.", parts.Clock.GetUtcNow());
        Assert.Equal(NoticeOutcome.NotAffected, (await parts.Notices.ReachAsync(policy)).Outcome);
        Assert.Empty(parts.State.Stored.OperatorNotices);
    }

    [Fact]
    public async Task Showing_a_notice_to_the_operator_of_a_cluster_erased_meanwhile_answers_absent_and_stores_nothing()
    {
        var parts = new ClusterParts();
        await parts.StoreAsync(parts.Report());
        var breach = Breach(parts, "breach-4", DataCategory.Usage);

        // Another activation erased the cluster (its state emptied) while the fan-out told its people.
        parts.State.ConflictOnNextWrite(other => (other.ClusterId, other.BootstrapId, other.FirstSeenAt) = (null, null, null));
        Assert.Equal(NoticeOutcome.Absent, await parts.Notices.ShowOperatorAsync(breach));

        Assert.Equal(1, parts.State.Conflicts);
        Assert.Empty(parts.State.Stored.OperatorNotices);
        Assert.Null(parts.State.Stored.ClusterId);
    }
}
