using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Durability;

/// <summary>Two silo processes starting at the same moment on an empty database end up with one correct schema.</summary>
public sealed class ConcurrentSiloStartTests
{
    [Fact]
    public async Task Two_silos_starting_at_once_apply_the_schema_once_and_both_join()
    {
        await using var database = await TestDatabase.CreateAsync("twosilos");
        await using var keyStore = await TestDatabase.CreateAsync("twosilos_keys");
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var clusterId = $"two-{Guid.NewGuid():N}";
        var hosts = Enumerable.Range(0, 2).Select(_ => BuildSilo(database.ConnectionString, keyStore.ConnectionString, key, kek, clusterId)).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(host => host.StartAsync()));

            Assert.Equal((long)SchemaMigrator.Migrations.Count, await database.ScalarAsync<long>("select count(*) from schema_migration"));
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from orleansquery where querykey = 'WriteToStorageKey'"));
            Assert.Equal((long)SchemaMigrator.KeyStoreMigrations.Count, await keyStore.ScalarAsync<long>("select count(*) from key_store_migration"));
            var active = await Eventually.ReturnsAsync(
                () => database.ScalarAsync<long>("select count(*) from membership_member where deployment_id = @id and status = 3", ("id", clusterId)),
                count => count == 2,
                TimeSpan.FromSeconds(60),
                "both silos active in the membership table");
            Assert.Equal(2L, active);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }
    }

    private static IHost BuildSilo(string connectionString, string keyStore, string key, string kek, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:PrimeDirective"] = connectionString,
            ["ConnectionStrings:KeyStore"] = keyStore,
            ["KeyStore:Keks:1"] = kek,
            ["Privacy:PseudonymKey"] = key,
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:ServiceId"] = clusterId,
            ["Orleans:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Configuration.AddInMemoryCollection(TestCertificates.Cluster.Silo.Settings);
        builder.UseOrleans(silo => silo.AddPrimeDirective(builder.Configuration));
        return builder.Build();
    }
}
