using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Sealing;

/// <summary>A step that must run before an epoch key is destroyed (a legal hold's re-sealing of what it keeps).</summary>
public interface IEpochEnding
{
    /// <summary>Runs before the key <paramref name="epochKeyId"/> of <paramref name="epoch"/> is destroyed; a failure keeps the key for the next sweep.</summary>
    Task BeforeEpochEndsAsync(KeyEpoch epoch, Guid epochKeyId);
}

/// <summary>
/// The end of expiry epochs: once an epoch's day is over (by the policy clock), the steps that must come first run (a
/// legal hold re-seals what it keeps), then its key is fenced in the region's destruction ledger (id, fingerprint, KEK
/// version: no subject, the key has none), destroyed in the key store and evicted from every silo's cache. Every value
/// sealed under a key derived from it, in every database, backup and dump, stops opening; its subjects' other values do not.
/// </summary>
public sealed class EpochKeyShredder(
    KeyStore store, IKeyEviction eviction, IDestructionLedger ledger, PolicyClock clock, SiloRegions regions, IEnumerable<IEpochEnding> steps, IFenceLog fenceLog, KeyMetrics? metrics = null)
{
    /// <summary>Destroys the keys of the epochs (of the regions this silo serves) whose day is over; answers how many it destroyed.</summary>
    public async Task<int> SweepAsync()
    {
        var now = clock.GetUtcNow();
        var destroyed = 0;
        foreach (var key in await store.EpochsBeforeAsync(DateOnly.FromDateTime(now.UtcDateTime)))
        {
            if (KeyEpoch.Parse(key.Subject) is not { } epoch || !regions.Serves(epoch.Region))
            {
                continue;
            }

            foreach (var step in steps)
            {
                await step.BeforeEpochEndsAsync(epoch, key.Id);
            }

            // The fence first (in the log outside both databases, then the ledger), as for a subject's key: never a destroyed key without one.
            var fence = new KeyFence(key.Id, key.Fingerprint, key.KekVersion, now);
            await fenceLog.AppendAsync(FenceRecord.Of(epoch.Region, fence));
            await ledger.FenceAsync(epoch.Region, fence);
            metrics?.Fenced(epoch.Region, "epoch");
            if (await store.DestroyAsync(key.Id))
            {
                destroyed++;
            }

            await eviction.EvictEverywhereAsync(key.Subject, key.Id);
        }

        return destroyed;
    }
}

/// <summary>Runs the <see cref="EpochKeyShredder"/> on every silo, every <see cref="KeyStoreOptions.EpochSweepInterval"/>.</summary>
internal sealed partial class EpochKeySweep(EpochKeyShredder shredder, IOptions<KeyStoreOptions> options, ILogger<EpochKeySweep> logger) : PeriodicSweep(logger)
{
    protected override TimeSpan Period => options.Value.EpochSweepInterval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var destroyed = await shredder.SweepAsync();
        if (destroyed > 0)
        {
            LogDestroyed(logger, destroyed);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Destroyed {Count} epoch key(s) whose day is over")]
    private static partial void LogDestroyed(ILogger logger, int count);
}
