using PrimeDirective.Gateway.Admin;
using PrimeDirective.Gateway.ChildRemoval;
using PrimeDirective.Gateway.Clusters;
using PrimeDirective.Gateway.Governance;
using PrimeDirective.Gateway.Notices;
using PrimeDirective.Gateway.OpenDsr;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Gateway.Tracking;
using PrimeDirective.Gateway.Transparency;
using PrimeDirective.Gateway.Users;

namespace PrimeDirective.Gateway.Application;

/// <summary>
/// The gateway's application layer: one desk per feature, shared by the HTTP routes and the Privacy Center's pages.
/// Every write to a grain goes through a desk (an architecture test holds the line); desks keep no state of their own.
/// </summary>
internal static class ApplicationLayer
{
    public static IServiceCollection AddApplicationLayer(this IServiceCollection services) => services
        .AddSingleton<OfficerSubjects>()
        .AddSingleton<AccountDesk>()
        .AddSingleton<SecondFactorDesk>()
        .AddSingleton<MeDesk>()
        .AddSingleton<ClusterDesk>()
        .AddSingleton<ChildRemovalDesk>()
        .AddSingleton<LegalHoldDesk>()
        .AddSingleton<LedgerDesk>()
        .AddSingleton<KeyRotationDesk>()
        .AddSingleton<ThirdPartyRecordDesk>()
        .AddSingleton<SharingDesk>()
        .AddSingleton<LegalRequestDesk>()
        .AddSingleton<NoticeDesk>()
        .AddSingleton<AnalyticsDesk>()
        .AddSingleton<TrackingMetrics>()
        .AddSingleton<OpenDsrDesk>()
        .AddSingleton<OpenDsrProcessorDesk>()
        .AddSingleton<GovernanceDesk>()
        .AddSingleton<Requests.SignedReceipts>()
        .AddSingleton<TransparencyDesk>();
}
