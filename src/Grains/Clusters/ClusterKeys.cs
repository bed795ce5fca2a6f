using PrimeDirective.Grains.Privacy;

namespace PrimeDirective.Grains.Clusters;

/// <summary>Builds the <c>{region}/{hmac(clusterId)}</c> key of a cluster's grain.</summary>
public sealed class ClusterKeys(Pseudonymizer pseudonymizer)
{
    private const string Domain = "cluster";

    public string For(string region, string clusterId) => $"{region}/{pseudonymizer.Pseudonymize(Domain, clusterId)}";

}
