using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace PrimeDirective.Grains.Sealing;

/// <summary>One silo's key cache, reachable from any silo: a destroyed key is evicted from every silo through it.</summary>
[Alias("PrimeDirective.IKeyCacheGrain")]
public interface IKeyCacheGrain : IGrainWithStringKey
{
    /// <summary>Forgets the key <paramref name="keyId"/> of <paramref name="subject"/> on this grain's silo.</summary>
    [Alias("Evict")]
    Task EvictAsync(string subject, Guid keyId);
}

/// <summary>The key cache grain keyed by a silo's address (<see cref="SiloAddress.ToParsableString"/>) lives on that silo.</summary>
[SiloPinnedPlacement]
internal sealed class KeyCacheGrain(KeyCache cache) : Grain, IKeyCacheGrain
{
    public Task EvictAsync(string subject, Guid keyId)
    {
        cache.Evict(subject, keyId);
        return Task.CompletedTask;
    }
}

/// <summary>Activates a grain keyed by a silo's address on that silo, and nowhere else.</summary>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.SiloPinnedPlacement")]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    public static SiloPinnedPlacement Instance { get; } = new();
}

/// <summary>Marks a grain class keyed by the address of the silo it must live on.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPinnedPlacementAttribute : PlacementAttribute
{
    public SiloPinnedPlacementAttribute()
        : base(SiloPinnedPlacement.Instance)
    {
    }
}

/// <summary>Places on the silo the key names; fails if that silo is not a live member (its cache went with it).</summary>
internal sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var wanted = SiloAddress.FromParsableString(target.GrainIdentity.Key.ToString()!);
        return context.GetCompatibleSilos(target).Contains(wanted)
            ? Task.FromResult(wanted)
            : throw new SiloUnavailableException($"The silo a key cache grain names is not a live member.");
    }
}
