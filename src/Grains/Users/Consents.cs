using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// The consent in force per purpose. Usage statistics are on until withdrawn (as Flynn's telemetry is), the
/// account itself is a contract, and everything else needs an explicit grant.
/// </summary>
public static class Consents
{
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

    public static ImmutableArray<ConsentState> All(IEnumerable<ConsentEvent> history) =>
        [.. Enum.GetValues<DataPurpose>().Select(purpose => Current(history, purpose))];
}
