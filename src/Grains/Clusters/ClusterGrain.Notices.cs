using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// Notices for a cluster. A breach: affected when it held data of the breach's categories during its window (its
/// identifiers from first report on, each report or crash report item from collection to expiry, the packages of its
/// disclosures); its linked people are notified, and a cluster with nobody linked shows the notice to its operator.
/// A substantive policy change: people linked are told as accounts; a cluster nobody linked shows it to its operator.
/// </summary>
public sealed partial class ClusterGrain : INoticeRecipient
{
    private ISubjectRegistry Registry => ServiceProvider.GetRequiredService<ISubjectRegistry>();

    public async Task<NoticeOutcome> DeliverNoticeAsync(NoticeCampaign campaign, string via)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (state.State.ClusterId is null || state.State.FirstSeenAt is not { } firstSeen)
        {
            return NoticeOutcome.Absent;
        }

        if (state.State.OperatorNotices.Any(notice => notice.Id == campaign.Id))
        {
            return NoticeOutcome.ShownToOperator;
        }

        if (campaign.Kind == NoticeKind.PolicyChange)
        {
            return state.State.Links.Count > 0 ? NoticeOutcome.NotAffected : await ShowOperatorAsync(campaign);
        }

        if (!await HeldDuringAsync(campaign, firstSeen))
        {
            return NoticeOutcome.NotAffected;
        }

        var answers = await Task.WhenAll(state.State.Links.Keys.Select(userKey =>
            GrainFactory.GetGrain<IUserGrain>(userKey).AsReference<INoticeRecipient>().DeliverNoticeAsync(campaign, Key)));
        if (answers.Contains(NoticeOutcome.Notified))
        {
            return NoticeOutcome.Notified;
        }

        if (answers.Contains(NoticeOutcome.NotifiedElsewhere))
        {
            return NoticeOutcome.NotifiedElsewhere;
        }

        // Nobody linked (or every linked account gone): the operator sees it with the cluster's data.
        return await ShowOperatorAsync(campaign);
    }

    /// <summary>The notices shown to the cluster's operator.</summary>
    internal ImmutableArray<Notification> OperatorNotices => [.. state.State.OperatorNotices];

    private Task<NoticeOutcome> ShowOperatorAsync(NoticeCampaign campaign) =>
        UpdateAsync(now =>
        {
            if (state.State.OperatorNotices.Any(notice => notice.Id == campaign.Id))
            {
                return (false, NoticeOutcome.ShownToOperator);
            }

            state.State.OperatorNotices.Add(new Notification(campaign.Id, now, NoticeMessages.Kind(campaign), $"{campaign.Title}. {campaign.Text}"));
            return (true, NoticeOutcome.ShownToOperator);
        });

    private async Task<bool> HeldDuringAsync(NoticeCampaign campaign, DateTimeOffset firstSeen)
    {
        if (campaign.Covers(DataCategory.Identifier, firstSeen, null) ||
            reach.CoversPackages(campaign, state.State.DisclosureLedger, time.GetUtcNow()))
        {
            return true;
        }

        // Items still held that had not expired when the window opened; what retention destroyed earlier is gone.
        var from = campaign.From ?? firstSeen;
        for (string? after = null; ;)
        {
            var page = await reportLog.ReadAsync(Region, Key, from, after, ReportRows.PageSize);
            if (page.Items.Any(item => NoticeReach.Covers(campaign, item)))
            {
                return true;
            }

            if (page.Next is not { } next)
            {
                return false;
            }

            after = next;
        }
    }
}
