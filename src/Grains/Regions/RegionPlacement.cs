using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Regions;

namespace PrimeDirective.Grains.Regions;

/// <summary>Activates a region-keyed grain only on a silo whose region label includes the key's region.</summary>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.RegionPlacement")]
public sealed class RegionPlacement : PlacementStrategy
{
    public static RegionPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class whose key starts with its subject's region.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RegionPlacementAttribute : PlacementAttribute
{
    public RegionPlacementAttribute()
        : base(RegionPlacement.Instance)
    {
    }
}

/// <summary>
/// Chooses among the live silos of the key's region (this silo first, when it is one); when there are none it
/// fails closed with <see cref="RegionUnavailableException"/> instead of placing the subject anywhere else.
/// </summary>
internal sealed class RegionPlacementDirector(ISiloMetadataCache metadata) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var region = SubjectKey.RegionOf(target.GrainIdentity);
        var candidates = context.GetCompatibleSilos(target)
            .Where(silo => SiloRegions.Parse(RegionLabel(silo)).Contains(region))
            .ToArray();
        if (candidates.Length == 0)
        {
            throw new RegionUnavailableException(region);
        }

        var chosen = candidates.Contains(context.LocalSilo) ? context.LocalSilo : candidates[Random.Shared.Next(candidates.Length)];
        return Task.FromResult(chosen);
    }

    private string? RegionLabel(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(SiloRegions.MetadataKey, out var label) ? label : null;
}
