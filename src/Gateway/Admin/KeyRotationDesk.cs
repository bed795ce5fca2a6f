using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Gateway.Admin;

/// <summary>The KEK rotation's progress, for the route and the officer's page alike (read only: a rotation starts from configuration).</summary>
internal sealed class KeyRotationDesk(IGrainFactory grains)
{
    /// <summary>The active version, the keys still to re-wrap and each version's dates.</summary>
    public Task<KekRotationStatus> StatusAsync() => grains.GetGrain<IKekRotationGrain>(0).StatusAsync();
}
