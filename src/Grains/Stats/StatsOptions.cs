namespace PrimeDirective.Grains.Stats;

/// <summary>Publication of the aggregates (configuration section <c>Stats</c>).</summary>
public sealed class StatsOptions
{
    public const string SectionName = "Stats";

    /// <summary>The smallest k allowed: a bucket of one is a person.</summary>
    public const int MinimumK = 2;

    /// <summary>k of k-anonymity: a bucket with fewer distinct clusters is suppressed in every output.</summary>
    public int K { get; set; } = 5;

    /// <summary>How often a silo writes the increments its cluster grains projected, in one batch.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Laplace noise on published numbers; off by default.</summary>
    public DifferentialPrivacyOptions DifferentialPrivacy { get; set; } = new();
}

/// <summary>The optional Laplace mechanism.</summary>
public sealed class DifferentialPrivacyOptions
{
    public bool Enabled { get; set; }

    /// <summary>ε: the noise's scale is 1/ε (a cluster changes a bucket's count by at most one).</summary>
    public double Epsilon { get; set; } = 1.0;

    /// <summary>
    /// The noise's key: the same release always gets the same noise, so asking again does not average it away.
    /// Default: derived from <c>Privacy:PseudonymKey</c>.
    /// </summary>
    public string? Seed { get; set; }
}
