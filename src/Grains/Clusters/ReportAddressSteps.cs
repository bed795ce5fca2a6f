using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// A legal hold outlives expiry epochs: before the key of an <c>ip-address</c> epoch is destroyed, the addresses still
/// sealed under it whose cluster is held are re-sealed under the hold's key, so they still open while the hold runs.
/// Only rows that outlived their expiry hold such addresses (held ones, and those whose deletion is late), so few are read.
/// </summary>
internal sealed class HeldAddressResealing(ReportAddressSealing addresses, RegionDatabases databases, IGrainFactory grains, PolicyClock clock)
    : IEpochEnding
{
    public async Task BeforeEpochEndsAsync(KeyEpoch epoch, Guid epochKeyId)
    {
        if (epoch.Category != ReportAddressSealing.Category)
        {
            return;
        }

        var database = databases.For(epoch.Region);
        var dayEnd = new DateTimeOffset(epoch.Day.AddDays(1), TimeOnly.MinValue, TimeSpan.Zero);
        foreach (var subject in await ReportAddressSealing.SubjectsUnderAsync(database, epochKeyId, dayEnd))
        {
            if (await grains.GetGrain<IClusterGrain>(subject).GetLegalHoldAsync() is { } hold && hold.IsActiveAt(clock.GetUtcNow()))
            {
                await addresses.ResealUnderHoldAsync(database, subject, epochKeyId, dayEnd, ReportAddressSealing.HoldKeyName(subject, hold.PlacedAt));
            }
        }
    }
}

/// <summary>
/// The upgrade in place: at silo start, before any grain reads a report, every address a release before this one stored
/// plain is sealed (SQL alone cannot encrypt). Resumable: each page is durable, and a value already sealed is not selected.
/// </summary>
internal sealed partial class ReportAddressUpgrade(ReportAddressSealing addresses, RegionDatabases databases, ILogger<ReportAddressUpgrade> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ReportAddressUpgrade), ServiceLifecycleStage.RuntimeInitialize, RunAsync);

    /// <summary>Seals what is plain in every region database this silo serves.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var database in databases.All)
        {
            var sealedCount = await addresses.SealPlainAsync(database, cancellationToken);
            if (sealedCount > 0)
            {
                LogSealed(logger, sealedCount);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed {Count} report address(es) stored plain by an earlier release")]
    private static partial void LogSealed(ILogger logger, int count);
}
