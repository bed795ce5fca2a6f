using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.Grains.Regions;

/// <summary>
/// Grain storage that writes a region-keyed grain's state to its region's database only, through one
/// provider per region (<c>{name}-{region}</c>), sealed under the subject's data key (<see cref="SealedGrainStorage"/>).
/// A silo never reads or writes a region it does not serve.
/// </summary>
internal sealed class RegionRoutedGrainStorage(IServiceProvider services, string name, SiloRegions silo) : IGrainStorage
{
    private readonly ConcurrentDictionary<string, IGrainStorage> _sealed = new(StringComparer.Ordinal);

    public static string ProviderName(string name, string region) => $"{name}-{region}";

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        For(grainId).ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        For(grainId).WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        For(grainId).ClearStateAsync(stateName, grainId, grainState);

    private IGrainStorage For(GrainId grainId)
    {
        var region = SubjectKey.RegionOf(grainId);
        if (!silo.Serves(region))
        {
            // Placement keeps this from happening; the check is here so that nothing else can make it happen.
            throw new RegionUnavailableException(region);
        }

        return _sealed.GetOrAdd(region, served => new SealedGrainStorage(
            services.GetRequiredKeyedService<IGrainStorage>(ProviderName(name, served)),
            services.GetRequiredService<IGrainStorageSerializer>(),
            services.GetRequiredService<Sealer>()));
    }
}
