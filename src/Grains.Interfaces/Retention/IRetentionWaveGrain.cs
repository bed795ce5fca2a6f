namespace PrimeDirective.Grains.Interfaces.Retention;

/// <summary>
/// A region's retention wave, keyed <c>{region}/retention-wave</c>: on its own reminder it deletes every expired report
/// row of the region that no legal hold covers, in bulk, with the counts in the destruction ledger. Holds no state.
/// </summary>
[Alias("PrimeDirective.IRetentionWaveGrain")]
public interface IRetentionWaveGrain : IGrainWithStringKey
{
    /// <summary>Registers the wave's reminder if it is not registered yet (every silo asks at start).</summary>
    [Alias("Start")]
    Task StartAsync();

    /// <summary>Runs a wave now: answers the items destroyed, or <c>null</c> while the region's hold mirror is not yet backfilled.</summary>
    [Alias("RunWave")]
    Task<int?> RunWaveAsync();
}
