using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Users;

/// <summary>Browser signals acting on consent: Global Privacy Control withdraws analytics.</summary>
public sealed partial class UserGrain : IUserTracking
{
    public async Task<ConsentState?> WithdrawAnalyticsForGpcAsync()
    {
        if (!state.State.IsActive)
        {
            return null;
        }

        var withdrawn = await UpdateAsync(now =>
        {
            var current = state.State;
            if (!Consents.Current(current.Consents, DataPurpose.Analytics).Granted)
            {
                return (false, false);
            }

            current.Consents.Add(new ConsentEvent(DataPurpose.Analytics, false, now, options.Value.PolicyVersion));
            current.Audit.Add(new AuditEntry(now, "consent-withdrawn", "Global Privacy Control signal (Sec-GPC: 1) while using the Privacy Center; for analytics"));
            return (true, true);
        });
        if (withdrawn)
        {
            LogGpcWithdrawal(logger, Key);
        }

        return Consents.Current(state.State.Consents, DataPurpose.Analytics);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey}: analytics consent withdrawn by a Global Privacy Control signal")]
    private static partial void LogGpcWithdrawal(ILogger logger, string grainKey);
}
