using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Keys;

/// <summary>
/// Expiry makes every copy unreadable: once the day of an address's expiry is over (by the policy clock), each silo's
/// sweep destroys that day's epoch key, so a copy of the address taken before (a backup, a dump) no longer opens, while
/// the cluster's other values still do. A held cluster's address was re-sealed under its hold's key first, and still opens.
/// </summary>
public sealed class EpochKeyShreddingTests
{
    [Fact]
    public async Task After_its_day_an_address_copy_no_longer_opens_the_subjects_state_still_does_and_a_held_clusters_address_survives_under_its_hold_key()
    {
        await using var service = await ServiceHost.StartOwnedAsync<EpochService>();
        var keys = Erasure.KeysOf(service).Clusters;
        var (held, loose) = ((Cluster: Flynn.NewId(), Bootstrap: Flynn.NewId()), (Cluster: Flynn.NewId(), Bootstrap: Flynn.NewId()));
        foreach (var (cluster, bootstrap, address) in new[] { (held.Cluster, held.Bootstrap, "203.0.113.71"), (loose.Cluster, loose.Bootstrap, "203.0.113.72") })
        {
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var (heldKey, looseKey) = (keys.For("eu", held.Cluster), keys.For("eu", loose.Cluster));
        var grains = service.Silos[0].Services.GetRequiredService<IGrainFactory>();
        var hold = new LegalHold("litigation", "case-22", service.Clock.GetUtcNow(), null, "officer-1");
        Assert.True(await grains.GetGrain<IClusterGrain>(heldKey).PlaceLegalHoldAsync(hold));

        // Copies taken now, as a backup would keep them: both open before the day is over.
        var (heldCopy, heldReport) = await AddressAsync(service, heldKey);
        var (looseCopy, looseReport) = await AddressAsync(service, looseKey);
        var opener = service.Database.Sealer!;
        Assert.Equal("203.0.113.71", await opener.OpenTextAsync(ReportAddressSealing.ContextFor(heldKey, heldReport), heldCopy));
        Assert.Equal("203.0.113.72", await opener.OpenTextAsync(ReportAddressSealing.ContextFor(looseKey, looseReport), looseCopy));
        var epochKey = Sealer.SecondKeyIdOf(Convert.FromBase64String(looseCopy))!.Value;
        Assert.Equal(epochKey, Sealer.SecondKeyIdOf(Convert.FromBase64String(heldCopy)));
        var looseState = await CryptoShreddingTests.SealedPayloadAsync(service.Database, looseKey);

        // A day short of the epoch's end, the sweeps (every second) leave its key.
        service.Clock.Advance(TimeSpan.FromDays(30));
        await SweptAsync(service);
        Assert.Equal(1L, await KeyCountAsync(service, epochKey));

        // The day after the epoch's day, its key goes (fenced, no subject in the fence).
        service.Clock.Advance(TimeSpan.FromDays(2));
        await Eventually.ReturnsAsync(() => KeyCountAsync(service, epochKey), count => count == 0, TimeSpan.FromSeconds(60), "the epoch key destroyed");
        var fence = await service.Database.ScalarAsync<string>("select row_to_json(f)::text from key_fences f where key_id = @id", ("id", epochKey));
        Assert.NotNull(fence);
        Assert.DoesNotContain(looseKey.Split('/')[^1], fence, StringComparison.Ordinal);
        Assert.DoesNotContain(heldKey.Split('/')[^1], fence, StringComparison.Ordinal);

        // The copies sealed under it no longer open, the held cluster's old copy included; the cluster's state still opens.
        Assert.Null(await opener.OpenTextAsync(ReportAddressSealing.ContextFor(looseKey, looseReport), looseCopy));
        Assert.Null(await opener.OpenTextAsync(ReportAddressSealing.ContextFor(heldKey, heldReport), heldCopy));
        Assert.NotNull(await opener.OpenAsync(SealedGrainStorage.ContextFor(looseKey), looseState));

        // The held cluster's row was re-sealed under its hold's key before: it still opens, and its export still shows it.
        var (resealed, _) = await AddressAsync(service, heldKey);
        var holdKey = Sealer.SecondKeyIdOf(Convert.FromBase64String(resealed))!.Value;
        Assert.NotEqual(epochKey, holdKey);
        Assert.Equal(
            ReportAddressSealing.HoldKeyName(heldKey, hold.PlacedAt),
            await service.KeyStore.ScalarAsync<string>("select subject from data_keys where key_id = @id and epoch_day is null", ("id", holdKey)));
        Assert.Equal("203.0.113.71", await opener.OpenTextAsync(ReportAddressSealing.ContextFor(heldKey, heldReport), resealed));
        Assert.Equal(1L, await service.Database.CountRowsContainingAsync("203.0.113.71"));
        Assert.Equal(0L, await service.Database.CountRowsContainingAsync("203.0.113.72"));
    }

    [Fact]
    public async Task When_a_hold_is_lifted_its_hold_key_is_destroyed_so_the_address_it_kept_past_its_epoch_no_longer_opens_anywhere()
    {
        await using var service = await ServiceHost.StartOwnedAsync<EpochService>();
        var keys = Erasure.KeysOf(service).Clusters;
        var (lifted, kept) = ((Cluster: Flynn.NewId(), Bootstrap: Flynn.NewId()), (Cluster: Flynn.NewId(), Bootstrap: Flynn.NewId()));
        foreach (var (cluster, bootstrap, address) in new[] { (lifted.Cluster, lifted.Bootstrap, "203.0.113.81"), (kept.Cluster, kept.Bootstrap, "203.0.113.82") })
        {
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var (liftedKey, keptKey) = (keys.For("eu", lifted.Cluster), keys.For("eu", kept.Cluster));
        var grains = service.Silos[0].Services.GetRequiredService<IGrainFactory>();
        foreach (var key in new[] { liftedKey, keptKey })
        {
            Assert.True(await grains.GetGrain<IClusterGrain>(key).PlaceLegalHoldAsync(new LegalHold("litigation", "case-22", service.Clock.GetUtcNow(), null, "officer-1")));
        }

        // Past the addresses' epoch: both are re-sealed under their own hold's key, and the copies taken now open.
        var (_, liftedReport) = await AddressAsync(service, liftedKey);
        var (_, keptReport) = await AddressAsync(service, keptKey);
        var epochKey = Sealer.SecondKeyIdOf(Convert.FromBase64String((await AddressAsync(service, liftedKey)).Stored))!.Value;
        service.Clock.Advance(TimeSpan.FromDays(32));
        await Eventually.ReturnsAsync(() => KeyCountAsync(service, epochKey), count => count == 0, TimeSpan.FromSeconds(60), "the epoch key destroyed");
        var (liftedCopy, _) = await AddressAsync(service, liftedKey);
        var (keptCopy, _) = await AddressAsync(service, keptKey);
        var (liftedHoldKey, keptHoldKey) = (Sealer.SecondKeyIdOf(Convert.FromBase64String(liftedCopy))!.Value, Sealer.SecondKeyIdOf(Convert.FromBase64String(keptCopy))!.Value);
        Assert.NotEqual(epochKey, liftedHoldKey);
        Assert.NotEqual(liftedHoldKey, keptHoldKey);
        var opener = service.Database.Sealer!;
        Assert.Equal("203.0.113.81", await opener.OpenTextAsync(ReportAddressSealing.ContextFor(liftedKey, liftedReport), liftedCopy));
        var liftedState = await CryptoShreddingTests.SealedPayloadAsync(service.Database, liftedKey);

        // The hold ends: its key goes (fenced, without a subject), so the copy kept under it opens nowhere, and the live row goes.
        Assert.True(await grains.GetGrain<IClusterGrain>(liftedKey).LiftLegalHoldAsync("officer-1"));
        await Eventually.ReturnsAsync(() => KeyCountAsync(service, liftedHoldKey), count => count == 0, TimeSpan.FromSeconds(60), "the hold key destroyed");
        Assert.Null(await opener.OpenTextAsync(ReportAddressSealing.ContextFor(liftedKey, liftedReport), liftedCopy));
        var fence = await service.Database.ScalarAsync<string>("select row_to_json(f)::text from key_fences f where key_id = @id", ("id", liftedHoldKey));
        Assert.NotNull(fence);
        Assert.DoesNotContain(liftedKey.Split('/')[^1], fence, StringComparison.Ordinal);
        Assert.Equal(0L, await service.KeyStore.ScalarAsync<long>(
            "select count(*) from data_keys where starts_with(subject, @prefix)", ("prefix", ReportAddressSealing.HoldKeyPrefix(liftedKey))));
        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select count(*) from report where subject_key = @key and ip_address is not null", ("key", liftedKey)),
            count => count == 0, TimeSpan.FromSeconds(60), "the expired address deleted");

        // Only that: the cluster's own key and state still open, and the cluster still held keeps its hold key and its address.
        Assert.NotNull(await opener.OpenAsync(SealedGrainStorage.ContextFor(liftedKey), liftedState));
        Assert.Equal(1L, await KeyCountAsync(service, keptHoldKey));
        Assert.Equal("203.0.113.82", await opener.OpenTextAsync(ReportAddressSealing.ContextFor(keptKey, keptReport), keptCopy));
        Assert.Equal(1L, await service.Database.CountRowsContainingAsync("203.0.113.82"));
    }

    [Fact]
    public async Task A_hold_recorded_without_the_hold_key_flag_as_the_previous_release_writes_it_still_loses_its_hold_key_when_lifted()
    {
        await using var service = await ServiceHost.StartOwnedAsync<EpochService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "203.0.113.83")))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        var grains = service.Silos[0].Services.GetRequiredService<IGrainFactory>();
        Assert.True(await grains.GetGrain<IClusterGrain>(key).PlaceLegalHoldAsync(new LegalHold("litigation", "case-23", service.Clock.GetUtcNow(), null, "officer-1")));
        var (stored, reportId) = await AddressAsync(service, key);
        var epochKey = Sealer.SecondKeyIdOf(Convert.FromBase64String(stored))!.Value;
        service.Clock.Advance(TimeSpan.FromDays(32));
        await Eventually.ReturnsAsync(() => KeyCountAsync(service, epochKey), count => count == 0, TimeSpan.FromSeconds(60), "the epoch key destroyed");
        var (copy, _) = await AddressAsync(service, key);
        var holdKey = Sealer.SecondKeyIdOf(Convert.FromBase64String(copy))!.Value;
        Assert.NotEqual(epochKey, holdKey);

        // The state as a silo of the previous release writes it back during a rolling upgrade: the hold, without the flag it does not know.
        await service.StopSiloAsync(service.Silos[0]);
        Assert.True(await service.Database.RewriteGrainStateAsync(key, json => json.Replace("\"HoldKeysMayExist\":true", "\"Unknown\":true", StringComparison.Ordinal)));
        var silo = await service.StartSiloAsync();

        // Lifted: its hold key goes all the same, and the copy kept under it opens nowhere.
        Assert.True(await silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IClusterGrain>(key).LiftLegalHoldAsync("officer-1"));
        await Eventually.ReturnsAsync(() => KeyCountAsync(service, holdKey), count => count == 0, TimeSpan.FromSeconds(60), "the hold key destroyed");
        var opener = service.Database.Sealer!;
        Assert.Null(await opener.OpenTextAsync(ReportAddressSealing.ContextFor(key, reportId), copy));

        // Only that: the cluster's own key still opens its state.
        Assert.NotNull(await service.Database.GrainStateJsonAsync(key));
    }

    private static async Task<(string Stored, string ReportId)> AddressAsync(ServiceHost service, string subjectKey)
    {
        var stored = await service.Database.ScalarAsync<string>("select ip_address from report where subject_key = @key", ("key", subjectKey));
        var reportId = await service.Database.ScalarAsync<string>("select report_id from report where subject_key = @key", ("key", subjectKey));
        Assert.True(Sealer.IsSealedText(stored));
        return (stored!, reportId!);
    }

    private static Task<long> KeyCountAsync(ServiceHost service, Guid keyId) =>
        service.KeyStore.ScalarAsync<long>("select count(*) from data_keys where key_id = @id", ("id", keyId));

    /// <summary>Waits until a sweep has run after this point: a marker epoch key whose day is long over is destroyed.</summary>
    private static async Task SweptAsync(EpochService service)
    {
        var marker = await service.Silos[0].Services.GetRequiredService<Sealer>()
            .EpochKeyAsync(new KeyEpoch("eu", "marker", DateOnly.FromDateTime(service.Clock.GetUtcNow().UtcDateTime).AddDays(-3)));
        await Eventually.ReturnsAsync(() => KeyCountAsync(service, marker.Id), count => count == 0, TimeSpan.FromSeconds(60), "a sweep ran");
    }

    /// <summary>The policy's clock moved by the test; the epoch sweep runs every second (its timer keeps real time).</summary>
    public sealed class EpochService : ServiceHost
    {
        public EpochService() => Settings["KeyStore:EpochSweepInterval"] = "00:00:01";

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Purpose => "epochs";

        protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
    }
}
