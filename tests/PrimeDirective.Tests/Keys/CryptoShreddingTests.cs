using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Keys;

/// <summary>
/// Erased means unreadable: a subject's state is stored sealed under its own data key, and erasure destroys that key
/// first (fenced in the destruction ledger, evicted from every silo's cache), so no copy of the state opens again.
/// </summary>
public sealed class CryptoShreddingTests
{
    [Fact]
    public async Task Erasure_destroys_the_key_first_and_no_silo_of_three_opens_the_subjects_state_a_moment_later()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ThreeSilos>();
        Assert.Equal(3, service.Silos.Count);
        var bystander = await service.SignUpAsync();
        var person = await service.SignUpAsync();
        var users = Erasure.KeysOf(service).Users;
        var (userKey, bystanderKey) = (users.ForUser(person.UserId), users.ForUser(bystander.UserId));
        var context = SealedGrainStorage.ContextFor(userKey);
        var emailEntryKey = Erasure.KeysOf(service).Users.ForEmail(person.Region, person.Email);
        var emailEntryKeyId = Sealer.KeyIdOf(await SealedPayloadAsync(service.Database, emailEntryKey));

        // Stored sealed: a dump shows neither the name nor the address; the service reads both.
        var stored = await SealedPayloadAsync(service.Database, userKey);
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Name, openSealed: false));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Email, openSealed: false));
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(person.Name));

        // Every silo opens it now, and so holds the key in its cache.
        foreach (var silo in service.Silos)
        {
            Assert.NotNull(await SealerOf(silo).OpenAsync(context, stored));
        }

        var (requestId, receiptUrl) = await Erasure.EraseAsync(service, person);
        var receipt = await Erasure.CompletedReceiptAsync(service.Http, receiptUrl, TimeSpan.FromSeconds(60));

        // No silo opens the copy taken before the erasure: the key is gone from the store and from every cache.
        foreach (var silo in service.Silos)
        {
            Assert.Null(await SealerOf(silo).OpenAsync(context, stored));
        }

        var keyId = Sealer.KeyIdOf(stored);
        Assert.Equal(0L, await service.KeyStore.ScalarAsync<long>("select count(*) from data_keys where key_id = @id", ("id", keyId)));

        // No key is left for the subject at all: the one its proofs-only state was sealed under went with that row.
        Assert.Null(await service.Database.ScalarAsync<byte[]>("select payload_binary from grain_state where grain_id_extension_string = @key", ("key", userKey)));
        Assert.Equal(0L, await service.KeyStore.ScalarAsync<long>("select count(*) from data_keys where subject = @key", ("key", userKey)));

        // The email index entry's key goes too: a backup of the entry (which account claims the address) never opens.
        Assert.Equal(0L, await service.KeyStore.ScalarAsync<long>("select count(*) from data_keys where key_id = @id", ("id", emailEntryKeyId)));

        // The fence names the key (id, fingerprint), never the subject; the account's receipt names the same fingerprint.
        var fence = await service.Database.ScalarAsync<string>(
            "select row_to_json(f)::text from key_fences f where key_id = @id", ("id", keyId));
        Assert.NotNull(fence);
        Assert.DoesNotContain(userKey, fence, StringComparison.Ordinal);
        Assert.DoesNotContain(userKey.Split('/')[^1], fence, StringComparison.Ordinal);
        var fingerprint = JsonDocument.Parse(fence).RootElement.GetProperty("fingerprint").GetString();
        var account = receipt["receipts"]!.AsArray().Single(item => (string?)item!["subject"] == "account")!;
        Assert.Equal(fingerprint, (string?)account["keyFingerprint"]);
        Assert.Equal(requestId, (string?)account["requestId"]);

        // Nobody else's key or state was touched.
        var bystanderStored = await SealedPayloadAsync(service.Database, bystanderKey);
        Assert.NotNull(await SealerOf(service.Silos[0]).OpenAsync(SealedGrainStorage.ContextFor(bystanderKey), bystanderStored));
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(bystander.Name));
    }

    [Fact]
    public async Task A_sealed_state_copied_to_another_subject_does_not_open()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ServiceHost>();
        var (one, other) = (await service.SignUpAsync(), await service.SignUpAsync());
        var users = Erasure.KeysOf(service).Users;
        var (oneKey, otherKey) = (users.ForUser(one.UserId), users.ForUser(other.UserId));
        var stored = await SealedPayloadAsync(service.Database, oneKey);
        var sealer = SealerOf(service.Silos[0]);

        Assert.NotNull(await sealer.OpenAsync(SealedGrainStorage.ContextFor(oneKey), stored));
        await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(
            () => sealer.OpenAsync(SealedGrainStorage.ContextFor(otherKey), stored));

        // Copied into the other person's row, it is refused there too (the other person's own state is unchanged meanwhile).
        Assert.Contains(other.Name, await service.Database.GrainStateJsonAsync(otherKey), StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(
            () => service.Database.Sealer!.OpenAsync(SealedGrainStorage.ContextFor(otherKey), stored));
    }

    /// <summary>The sealed bytes of a grain's stored state (a copy, as a backup or dump would keep it).</summary>
    internal static async Task<byte[]> SealedPayloadAsync(TestDatabase database, string grainKey)
    {
        var payload = await database.ScalarAsync<byte[]>("select payload_binary from grain_state where grain_id_extension_string = @key", ("key", grainKey));
        Assert.NotNull(payload);
        using var document = JsonDocument.Parse(payload);
        return document.RootElement.GetProperty(SealedGrainStorage.Member).GetBytesFromBase64();
    }

    private static Sealer SealerOf(IHost silo) => silo.Services.GetRequiredService<Sealer>();

    /// <summary>Three unlabelled silos: a subject's grain lives on one of them, the other two only cache its key.</summary>
    public sealed class ThreeSilos : ServiceHost
    {
        protected override string Purpose => "shred3";

        protected override async Task StartSilosAsync()
        {
            for (var i = 0; i < 3; i++)
            {
                await StartSiloAsync();
            }
        }
    }
}
