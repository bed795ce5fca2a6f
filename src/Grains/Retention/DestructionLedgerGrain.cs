using System.Collections.Immutable;
using System.Globalization;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Retention;

/// <summary>
/// Reads one region's proof of destruction for one day, keyed <c>{region}/ledger/{yyyy-MM-dd}</c>, on a silo of that
/// region (the ledger is in the region's database). Subjects write the ledger themselves; this grain holds no state.
/// </summary>
[RegionPlacement]
public sealed class DestructionLedgerGrain(IDestructionLedger ledger) : Grain, IDestructionLedgerGrain
{
    private const string DayFormat = "yyyy-MM-dd";

    public static string KeyFor(string region, DateTimeOffset at) => LedgerKeys.For(region, at);

    public Task<ImmutableArray<DestructionEntry>> ReadAsync()
    {
        var key = this.GetPrimaryKeyString();
        var day = DateOnly.ParseExact(key[(key.LastIndexOf('/') + 1)..], DayFormat, CultureInfo.InvariantCulture);
        return ledger.ReadAsync(SubjectKey.RegionOf(this.GetGrainId()), day);
    }
}
