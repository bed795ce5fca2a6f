using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Grains.Interfaces.Clusters;

/// <summary>
/// What a notice campaign makes of one cluster. The cluster decides whether it is affected but never calls its linked
/// people itself: a linked person may be awaiting the cluster (a consent change), so the fan-out tells them instead.
/// </summary>
/// <param name="Outcome">The cluster's final answer; <c>null</c> when <paramref name="People"/> are to be told first.</param>
/// <param name="People">The grain keys (pseudonymous) of the people linked to an affected cluster.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ClusterNoticeReach")]
public sealed record ClusterNoticeReach(
    [property: Id(0)] NoticeOutcome? Outcome,
    [property: Id(1)] ImmutableArray<string> People);

/// <summary>The cluster grain's part in notice campaigns (the cluster grain implements it, keyed as <see cref="IClusterGrain"/>).</summary>
[Alias("PrimeDirective.IClusterNotices")]
public interface IClusterNotices : IGrainWithStringKey
{
    /// <summary>
    /// Decides whether the cluster is affected: gone, not affected, or already shown to its operator is final; a cluster
    /// nobody linked shows the notice to its operator (once per campaign) at once; otherwise its linked people are named.
    /// </summary>
    [Alias("ReachNotice")]
    Task<ClusterNoticeReach> ReachNoticeAsync(NoticeCampaign campaign);

    /// <summary>None of the linked people took the notice (every account gone): the operator sees it, once per campaign.</summary>
    [Alias("ShowOperatorNotice")]
    Task<NoticeOutcome> ShowOperatorNoticeAsync(NoticeCampaign campaign);
}
