using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// A person's consents: the history of choices (each with the policy version in effect, from the registry), what moves
/// them besides the person (Global Privacy Control; continued use under a new policy version), and what linked
/// clusters must know of them. Usage statistics are on until withdrawn (as Flynn's telemetry is), the account itself is
/// a contract, and everything else needs an explicit grant.
/// </summary>
public sealed partial class Consents(
    IPersistentState<UserState> state, PolicySchedule policy, ClusterKeys clusterKeys, IGrainFactory grains, TimeProvider time, ISubjectHost host, ILogger logger,
    ConsentMetrics metrics, IPersonNoticeLog noticeRows)
{
    /// <summary>How a continued-use entry of the consent history says it was given.</summary>
    public const string ContinuedUse = "continued-use";

    /// <summary>The consent in force for <paramref name="purpose"/> after <paramref name="history"/>.</summary>
    public static ConsentState Current(IEnumerable<ConsentEvent> history, DataPurpose purpose)
    {
        if (purpose == DataPurpose.ServiceProvision)
        {
            return new ConsentState(purpose, Granted: true, "contract", ChangedAt: null);
        }

        var last = history.LastOrDefault(consent => consent.Purpose == purpose);
        return last is null
            ? new ConsentState(purpose, Granted: purpose == DataPurpose.UsageStatistics, "default", ChangedAt: null)
            : new ConsentState(purpose, last.Granted, "consent", last.At);
    }

    /// <summary>The consent in force for every purpose.</summary>
    public static ImmutableArray<ConsentState> All(IEnumerable<ConsentEvent> history) =>
        [.. Enum.GetValues<DataPurpose>().Select(purpose => Current(history, purpose))];

    /// <summary>The person's choice; <c>null</c> if the account is not active. Linked clusters are told every time, so a retry repairs a half-done propagation.</summary>
    public async Task<ConsentState?> SetAsync(DataPurpose purpose, bool granted)
    {
        if (!state.State.IsActive)
        {
            return null;
        }

        if (purpose == DataPurpose.ServiceProvision)
        {
            throw new ArgumentException("Service provision is the account's contract; erase the account to end it.", nameof(purpose));
        }

        var version = (await policy.InEffectAsync()).Version;
        var changed = await state.UpdateAsync(time, now =>
        {
            var current = state.State;
            if (Current(current.Consents, purpose) is { Basis: "consent" } existing && existing.Granted == granted)
            {
                return (false, false);
            }

            current.Consents.Add(new ConsentEvent(purpose, granted, now, version));
            current.Audit.Add(new AuditEntry(now, granted ? "consent-granted" : "consent-withdrawn", $"person's choice for {WireNames.Of(purpose)}"));
            return (true, true);
        }, host.DeactivateOnIdle);
        if (changed)
        {
            metrics.Changed(host.Region, purpose, granted, byGpc: false);
        }

        if (purpose == DataPurpose.UsageStatistics)
        {
            await Task.WhenAll(state.State.Links.Values.Select(link =>
                grains.GetGrain<IClusterGrain>(clusterKeys.For(link.Region, link.ClusterId)).SetLinkedConsentAsync(host.Key, granted)));
        }
        else if (purpose == DataPurpose.CrashReports)
        {
            await TellClustersCrashConsentAsync(state.State.Links.Values);
        }

        return Current(state.State.Consents, purpose);
    }

    /// <summary>A Global Privacy Control signal withdraws analytics consent (once); <c>null</c> if the account is not active.</summary>
    public async Task<ConsentState?> WithdrawAnalyticsForGpcAsync()
    {
        if (!state.State.IsActive)
        {
            return null;
        }

        var version = (await policy.InEffectAsync()).Version;
        var withdrawn = await state.UpdateAsync(time, now =>
        {
            var current = state.State;
            if (!Current(current.Consents, DataPurpose.Analytics).Granted)
            {
                return (false, false);
            }

            current.Consents.Add(new ConsentEvent(DataPurpose.Analytics, false, now, version));
            current.Audit.Add(new AuditEntry(now, "consent-withdrawn", "Global Privacy Control signal (Sec-GPC: 1) while using the Privacy Center; for analytics"));
            return (true, true);
        }, host.DeactivateOnIdle);
        if (withdrawn)
        {
            metrics.Changed(host.Region, DataPurpose.Analytics, granted: false, byGpc: true);
            LogGpcWithdrawal(logger, host.Key);
        }

        return Current(state.State.Consents, DataPurpose.Analytics);
    }

    /// <summary>Whether the announcement's email reached the person: its notice row says delivered (before rows: the account's state did).</summary>
    private async Task<bool> AnnouncementDeliveredAsync(string campaignId) =>
        state.State.NoticesDelivered.Contains(campaignId) || await noticeRows.EmailDeliveredAsync(host.Region, host.Key, campaignId);

    /// <summary>
    /// Acceptance by continued use: the first authenticated use after a version took effect records that the person
    /// continued under it (a substantive version: only once its announcement's email was delivered). Whether the account is active.
    /// </summary>
    public async Task<bool> UseAsync()
    {
        if (!state.State.IsActive)
        {
            return false;
        }

        var inEffect = await policy.InEffectAsync();

        // A version already in effect at sign-up was agreed to then; only later ones are accepted by continuing.
        if (inEffect.EffectiveAt > state.State.CreatedAt && state.State.ContinuedUnder != inEffect.Version &&
            (!inEffect.Substantive || await AnnouncementDeliveredAsync(NoticeKeys.PolicyChange(inEffect.Version))))
        {
            await state.UpdateAsync(time, now =>
            {
                var current = state.State;
                if (!current.IsActive || current.ContinuedUnder == inEffect.Version)
                {
                    return (false, true);
                }

                current.ContinuedUnder = inEffect.Version;
                current.Consents.Add(new ConsentEvent(DataPurpose.ServiceProvision, true, now, inEffect.Version, ContinuedUse));
                current.Audit.Add(new AuditEntry(now, "policy-accepted", $"continued use under policy version {inEffect.Version}"));
                return (true, true);
            }, host.DeactivateOnIdle);
        }

        return state.State.IsActive;
    }

    /// <summary>
    /// Tells linked clusters whether this account has granted <c>crash-reports</c> consent: not granted (the default
    /// included) counts as withdrawn, so a linked cluster's crash reports are kept only on a grant.
    /// </summary>
    public Task TellClustersCrashConsentAsync(IEnumerable<LinkedCluster> links)
    {
        var withdrawn = !Current(state.State.Consents, DataPurpose.CrashReports).Granted;
        return Task.WhenAll(links.Select(link =>
            grains.GetGrain<IClusterCrashReports>(clusterKeys.For(link.Region, link.ClusterId)).SetLinkedCrashConsentAsync(host.Key, withdrawn)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey}: analytics consent withdrawn by a Global Privacy Control signal")]
    private static partial void LogGpcWithdrawal(ILogger logger, string grainKey);
}
