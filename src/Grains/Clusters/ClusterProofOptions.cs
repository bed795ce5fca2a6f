namespace PrimeDirective.Grains.Clusters;

/// <summary>Operators' proofs of their clusters (configuration section <c>Clusters</c>).</summary>
public sealed class ClusterProofOptions
{
    public const string SectionName = "Clusters";

    /// <summary>
    /// After an operator sets a new bootstrap id, reports still carrying the old one are kept for this long (the cluster
    /// may not have its new <c>TELEMETRY_BOOTSTRAP_ID</c> yet); later ones are acknowledged and discarded.
    /// </summary>
    public TimeSpan ProofGracePeriod { get; set; } = TimeSpan.FromDays(1);
}
