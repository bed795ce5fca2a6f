using Microsoft.Extensions.Hosting;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Regions;

/// <summary>Three silos labelled eu, us and ap, each region with its own database beside the cluster database.</summary>
public class RegionalService : ServiceHost
{
    public static readonly string[] Regions = ["eu", "us", "ap"];

    public Dictionary<string, TestDatabase> RegionDatabases { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, IHost> SiloOf { get; } = new(StringComparer.Ordinal);

    protected override string Purpose => "regions";

    public override async Task InitializeAsync()
    {
        foreach (var region in Regions)
        {
            RegionDatabases[region] = await TestDatabase.CreateAsync($"region_{region}");
            Settings[$"Regions:Databases:{region}"] = RegionDatabases[region].ConnectionString;
        }

        await base.InitializeAsync();
    }

    /// <summary>Region databases read sealed state through the same key store as the cluster database.</summary>
    protected override async Task StartSilosAsync()
    {
        foreach (var database in RegionDatabases.Values)
        {
            database.Sealer = Database.Sealer;
        }

        foreach (var region in Regions)
        {
            SiloOf[region] = await StartSiloAsync(region);
        }
    }

    /// <summary>Every database of the service: the cluster's and each region's.</summary>
    public IEnumerable<(string Name, TestDatabase Database)> AllDatabases() =>
        RegionDatabases.Select(pair => (pair.Key, pair.Value)).Prepend(("cluster", Database));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var database in RegionDatabases.Values)
        {
            await database.DisposeAsync();
        }
    }
}
