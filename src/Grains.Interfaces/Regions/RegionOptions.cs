namespace PrimeDirective.Grains.Interfaces.Regions;

/// <summary>The regions data may live in (configuration section <c>Regions</c>).</summary>
public sealed class RegionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Regions";

    private static readonly string[] s_defaultNames = ["eu", "us", "ap"];

    /// <summary>Configured region names; <c>eu</c>, <c>us</c>, <c>ap</c> when none are configured.</summary>
    public string[]? Names { get; set; }

    /// <summary>The region of requests that name none.</summary>
    public string Home { get; set; } = "eu";

    /// <summary>The regions data may live in.</summary>
    public IReadOnlyList<string> Configured => Names is { Length: > 0 } names ? names : s_defaultNames;

    /// <summary>Whether <paramref name="region"/> is one of <see cref="Configured"/>.</summary>
    public bool IsConfigured(string region) => Configured.Contains(region, StringComparer.Ordinal);
}
