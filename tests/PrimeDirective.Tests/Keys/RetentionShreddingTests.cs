using System.Net;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Keys;

/// <summary>
/// Expiry makes copies unreadable as erasure does: a cluster that retention forgets (every report expired, nothing else
/// kept) loses its data key, fenced, before its row goes, so the copies of its state and values that backups and dumps
/// took no longer open; no key is left for it in the key store.
/// </summary>
public sealed class RetentionShreddingTests
{
    [Fact]
    public async Task A_cluster_forgotten_by_retention_has_its_data_key_destroyed_and_fenced_so_a_copy_of_its_state_no_longer_opens()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ExpiringService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "198.51.100.241")))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        var copy = await CryptoShreddingTests.SealedPayloadAsync(service.Database, key);
        var keyId = Sealer.KeyIdOf(copy);
        var opener = service.Database.Sealer!;
        Assert.NotNull(await opener.OpenAsync(SealedGrainStorage.ContextFor(key), copy));

        // Every report expires (4 s), then the ids are forgotten and the row goes.
        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select count(*) from grain_state where grain_id_extension_string = @key", ("key", key)),
            rows => rows == 0, TimeSpan.FromSeconds(60), "the cluster forgotten");

        // Its key went before its row: none is left for the subject, the copy taken before opens nowhere, and the fence
        // names the key, never the subject.
        Assert.Equal(0L, await service.KeyStore.ScalarAsync<long>("select count(*) from data_keys where subject = @key or key_id = @id", ("key", key), ("id", keyId)));
        Assert.Null(await opener.OpenAsync(SealedGrainStorage.ContextFor(key), copy));
        var fence = await service.Database.ScalarAsync<string>("select row_to_json(f)::text from key_fences f where key_id = @id", ("id", keyId));
        Assert.NotNull(fence);
        Assert.DoesNotContain(key.Split('/')[^1], fence, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster, fence, StringComparison.Ordinal);
        Assert.Equal(0L, await service.Database.CountRowsContainingAsync(cluster));

        // A cluster that reports after it was forgotten is a new incarnation with a new key.
        using (var again = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var reborn = await service.KeyStore.ScalarAsync<Guid?>("select key_id from data_keys where subject = @key", ("key", key));
        Assert.NotNull(reborn);
        Assert.NotEqual(keyId, reborn);
    }

    /// <summary>Addresses expire in 2 s, reports in 4 s; reminders every second.</summary>
    public sealed class ExpiringService : ServiceHost
    {
        public ExpiringService()
        {
            Settings["Retention:IpAddress"] = "00:00:02";
            Settings["Retention:RawReport"] = "00:00:04";
            Settings["Retention:RetryPeriod"] = "00:00:01";
        }

        protected override string Purpose => "expiry-shred";

        protected override void ConfigureSilo(ISiloBuilder silo) =>
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }
}
