namespace PrimeDirective.Grains.Interfaces.Keys;

/// <summary>Builds the <c>{region}/{hmac(clusterId)}</c> key of a cluster's grain.</summary>
public sealed class ClusterKeys(Pseudonymizer pseudonymizer)
{
    private const string Domain = "cluster";

    /// <summary>The grain key of <paramref name="clusterId"/>'s cluster in <paramref name="region"/>.</summary>
    public string For(string region, string clusterId) => $"{region}/{pseudonymizer.Pseudonymize(Domain, clusterId)}";

}
