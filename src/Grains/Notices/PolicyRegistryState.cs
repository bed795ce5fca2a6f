using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Grains.Notices;

/// <summary>The stored registry of policy versions (few, published rarely; each text is capped by the gateway).</summary>
public sealed class PolicyRegistryState
{
    /// <summary>Published versions other than the seeded one, in order of effect.</summary>
    public List<PolicyVersion> Versions { get; set; } = [];
}
