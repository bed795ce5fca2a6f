using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Keys;

/// <summary>
/// No restore resurrects anyone: backups (<c>pg_dump</c>) of the region database and the key store are taken before an
/// erasure and before an expiry wave; after both, the dumps are restored into fresh databases, where the erased person
/// and the expired addresses open again, until <c>restore-fences</c> reads the fence log (outside both databases) and
/// destroys again every key fenced since, and deletes the erased person's rows again. A held address still opens.
/// </summary>
public sealed class RestoreFencesTests
{
    [Fact]
    public async Task After_a_restore_of_both_databases_restore_fences_destroys_the_erased_persons_keys_and_rows_again_and_leaves_others_alone()
    {
        await using var service = await ServiceHost.StartOwnedAsync<FencedService>();
        var bystander = await service.SignUpAsync();
        var person = await service.SignUpAsync();
        var users = Erasure.KeysOf(service).Users;
        var (personKey, bystanderKey) = (users.ForUser(person.UserId), users.ForUser(bystander.UserId));

        // The keys the erasure destroys (the email index entry's key is not destroyed by an erasure today: nothing to fence).
        var erasedKeys = new[] { personKey };
        var stored = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in erasedKeys.Append(bystanderKey))
        {
            stored[key] = await CryptoShreddingTests.SealedPayloadAsync(service.Database, key);
        }

        // The backups, taken before the erasure; the fence log holds nothing yet.
        var (dataDump, keysDump) = (await PostgresTools.DumpAsync(service.Database), await PostgresTools.DumpAsync(service.KeyStore));
        var since = DateTimeOffset.UtcNow;
        var (_, receiptUrl) = await Erasure.EraseAsync(service, person);
        await Erasure.CompletedReceiptAsync(service.Http, receiptUrl, TimeSpan.FromSeconds(60));
        Assert.Null(await service.Database.Sealer!.OpenAsync(SealedGrainStorage.ContextFor(personKey), stored[personKey]));

        // Every destroyed key was logged outside both databases before it went: id, fingerprint, KEK version, region; no subject.
        var logged = await new DirectoryFenceLog(service.FenceLogDirectory).ReadAsync();
        var personKeyId = Sealer.KeyIdOf(stored[personKey]);
        Assert.Contains(logged, record => record.KeyId == personKeyId && record.Region == "eu" && record.FencedAt >= since);
        foreach (var file in Directory.GetFiles(service.FenceLogDirectory))
        {
            var text = await File.ReadAllTextAsync(file);
            Assert.DoesNotContain(personKey.Split('/')[^1], text, StringComparison.Ordinal);
            Assert.DoesNotContain(person.Email, text, StringComparison.OrdinalIgnoreCase);
        }

        // The restore: both databases from their backups. The erased person is back, openable.
        await using var data = await PostgresTools.RestoreAsync(dataDump, "restored");
        await using var keys = await PostgresTools.RestoreAsync(keysDump, "keys_restored");
        data.Sealer = TestSealing.Opener(keys.ConnectionString, service.Settings["KeyStore:Keks:1"]!);
        foreach (var key in erasedKeys)
        {
            Assert.NotNull(await data.GrainStateJsonAsync(key));
        }

        Assert.Equal(1, await data.CountRowsContainingAsync(person.Name));

        var output = new StringWriter();
        Assert.Equal(0, await FenceRestoreCommand.RunAsync(service.RestoreArguments(data, keys, since), output));
        Assert.Contains("key(s) destroyed again", output.ToString(), StringComparison.Ordinal);

        // Nothing of the person opens: no state row is left, no copy taken before opens, no key of theirs is in the store.
        foreach (var key in erasedKeys)
        {
            Assert.Equal(0L, await data.ScalarAsync<long>("select count(*) from grain_state where grain_id_extension_string = @key", ("key", key)));
            Assert.Null(await data.Sealer.OpenAsync(SealedGrainStorage.ContextFor(key), stored[key]));
            Assert.Equal(0L, await keys.ScalarAsync<long>("select count(*) from data_keys where subject = @key", ("key", key)));
            Assert.Equal(0L, await data.ScalarAsync<long>("select count(*) from subject_registry where subject_key = @key", ("key", key)));
        }

        Assert.Equal(0, await data.CountRowsContainingAsync(person.Name));
        Assert.Equal(0, await data.CountRowsContainingAsync(person.Email));
        Assert.Equal(1L, await data.ScalarAsync<long>("select count(*) from key_fences where key_id = @id", ("id", personKeyId)));

        // The bystander's state, key and registry entry are as they were.
        Assert.NotNull(await data.Sealer.OpenAsync(SealedGrainStorage.ContextFor(bystanderKey), stored[bystanderKey]));
        Assert.Equal(1, await data.CountRowsContainingAsync(bystander.Name));
        Assert.Equal(1L, await data.ScalarAsync<long>("select count(*) from subject_registry where subject_key = @key", ("key", bystanderKey)));

        File.Delete(dataDump);
        File.Delete(keysDump);
    }

    [Fact]
    public async Task After_a_restore_of_both_databases_restore_fences_destroys_an_expired_epoch_key_again_and_a_held_address_still_opens()
    {
        await using var service = await ServiceHost.StartOwnedAsync<FencedEpochService>();
        var clusters = Erasure.KeysOf(service).Clusters;
        var (held, loose) = ((Cluster: Flynn.NewId(), Bootstrap: Flynn.NewId()), (Cluster: Flynn.NewId(), Bootstrap: Flynn.NewId()));
        foreach (var (cluster, bootstrap, address) in new[] { (held.Cluster, held.Bootstrap, "203.0.113.81"), (loose.Cluster, loose.Bootstrap, "203.0.113.82") })
        {
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        var (heldKey, looseKey) = (clusters.For("eu", held.Cluster), clusters.For("eu", loose.Cluster));
        var grains = service.Silos[0].Services.GetRequiredService<IGrainFactory>();
        Assert.True(await grains.GetGrain<IClusterGrain>(heldKey).PlaceLegalHoldAsync(new LegalHold("litigation", "case-23", service.Clock.GetUtcNow(), null, "officer-1")));
        var looseCopy = await AddressAsync(service.Database, looseKey);
        var epochKey = Sealer.SecondKeyIdOf(Convert.FromBase64String(looseCopy.Stored))!.Value;

        // The backups, taken before the wave; then the epoch's day passes and the sweep destroys its key.
        var (dataDump, keysDump) = (await PostgresTools.DumpAsync(service.Database), await PostgresTools.DumpAsync(service.KeyStore));
        service.Clock.Advance(TimeSpan.FromDays(32));
        await Eventually.ReturnsAsync(
            () => service.KeyStore.ScalarAsync<long>("select count(*) from data_keys where key_id = @id", ("id", epochKey)),
            count => count == 0, TimeSpan.FromSeconds(60), "the epoch key destroyed");
        Assert.Contains(await new DirectoryFenceLog(service.FenceLogDirectory).ReadAsync(), record => record.KeyId == epochKey);

        // The restore: both addresses are back under the epoch key, and open.
        await using var data = await PostgresTools.RestoreAsync(dataDump, "restored_epochs");
        await using var keys = await PostgresTools.RestoreAsync(keysDump, "keys_restored_epochs");
        var opener = data.Sealer = TestSealing.Opener(keys.ConnectionString, service.Settings["KeyStore:Keks:1"]!);
        var (restoredLoose, restoredHeld) = (await AddressAsync(data, looseKey), await AddressAsync(data, heldKey));
        Assert.Equal(epochKey, Sealer.SecondKeyIdOf(Convert.FromBase64String(restoredHeld.Stored)));
        Assert.Equal("203.0.113.82", await opener.OpenTextAsync(ReportAddressSealing.ContextFor(looseKey, restoredLoose.ReportId), restoredLoose.Stored));

        Assert.Equal(0, await FenceRestoreCommand.RunAsync(service.RestoreArguments(data, keys, since: null), new StringWriter()));

        // The expired address opens nowhere, neither as restored nor as backed up; the epoch key is gone again.
        Assert.Null(await opener.OpenTextAsync(ReportAddressSealing.ContextFor(looseKey, restoredLoose.ReportId), restoredLoose.Stored));
        Assert.Null(await opener.OpenTextAsync(ReportAddressSealing.ContextFor(looseKey, looseCopy.ReportId), looseCopy.Stored));
        Assert.Equal(0L, await keys.ScalarAsync<long>("select count(*) from data_keys where key_id = @id", ("id", epochKey)));
        Assert.Equal(1L, await data.ScalarAsync<long>("select count(*) from key_fences where key_id = @id", ("id", epochKey)));

        // The held address was re-sealed under its hold's key first, and still opens; the clusters' own keys are untouched.
        var resealed = await AddressAsync(data, heldKey);
        Assert.NotEqual(epochKey, Sealer.SecondKeyIdOf(Convert.FromBase64String(resealed.Stored)));
        Assert.Equal("203.0.113.81", await opener.OpenTextAsync(ReportAddressSealing.ContextFor(heldKey, resealed.ReportId), resealed.Stored));
        foreach (var cluster in new[] { heldKey, looseKey })
        {
            Assert.Equal(1L, await keys.ScalarAsync<long>("select count(*) from data_keys where subject = @key", ("key", cluster)));
            Assert.NotNull(await data.Sealer!.OpenAsync(SealedGrainStorage.ContextFor(cluster), await CryptoShreddingTests.SealedPayloadAsync(data, cluster)));
        }

        File.Delete(dataDump);
        File.Delete(keysDump);
    }

    private static async Task<(string Stored, string ReportId)> AddressAsync(TestDatabase database, string subjectKey)
    {
        var stored = await database.ScalarAsync<string>("select ip_address from report where subject_key = @key", ("key", subjectKey));
        var reportId = await database.ScalarAsync<string>("select report_id from report where subject_key = @key", ("key", subjectKey));
        Assert.True(Sealer.IsSealedText(stored));
        return (stored!, reportId!);
    }

    /// <summary>A service whose fence log is a directory of its own.</summary>
    public class FencedService : ServiceHost
    {
        public FencedService() => Settings["Keys:FenceLog"] = FenceLogDirectory;

        public string FenceLogDirectory { get; } = Path.Combine(Path.GetTempPath(), $"pd-fences-{Guid.NewGuid():N}");

        protected override string Purpose => "fences";

        /// <summary>The arguments an operator gives <c>restore-fences</c> after restoring into <paramref name="data"/> and <paramref name="keys"/>.</summary>
        public string[] RestoreArguments(TestDatabase data, TestDatabase keys, DateTimeOffset? since) =>
        [
            "--ConnectionStrings:PrimeDirective", data.ConnectionString,
            "--ConnectionStrings:KeyStore", keys.ConnectionString,
            "--KeyStore:Keks:1", Settings["KeyStore:Keks:1"]!,
            "--Keys:FenceLog", FenceLogDirectory,
            .. since is { } at ? new[] { "--since", at.ToString("O", CultureInfo.InvariantCulture) } : [],
        ];
    }

    /// <summary>The policy's clock moved by the test; the epoch sweep runs every second (its timer keeps real time).</summary>
    public sealed class FencedEpochService : FencedService
    {
        public FencedEpochService() => Settings["KeyStore:EpochSweepInterval"] = "00:00:01";

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Purpose => "fence_epochs";

        protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
    }
}
