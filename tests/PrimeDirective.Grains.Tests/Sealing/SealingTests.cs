using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.Sealing;

/// <summary>The sealing format, the key store's KEK versions, the cache's eviction, and grain state sealed whole.</summary>
public sealed class SealingTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_sealed_value_is_version_key_id_nonce_ciphertext_and_tag_and_holds_no_plain_text()
    {
        var (sealer, _) = NewSealer(new InMemoryKeyRows(), Keks(("1", NewKek())));
        var context = new SealContext("report_item", "message", "eu/subject-a", "row-1");
        var plain = Encoding.UTF8.GetBytes("canary-7f3a stack trace");

        var sealedValue = await sealer.SealAsync(context, plain);
        var key = await sealer.CurrentKeyAsync("eu/subject-a");

        Assert.Equal(Sealer.FormatVersion, sealedValue[0]);
        Assert.Equal(key.Id, Sealer.KeyIdOf(sealedValue));
        Assert.Equal(1 + 16 + 12 + plain.Length + 16, sealedValue.Length);
        Assert.Equal(-1, sealedValue.AsSpan().IndexOf(plain));
        Assert.Equal(plain, await sealer.OpenAsync(context, sealedValue));

        // Two seals of the same value differ (fresh nonce each time).
        Assert.NotEqual(sealedValue, await sealer.SealAsync(context, plain));
    }

    [Theory]
    [InlineData("store")]
    [InlineData("column")]
    [InlineData("subject")]
    [InlineData("row")]
    public async Task A_value_copied_to_another_store_column_subject_or_row_fails_to_open(string changed)
    {
        var (sealer, _) = NewSealer(new InMemoryKeyRows(), Keks(("1", NewKek())));
        var context = new SealContext("third_party_records", "value", "eu/subject-b", "row-1");
        var sealedValue = await sealer.SealAsync(context, "canary"u8.ToArray());
        var elsewhere = changed switch
        {
            "store" => context with { Store = "packages" },
            "column" => context with { Column = "other" },
            "subject" => context with { Subject = "eu/subject-c" },
            _ => context with { RowId = "row-2" },
        };

        await Assert.ThrowsAnyAsync<CryptographicException>(() => sealer.OpenAsync(elsewhere, sealedValue));
        Assert.Equal("canary"u8.ToArray(), await sealer.OpenAsync(context, sealedValue));
    }

    [Fact]
    public async Task A_destroyed_key_opens_nothing_and_the_subject_returns_as_a_new_incarnation_with_a_new_key()
    {
        var (sealer, store) = NewSealer(new InMemoryKeyRows(), Keks(("1", NewKek())));
        var context = new SealContext("grain-state", "payload", "eu/subject-d", "eu/subject-d");
        var sealedValue = await sealer.SealAsync(context, "canary"u8.ToArray());
        var old = await sealer.CurrentKeyAsync("eu/subject-d");

        Assert.True(await store.DestroyAsync(old.Id));
        sealer.Cache.Evict("eu/subject-d", old.Id);

        Assert.Null(await sealer.OpenAsync(context, sealedValue));
        var fresh = await sealer.CurrentKeyAsync("eu/subject-d");
        Assert.NotEqual(old.Id, fresh.Id);
        Assert.NotEqual(old.Fingerprint, fresh.Fingerprint);
    }

    [Fact]
    public async Task An_evicted_key_is_not_cached_again_by_a_fetch_that_raced_its_destruction()
    {
        var options = Options.Create(new KeyStoreOptions());
        var cache = new KeyCache(options, _clock);
        var key = new DataKey(Guid.NewGuid(), "eu/subject-e", 1, RandomNumberGenerator.GetBytes(32), "fp");

        cache.Put(key, current: true);
        Assert.Same(key, cache.ById(key.Id));
        cache.Evict(key.Subject, key.Id);
        cache.Put(key, current: true);

        Assert.Null(cache.ById(key.Id));
        Assert.Null(cache.Current(key.Subject));
    }

    [Fact]
    public void The_cache_holds_at_most_its_size_and_forgets_keys_after_its_lifetime()
    {
        var cache = new KeyCache(Options.Create(new KeyStoreOptions { CacheSize = 4, CacheLifetime = TimeSpan.FromMinutes(2) }), _clock);
        var keys = Enumerable.Range(0, 10).Select(i => new DataKey(Guid.NewGuid(), $"eu/s{i}", 1, RandomNumberGenerator.GetBytes(32), "fp")).ToList();
        foreach (var key in keys)
        {
            cache.Put(key, current: true);
        }

        Assert.InRange(keys.Count(key => cache.ById(key.Id) is not null), 1, 4);
        Assert.NotNull(cache.ById(keys[^1].Id));
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.All(keys, key => Assert.Null(cache.ById(key.Id)));
    }

    [Fact]
    public async Task Keys_wrapped_under_an_older_kek_version_still_open_after_rotation_and_new_keys_record_the_active_version()
    {
        var rows = new InMemoryKeyRows();
        var (first, second) = (NewKek(), NewKek());
        var (before, _) = NewSealer(rows, Keks(("1", first)));
        var context = new SealContext("grain-state", "payload", "eu/subject-f", "eu/subject-f");
        var sealedValue = await before.SealAsync(context, "canary"u8.ToArray());
        Assert.Equal(1, (await rows.FindBySubjectAsync("eu/subject-f"))!.KekVersion);

        var (after, _) = NewSealer(rows, Keks(("1", first), ("2", second)));
        Assert.Equal("canary"u8.ToArray(), await after.OpenAsync(context, sealedValue));
        await after.SealAsync(context with { Subject = "eu/subject-g", RowId = "eu/subject-g" }, "x"u8.ToArray());
        Assert.Equal(2, (await rows.FindBySubjectAsync("eu/subject-g"))!.KekVersion);

        // Without version 1 configured, its keys do not unwrap: nothing opens by accident under another KEK.
        var (without, _) = NewSealer(rows, Keks(("2", second)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => without.OpenAsync(context, sealedValue));
    }

    [Fact]
    public void Durable_mode_without_a_kek_refuses_to_start_and_a_kek_of_the_wrong_size_is_named()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => new KeyEncryptionKeys(Options.Create(new KeyStoreOptions()), mayDrawRandom: false));
        Assert.Contains("KeyStore:Keks", missing.Message, StringComparison.Ordinal);
        var wrong = Assert.Throws<InvalidOperationException>(() => Keks(("3", Convert.ToBase64String(new byte[16]))));
        Assert.Contains("KeyStore:Keks:3", wrong.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(new byte[16]), wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keks_are_read_from_a_directory_of_files_named_by_version()
    {
        var directory = Directory.CreateTempSubdirectory("pd-keks-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "4"), NewKek() + "\n");
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "7"), NewKek());
            var keks = new KeyEncryptionKeys(Options.Create(new KeyStoreOptions { KekDirectory = directory.FullName }), mayDrawRandom: false);

            Assert.Equal(7, keks.Active);
            Assert.Equal([4, 7], keks.Versions.Order());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Grain_state_is_stored_sealed_and_state_written_before_sealing_still_reads()
    {
        var (sealer, _) = NewSealer(new InMemoryKeyRows(), Keks(("1", NewKek())));
        var inner = new RecordingStorage();
        var storage = new SealedGrainStorage(inner, new SystemTextJsonGrainStorageSerializer(Options.Create(new Orleans.Serialization.SystemTextJsonGrainStorageSerializerOptions())), sealer);
        var grainId = GrainId.Create("user", "eu/subject-h");
        var state = new GrainState<Sample>(new Sample { Name = "canary-name-91" });

        await storage.WriteStateAsync("user", grainId, state);
        Assert.DoesNotContain("canary-name-91", inner.Stored!, StringComparison.Ordinal);
        Assert.Contains("\"sealed\"", inner.Stored!, StringComparison.Ordinal);
        var read = new GrainState<Sample>();
        await storage.ReadStateAsync("user", grainId, read);
        Assert.Equal("canary-name-91", read.State?.Name);
        Assert.True(read.RecordExists);

        // A row written by the release before sealing: plain JSON, read as it is.
        inner.Stored = """{"Name":"legacy-name"}""";
        var legacy = new GrainState<Sample>();
        await storage.ReadStateAsync("user", grainId, legacy);
        Assert.Equal("legacy-name", legacy.State?.Name);
    }

    private (Sealer Sealer, KeyStore Store) NewSealer(IKeyRows rows, KeyEncryptionKeys keks)
    {
        var cache = new KeyCache(Options.Create(new KeyStoreOptions()), _clock);
        var store = new KeyStore(rows, keks, _clock, new KeyMetrics(TestMeters.Factory, cache));
        return (new Sealer(store, cache), store);
    }

    private static KeyEncryptionKeys Keks(params (string Version, string Value)[] keks)
    {
        var options = new KeyStoreOptions();
        foreach (var (version, value) in keks)
        {
            options.Keks[version] = value;
        }

        return new KeyEncryptionKeys(Options.Create(options), mayDrawRandom: false);
    }

    private static string NewKek() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public sealed class Sample
    {
        public string? Name { get; set; }
    }

    /// <summary>Keeps the one stored payload as JSON text, as the database's payload column would.</summary>
    private sealed class RecordingStorage : IGrainStorage
    {
        public string? Stored { get; set; }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (Stored is not null)
            {
                grainState.State = System.Text.Json.JsonSerializer.Deserialize<T>(Stored)!;
                grainState.RecordExists = true;
                grainState.ETag = "1";
            }

            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Stored = System.Text.Json.JsonSerializer.Serialize(grainState.State);
            (grainState.ETag, grainState.RecordExists) = ("1", true);
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Stored = null;
            return Task.CompletedTask;
        }
    }
}
