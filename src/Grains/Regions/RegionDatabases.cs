using PrimeDirective.Grains.Interfaces.Regions;

namespace PrimeDirective.Grains.Regions;

/// <summary>The connection string of each region's database this silo serves.</summary>
public sealed class RegionDatabases(IReadOnlyDictionary<string, string> databases)
{
    /// <summary>Each database once (regions may share one).</summary>
    public IReadOnlyList<string> All { get; } = [.. databases.Values.Distinct(StringComparer.Ordinal)];

    /// <summary>Each region this silo serves, with its database's connection string.</summary>
    public IReadOnlyDictionary<string, string> ByRegion => databases;

    public string For(string region) =>
        databases.TryGetValue(region, out var connectionString) ? connectionString : throw new RegionUnavailableException(region);
}
