namespace PrimeDirective.Grains.Interfaces.Retention;

/// <summary>
/// A region's retention wave, keyed <c>{region}/retention-wave</c>: deletes every expired report row of the region that
/// no legal hold covers, in bulk, with the counts in the destruction ledger. One activation per region runs one wave at
/// a time; every silo of the region asks for one each wave period. Holds no state.
/// </summary>
[Alias("PrimeDirective.IRetentionWaveGrain")]
public interface IRetentionWaveGrain : IGrainWithStringKey
{
    /// <summary>Runs a wave now: answers the items destroyed, or <c>null</c> while the region's hold mirror is not yet backfilled.</summary>
    [Alias("RunWave")]
    Task<int?> RunWaveAsync();
}
