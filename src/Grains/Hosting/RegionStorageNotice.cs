using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Hosting;

/// <summary>Says at start which regions this silo serves, and which of them have no database of their own.</summary>
internal sealed partial class RegionStorageNotice(ILogger<RegionStorageNotice> logger, SiloRegions regions, IReadOnlyList<string> sharingClusterDatabase) : IStartupTask
{
    public Task Execute(CancellationToken cancellationToken)
    {
        LogServing(logger, regions.Label, regions.Labelled);
        if (sharingClusterDatabase.Count > 0)
        {
            LogShared(logger, string.Join(',', sharingClusterDatabase));
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo serves regions {Regions} (labelled: {Labelled})")]
    private static partial void LogServing(ILogger logger, string regions, bool labelled);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Regions {Regions} have no Regions:Databases entry: their subjects are stored in the cluster database")]
    private static partial void LogShared(ILogger logger, string regions);
}
