using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Users;

/// <summary>Consent moved by signals: Global Privacy Control withdraws analytics; crash-reports consent reaches linked clusters.</summary>
public sealed partial class UserGrain : IUserTracking
{
    public async Task<ConsentState?> WithdrawAnalyticsForGpcAsync()
    {
        if (!state.State.IsActive)
        {
            return null;
        }

        var version = await PolicyVersionInEffectAsync();
        var withdrawn = await UpdateAsync(now =>
        {
            var current = state.State;
            if (!Consents.Current(current.Consents, DataPurpose.Analytics).Granted)
            {
                return (false, false);
            }

            current.Consents.Add(new ConsentEvent(DataPurpose.Analytics, false, now, version));
            current.Audit.Add(new AuditEntry(now, "consent-withdrawn", "Global Privacy Control signal (Sec-GPC: 1) while using the Privacy Center; for analytics"));
            return (true, true);
        });
        if (withdrawn)
        {
            LogGpcWithdrawal(logger, Key);
        }

        return Consents.Current(state.State.Consents, DataPurpose.Analytics);
    }

    /// <summary>
    /// Tells linked clusters whether this account has granted <c>crash-reports</c> consent: not granted (the default
    /// included) counts as withdrawn, so a linked cluster's crash reports are kept only on a grant. Told every time, so
    /// a retry repairs a half-done propagation.
    /// </summary>
    private Task TellClustersCrashConsentAsync(IEnumerable<LinkedCluster> links)
    {
        var withdrawn = !Consents.Current(state.State.Consents, DataPurpose.CrashReports).Granted;
        return Task.WhenAll(links.Select(link =>
            GrainFactory.GetGrain<IClusterCrashReports>(clusterKeys.For(link.Region, link.ClusterId)).SetLinkedCrashConsentAsync(Key, withdrawn)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey}: analytics consent withdrawn by a Global Privacy Control signal")]
    private static partial void LogGpcWithdrawal(ILogger logger, string grainKey);
}
