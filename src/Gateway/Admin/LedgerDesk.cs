using System.Collections.Immutable;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Retention;

namespace PrimeDirective.Gateway.Admin;

/// <summary>A region's daily ledger of destruction, for the route and the officer's page alike.</summary>
internal sealed class LedgerDesk(UserGrains users, IGrainFactory grains)
{
    /// <summary>How many items of each category were destroyed in <paramref name="region"/> on <paramref name="date"/> (<c>yyyy-MM-dd</c>), and why.</summary>
    public async Task<Outcome<ImmutableArray<DestructionEntry>>> ReadAsync(string region, string date)
    {
        if (!users.IsRegion(region) || RequestCheck.ParseDate(date) is not { } day)
        {
            return new Outcome<ImmutableArray<DestructionEntry>>.Unknown("ledger");
        }

        var at = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return Outcome.Done(await grains.GetGrain<IDestructionLedgerGrain>(LedgerKeys.For(region, at)).ReadAsync());
    }
}
