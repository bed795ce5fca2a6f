using Microsoft.Extensions.Configuration;
using PrimeDirective.Grains.Interfaces.Regions;

namespace PrimeDirective.Grains.Regions;

/// <summary>
/// The regions this silo serves, from its <c>Orleans:Metadata:region</c> label (comma-separated). A silo with no
/// label is a development silo that serves every configured region; production silos carry exactly one.
/// </summary>
public sealed class SiloRegions
{
    public const string MetadataKey = "region";

    private SiloRegions(IReadOnlySet<string> served, bool labelled)
    {
        Served = served;
        Labelled = labelled;
    }

    public IReadOnlySet<string> Served { get; }

    /// <summary>Whether the label was configured (rather than defaulted to every region).</summary>
    public bool Labelled { get; }

    /// <summary>The label as it goes into silo metadata.</summary>
    public string Label => string.Join(',', Served.Order(StringComparer.Ordinal));

    public bool Serves(string region) => Served.Contains(region);

    public static SiloRegions From(IConfiguration configuration, RegionOptions regions)
    {
        var label = configuration[$"Orleans:Metadata:{MetadataKey}"];
        if (string.IsNullOrWhiteSpace(label))
        {
            return new SiloRegions(regions.Configured.ToHashSet(StringComparer.Ordinal), labelled: false);
        }

        var served = Parse(label);
        var unknown = served.Where(region => !regions.IsConfigured(region)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"Orleans:Metadata:region names regions that are not configured: {string.Join(", ", unknown)}.");
        }

        return new SiloRegions(served, labelled: true);
    }

    /// <summary>Parses a region label as carried in silo metadata.</summary>
    public static HashSet<string> Parse(string? label) =>
        (label ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
