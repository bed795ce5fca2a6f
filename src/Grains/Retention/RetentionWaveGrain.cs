using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Retention;

/// <summary>
/// A region's retention wave (durable mode only): on its reminder it backfills the hold mirror once, then deletes every
/// expired report row of the region no hold covers, in bounded batches, each with its ledger counts in the same
/// statement. Keyed <c>{region}/retention-wave</c>, so it runs on a silo of its region; it holds no state.
/// </summary>
[RegionPlacement]
public sealed partial class RetentionWaveGrain(
    ReportRetentionWaves waves, LegalHoldBackfill backfill, PolicyClock time, IOptions<RetentionOptions> retention, ILogger<RetentionWaveGrain> logger)
    : Grain, IRetentionWaveGrain, IRemindable
{
    private const string Reminder = "retention-wave";

    /// <summary>The wave grain's key for <paramref name="region"/>.</summary>
    public static string KeyFor(string region) => $"{region}/retention-wave";

    private string Region => SubjectKey.RegionOf(this.GetGrainId());

    public async Task StartAsync()
    {
        if (await this.GetReminder(Reminder) is null)
        {
            var period = retention.Value.WavePeriod < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : retention.Value.WavePeriod;
            await this.RegisterOrUpdateReminder(Reminder, period, period);
        }
    }

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

    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName == Reminder ? RunWaveAsync() : Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention wave of region {Region}: {Rows} report row(s), {Items} expired item(s) destroyed")]
    private static partial void LogWave(ILogger logger, string region, int rows, int items);
}

/// <summary>Asks each served region's wave to keep its reminder registered (idempotent; every silo asks at start).</summary>
internal sealed class RetentionWaveStart(IGrainFactory grains, SiloRegions regions) : IStartupTask
{
    public Task Execute(CancellationToken cancellationToken) =>
        Task.WhenAll(regions.Served.Select(region => grains.GetGrain<IRetentionWaveGrain>(RetentionWaveGrain.KeyFor(region)).StartAsync()));
}
