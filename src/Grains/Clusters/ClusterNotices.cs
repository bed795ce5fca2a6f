using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// Notices for a cluster (owns <see cref="ClusterState.OperatorNotices"/>, one per campaign). A breach: affected when it
/// held data of the breach's categories during its window (its identifiers from first report on, each report or crash
/// report item from collection to expiry, the packages of its disclosures); its linked people are named for the
/// fan-out to tell, and a cluster with nobody linked shows the notice to its operator. A substantive policy change:
/// people linked are told as accounts; a cluster nobody linked shows it to its operator. It never calls a person.
/// </summary>
public sealed class ClusterNotices(SubjectDocument<ClusterState> document, ClusterReports reports, NoticeReach reach)
{
    /// <summary>The notices shown to the cluster's operator.</summary>
    public ImmutableArray<Notification> Shown => [.. document.State.OperatorNotices];

    /// <summary>What the campaign makes of the cluster: a final outcome, or the linked people to tell.</summary>
    public async Task<ClusterNoticeReach> ReachAsync(NoticeCampaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var current = document.State;
        if (current.ClusterId is null || current.FirstSeenAt is not { } firstSeen)
        {
            return Final(NoticeOutcome.Absent);
        }

        if (current.OperatorNotices.Any(notice => notice.Id == campaign.Id))
        {
            return Final(NoticeOutcome.ShownToOperator);
        }

        if (campaign.Kind == NoticeKind.PolicyChange)
        {
            return Final(current.Links.Count > 0 ? NoticeOutcome.NotAffected : await ShowOperatorAsync(campaign));
        }

        if (!await HeldDuringAsync(campaign, firstSeen))
        {
            return Final(NoticeOutcome.NotAffected);
        }

        // Nobody linked: the operator sees it with the cluster's data.
        var people = document.State.Links.Keys.ToImmutableArray();
        return people.IsEmpty ? Final(await ShowOperatorAsync(campaign)) : new ClusterNoticeReach(null, people);
    }

    /// <summary>Shows the notice to the operator, once per campaign (decided again after a conflict); a cluster gone meanwhile is absent.</summary>
    public Task<NoticeOutcome> ShowOperatorAsync(NoticeCampaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        return document.UpdateAsync(now =>
        {
            var current = document.State;
            if (current.ClusterId is null)
            {
                return (false, NoticeOutcome.Absent);
            }

            if (current.OperatorNotices.Any(notice => notice.Id == campaign.Id))
            {
                return (false, NoticeOutcome.ShownToOperator);
            }

            current.OperatorNotices.Add(new Notification(campaign.Id, now, NoticeMessages.Kind(campaign), $"{campaign.Title}. {campaign.Text}"));
            return (true, NoticeOutcome.ShownToOperator);
        });
    }

    private static ClusterNoticeReach Final(NoticeOutcome outcome) => new(outcome, []);

    private async Task<bool> HeldDuringAsync(NoticeCampaign campaign, DateTimeOffset firstSeen)
    {
        if (campaign.Covers(DataCategory.Identifier, firstSeen, null) ||
            reach.CoversPackages(campaign, document.State.DisclosureLedger, document.Now))
        {
            return true;
        }

        // Items still held that had not expired when the window opened; what retention destroyed earlier is gone.
        await foreach (var item in reports.AllAsync(campaign.From ?? firstSeen))
        {
            if (NoticeReach.Covers(campaign, item))
            {
                return true;
            }
        }

        return false;
    }
}
