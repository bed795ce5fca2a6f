using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Retention;

/// <summary>
/// A region's retention wave (durable mode only): backfills the hold mirror once, then deletes every expired report row
/// of the region no hold covers at the policy's time, in bounded batches, each with its ledger counts in the same
/// statement. Keyed <c>{region}/retention-wave</c>, so it runs on a silo of its region; it holds no state.
/// </summary>
[RegionPlacement]
public sealed partial class RetentionWaveGrain(ReportRetentionWaves waves, LegalHoldBackfill backfill, PolicyClock time, ILogger<RetentionWaveGrain> logger)
    : Grain, IRetentionWaveGrain
{
    /// <summary>The wave grain's key for <paramref name="region"/>.</summary>
    public static string KeyFor(string region) => $"{region}/retention-wave";

    private string Region => SubjectKey.RegionOf(this.GetGrainId());

    public async Task<int?> RunWaveAsync()
    {
        await backfill.EnsureAsync(Region);
        if (!await waves.ReadyAsync(Region))
        {
            return null;
        }

        var batches = await waves.RunAsync(Region, time.GetUtcNow());
        var destroyed = batches.Sum(batch => batch.Destroyed.Values.Sum());
        LogWave(logger, Region, batches.Sum(batch => batch.Rows), destroyed);
        return destroyed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention wave of region {Region}: {Rows} report row(s), {Items} expired item(s) destroyed")]
    private static partial void LogWave(ILogger logger, string region, int rows, int items);
}

/// <summary>
/// Each silo asks every region it serves for a wave once per <see cref="RetentionOptions.WavePeriod"/>, from the time it
/// is active until it stops: as long as one silo of a region runs, its expired rows go within a period, whatever became
/// of the subjects' own reminders. No reminder row is needed; the region's one wave activation serialises the asks.
/// </summary>
internal sealed partial class RetentionWaveLoop(IGrainFactory grains, SiloRegions regions, IOptions<RetentionOptions> retention, ILogger<RetentionWaveLoop> logger)
    : PeriodicSweep(logger)
{
    protected override TimeSpan Period => retention.Value.WavePeriod;

    // The first wave a period after start: until then the subjects' own reminders destroy what expires.
    protected override bool RunsAtStart => false;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var region in regions.Served)
        {
            try
            {
                await grains.GetGrain<IRetentionWaveGrain>(RetentionWaveGrain.KeyFor(region)).RunWaveAsync();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // One region's failure leaves the others' waves be; the type only: messages may carry values.
                LogFailed(logger, region, exception.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention wave of region {Region} failed ({ExceptionType}); the next period runs it again")]
    private static partial void LogFailed(ILogger logger, string region, string exceptionType);
}
