using System.Net;
using System.Text;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Keys;

/// <summary>
/// The report row's IP address is sealed per value, under a key derived from its cluster's data key and the key of its
/// own expiry epoch: a dump of the row shows no address in any readable encoding, while the cluster's export shows it.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class ReportAddressSealingTests(SharedService service)
{
    [Fact]
    public async Task The_raw_report_row_holds_no_readable_address_while_the_export_still_shows_it_before_its_expiry()
    {
        var (cluster, bootstrap, address) = (Flynn.NewId(), Flynn.NewId(), Flynn.NewAddress());
        var neighbour = (Cluster: Flynn.NewId(), Bootstrap: Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        using (var other = await service.Http.SendAsync(Flynn.SchedulerReport(neighbour.Cluster, neighbour.Bootstrap, forwardedFor: "192.0.2.201")))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        // The export shows the address, with its expiry.
        using var get = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var ip = (await Json.ReadAsync(get))["items"]!.AsArray().Single(item => (string?)item!["category"] == "ip-address")!;
        Assert.Equal(address, (string?)ip["value"]);
        var expiresAt = (DateTimeOffset)ip["expiresAt"]!;

        // What a dump shows: no address plain, in hex or in base64, in any table.
        var bytes = Encoding.UTF8.GetBytes(address);
        foreach (var needle in new[] { address, Convert.ToHexString(bytes), Convert.ToBase64String(bytes) })
        {
            Assert.Equal(0L, await service.Database.CountRowsContainingAsync(needle, openSealed: false));
        }

        // The column holds a value sealed under the cluster's key and the epoch of its expiry day (a key of its own, with its day).
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        var stored = await service.Database.ScalarAsync<string>("select ip_address from report where subject_key = @key", ("key", key));
        var reportId = await service.Database.ScalarAsync<string>("select report_id from report where subject_key = @key", ("key", key));
        Assert.True(Sealer.IsSealedText(stored));
        var raw = Convert.FromBase64String(stored!);
        Assert.Equal(Sealer.DerivedFormatVersion, raw[0]);
        var epochName = new KeyEpoch("eu", "ip-address", DateOnly.FromDateTime(expiresAt.UtcDateTime)).Name;
        Assert.Equal(epochName, await service.KeyStore.ScalarAsync<string>("select subject from data_keys where key_id = @id", ("id", Sealer.SecondKeyIdOf(raw)!.Value)));
        Assert.Equal(DateOnly.FromDateTime(expiresAt.UtcDateTime), await service.KeyStore.ScalarAsync<DateOnly>("select epoch_day from data_keys where key_id = @id", ("id", Sealer.SecondKeyIdOf(raw)!.Value)));
        Assert.Equal(key, await service.KeyStore.ScalarAsync<string>("select subject from data_keys where key_id = @id", ("id", Sealer.KeyIdOf(raw))));

        // It opens for its row, and the service's view (opened) counts it once; the neighbour's address is its own.
        Assert.Equal(address, await service.Database.Sealer!.OpenTextAsync(ReportAddressSealing.ContextFor(key, reportId!), stored!));
        Assert.Equal(1L, await service.Database.CountRowsContainingAsync(address));
        Assert.Equal(1L, await service.Database.CountRowsContainingAsync("192.0.2.201"));
    }
}
