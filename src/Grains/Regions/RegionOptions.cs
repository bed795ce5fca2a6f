namespace PrimeDirective.Grains.Regions;

/// <summary>The regions data may live in (configuration section <c>Regions</c>).</summary>
public sealed class RegionOptions
{
    public const string SectionName = "Regions";

    private static readonly string[] s_defaultNames = ["eu", "us", "ap"];

    /// <summary>Configured region names; <c>eu</c>, <c>us</c>, <c>ap</c> when none are configured.</summary>
    public string[]? Names { get; set; }

    /// <summary>The region of requests that name none.</summary>
    public string Home { get; set; } = "eu";

    public IReadOnlyList<string> Configured => Names is { Length: > 0 } names ? names : s_defaultNames;

    public bool IsConfigured(string region) => Configured.Contains(region, StringComparer.Ordinal);
}
